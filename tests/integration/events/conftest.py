"""The events service in-process against the session's Kafka and store, and helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.events.app import create_app
from shared.settings import PlatformSettings
from tests.integration.callers import as_member

__all__ = ["as_member"]

SOON = datetime.now(UTC) + timedelta(days=10)


@pytest.fixture(scope="module")
async def events_http(infra: PlatformSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(infra)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://events") as http:
            http.app_settings = infra  # type: ignore[attr-defined]
            yield http


def event_body(**change: Any) -> dict[str, Any]:
    return {
        "title": "Peer assist clinic",
        "kind": "workshop",
        "mode": "online",
        "scope": "regional",
        "region": "LDN",
        "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(hours=2)).isoformat(),
        "join_url": "https://meet.example/peer-assist",
        "tags": ["R4"],
        "capacity": 1,
        **change,
    }
