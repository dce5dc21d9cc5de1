"""Every service's OpenAPI document passes the validator and the recommendations of OpenAPI
Generator, the tool that generates clients in some fifty languages (a regional node or the
gateway of another team would use it): no issue, no recommendation. Redocly's recommended
rules were also run by hand (docs/http-apis.md says how)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from shared.services import ServiceSpec, discover
from shared.settings import REPO_ROOT, PlatformSettings
from tools.infra.maven import copy_dependencies

POM = REPO_ROOT / "tests" / "tools" / "openapi-generator-pom.xml"


@pytest.fixture(scope="module")
def generator() -> Path:
    libs = PlatformSettings().cache_dir / "openapi-generator" / "libs"
    if not any(libs.glob("openapi-generator-cli-*.jar")):
        copy_dependencies(POM, libs, what="OpenAPI Generator", expected_mb=31)
    return next(libs.glob("openapi-generator-cli-*.jar"))


@pytest.mark.parametrize("spec", discover(), ids=lambda s: s.name)
def test_openapi_generator_finds_no_issue_and_recommends_nothing(
    spec: ServiceSpec, generator: Path, tmp_path: Path
) -> None:
    document = tmp_path / f"{spec.name}.json"
    document.write_text(json.dumps(spec.module("app").create_app().openapi()))
    result = subprocess.run(
        ["java", "-jar", str(generator), "validate", "-i", str(document), "--recommend"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No validation issues detected." in result.stdout, result.stdout
    assert "Warnings:" not in result.stdout, result.stdout
