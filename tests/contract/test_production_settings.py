"""In production no service serves its interactive docs or its OpenAPI document (they are
for the gateway and the tests, read from the code); the gateway serves only the member API's
public document."""

from __future__ import annotations

import pytest

from shared.services import ServiceSpec, discover
from tests.unit.shared.test_settings_and_auth import LOCKED_DOWN


def paths_of(spec: ServiceSpec) -> set[str]:
    app = spec.module("app").create_app()
    return {getattr(route, "path", "") for route in app.routes}


@pytest.mark.parametrize("spec", discover(), ids=lambda s: s.name)
def test_production_serves_no_internal_documents(
    spec: ServiceSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "/docs" in paths_of(spec), "in development, the interactive docs"
    for name, value in {**LOCKED_DOWN, "operator_password": "Its-Own-Password-2026"}.items():
        monkeypatch.setenv(
            f"KNET_{name.upper()}", str(value).lower() if value is True else str(value)
        )
    paths = paths_of(spec)
    assert not paths & {"/docs", "/redoc"}
    assert ("/openapi.json" in paths) is (spec.name == "gateway")
