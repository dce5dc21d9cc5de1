"""Schemathesis, `--checks all`, against every service as it runs (its own process, the real
Kafka and store): every answer is documented, in the documented shape and media type; no 5xx;
bad input refused; schema-valid input accepted or refused only for a domain reason
(fuzz/hooks.py); authentication not ignored; 405s name the allowed methods.

The run is seeded and bounded (FUZZ_EXAMPLES per operation), so it is the same run every time;
set KNET_FUZZ_EXAMPLES higher for a deeper search."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.auth import issue_token
from shared.caller import ROLES, Caller
from shared.clock import new_id
from shared.infra.processes import free_port
from shared.services import ServiceSpec, discover
from shared.settings import REPO_ROOT, PlatformSettings

FUZZ = Path(__file__).with_name("fuzz")
FUZZ_EXAMPLES = int(os.environ.get("KNET_FUZZ_EXAMPLES", "30"))
SEED = "20261130"


def _service_environment(infra: PlatformSettings, spec: ServiceSpec, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "KNET_ENVIRONMENT": "test",
        "KNET_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "KNET_MONGODB_URI": infra.mongodb_uri,
        "KNET_DATABASE_SUFFIX": f"_fuzz_{new_id()}",
        "KNET_INTERNAL_TOKEN_TTL_SECONDS": "3600",
        spec.port_setting: str(port),
    }


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the service exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} was not ready within 60 s")


@pytest.fixture
def running(infra: PlatformSettings, request: pytest.FixtureRequest) -> Iterator[str]:
    spec: ServiceSpec = request.param
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", f"services.{spec.name}"],
        cwd=REPO_ROOT,
        env=_service_environment(infra, spec, port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("running", discover(), ids=lambda s: s.name, indirect=True)
def test_schemathesis_finds_nothing(running: str, infra: PlatformSettings) -> None:
    # Every role at once, so the run reaches past the permission checks to the rules behind.
    caller = Caller(member_id="fuzzer", region="LDN", roles=frozenset(ROLES))
    token = issue_token(caller, infra.model_copy(update={"internal_token_ttl_seconds": 3600}))
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [
            str(st),
            "--config-file",
            str(FUZZ / "schemathesis.toml"),
            "run",
            f"{running}/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            str(FUZZ_EXAMPLES),
            "--seed",
            SEED,
            "--workers",
            "2",
            "--no-color",
            "--generation-database",
            "none",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.integration.fuzz.hooks"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
