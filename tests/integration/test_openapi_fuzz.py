"""Schemathesis, `--checks all`, against every service as it runs (its own process, the real
Kafka and store): every answer is documented, in the documented shape and media type; no 5xx;
bad input refused; schema-valid input accepted or refused only for a domain reason
(fuzz/hooks.py); authentication not ignored; 405s name the allowed methods.

The run is seeded and bounded (FUZZ_EXAMPLES per operation), so it is the same run every time;
set KNET_FUZZ_EXAMPLES higher for a deeper search."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.membership.app import MembershipSettings
from shared.auth import issue_token
from shared.caller import ROLES, Caller
from shared.clock import new_id
from shared.services import ServiceSpec, discover
from shared.settings import REPO_ROOT, PlatformSettings
from tools.infra.processes import free_port

FUZZ = Path(__file__).with_name("fuzz")
FUZZ_EXAMPLES = int(os.environ.get("KNET_FUZZ_EXAMPLES", "30"))
SEED = "20261130"


def _environment(infra: PlatformSettings, ports: dict[ServiceSpec, int]) -> dict[str, str]:
    return {
        **os.environ,
        "KNET_ENVIRONMENT": "test",
        "KNET_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "KNET_MONGODB_URI": infra.mongodb_uri,
        "KNET_DATABASE_SUFFIX": f"_fuzz_{new_id()}",
        "KNET_INTERNAL_TOKEN_TTL_SECONDS": "3600",
        **{spec.port_setting: str(port) for spec, port in ports.items()},
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
    """The service, in its own process; the gateway with every service behind it."""
    spec: ServiceSpec = request.param
    needed = discover() if spec.name == "gateway" else [spec]
    ports = {each: free_port() for each in needed}
    environment = _environment(infra, ports)
    processes = []
    try:
        for each in needed:  # in start order: the gateway last
            process = subprocess.Popen(
                [sys.executable, "-m", f"services.{each.name}"],
                cwd=REPO_ROOT,
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            processes.append(process)
            _wait_ready(f"http://127.0.0.1:{ports[each]}", process)
        yield f"http://127.0.0.1:{ports[spec]}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _gateway_session(url: str) -> list[str]:
    """The first operator's session, signed in through the page as a browser would, and the
    CSRF token its API requests carry."""
    with httpx.Client(base_url=url) as browser:
        page = browser.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, page.text
        # Secure cookies over plain HTTP: a client keeps them but will not send them; by hand.
        form_cookie = page.headers["set-cookie"].split(";")[0]
        operator = MembershipSettings()
        signed_in = browser.post(
            "/sign-in",
            data={
                "email": operator.operator_email,
                "password": operator.operator_password,
                "csrf_token": token[1],
            },
            headers={"cookie": form_cookie},
        )
        assert signed_in.status_code == 303, signed_in.text
        cookie = signed_in.headers["set-cookie"].split(";")[0]
        home = browser.get("/", headers={"cookie": cookie})
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', home.text)
        assert csrf, home.text
    return [f"Cookie: {cookie}", f"X-CSRF-Token: {csrf[1]}"]


def _internal_token(infra: PlatformSettings) -> list[str]:
    # Every role at once, so the run reaches past the permission checks to the rules behind.
    caller = Caller(member_id="fuzzer", region="LDN", roles=frozenset(ROLES))
    token = issue_token(caller, infra.model_copy(update={"internal_token_ttl_seconds": 3600}))
    return [f"Authorization: Bearer {token}"]


@pytest.mark.parametrize("running", discover(), ids=lambda s: s.name, indirect=True)
def test_schemathesis_finds_nothing(
    running: str, infra: PlatformSettings, request: pytest.FixtureRequest
) -> None:
    gateway = request.node.callspec.id == "gateway"
    headers = _gateway_session(running) if gateway else _internal_token(infra)
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
            *[arg for header in headers for arg in ("--header", header)],
            "--max-examples",
            str(FUZZ_EXAMPLES),
            "--seed",
            SEED,
            # One worker: with two, Hypothesis (describing strategies by parsing lambdas' source)
            # hit "SystemError: AST constructor recursion depth mismatch" on this Python 3.11.7.
            "--workers",
            "1",
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
