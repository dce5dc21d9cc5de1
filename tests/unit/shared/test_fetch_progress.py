"""A first start says what it fetches and how far along it is: Maven's download lines become
progress lines, and a failed fetch says why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.infra.maven import copy_dependencies
from tools.infra.processes import InfraError


def fake_tools(tmp_path: Path, mvn_script: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in {"mvn": mvn_script, "java": "exit 0"}.items():
        tool = bin_dir / name
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(0o755)
    os.environ["PATH"] = f"{bin_dir}:{os.environ['PATH']}"


@pytest.fixture(autouse=True)
def keep_path() -> object:
    saved = os.environ["PATH"]
    yield
    os.environ["PATH"] = saved


def test_downloads_are_reported_as_they_come(tmp_path: Path) -> None:
    downloads = "\n".join(
        f'echo "Downloaded from central: https://repo/a{i}.jar (2.5 MB at 9 MB/s)"'
        for i in range(10)
    )
    fake_tools(tmp_path, f'echo "[INFO] Scanning"\n{downloads}')
    said: list[str] = []
    copy_dependencies(
        tmp_path / "pom.xml", tmp_path / "libs", what="X", expected_mb=25, report=said.append
    )
    assert said[0].startswith("fetching X from Maven Central")
    progress = said[1:-1]  # a line per tenth; the last tenth is the "ready" line
    assert progress[0] == "  X: 1 files, 2.5 of about 25 MB (10%)"
    assert progress[-1] == "  X: 9 files, 22.5 of about 25 MB (90%)"
    assert len(progress) == 9
    assert said[-1] == "  X: ready (10 files downloaded, 25.0 MB)"


def test_a_failed_fetch_says_why(tmp_path: Path) -> None:
    fake_tools(tmp_path, 'echo "[ERROR] Could not resolve dependencies"\nexit 1')
    with pytest.raises(InfraError, match="Could not resolve dependencies"):
        copy_dependencies(tmp_path / "pom.xml", tmp_path / "libs", what="X", expected_mb=1)
