"""Input that broke things, refused at the edge with a clear 4xx and nothing half-written:
line breaks in single-line fields, spoofing characters in names and titles, numbers that
`str.isdigit` takes and `int` does not, bodies too large to read, a node's body read before
its key."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.gateway.conftest import Browser, Platform
from tests.integration.membership.conftest import STRONG_PASSWORD

META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
SOON = datetime.now(UTC) + timedelta(days=20)


def online_event(**change: Any) -> dict[str, Any]:
    return {
        "title": "Peer assist clinic",
        "kind": "workshop",
        "mode": "online",
        "scope": "regional",
        "region": "SW",
        "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(hours=1)).isoformat(),
        "join_url": "https://meet.example/peer-assist",
        "capacity": 20,
        **change,
    }


@pytest.fixture
async def member(platform: Platform) -> AsyncIterator[tuple[Browser, dict[str, Any], str]]:
    found, _ = await platform.membership.member_with_roles("SW", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(found["email"], STRONG_PASSWORD)
        token = META.search((await browser.get("/")).text)
        assert token
        yield browser, found, token[1]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"join_url": "https://meet.example/x\r\nX-Evil: 1"}, "line breaks"),
        ({"title": "Peer assist\nclinic"}, "line breaks"),
        ({"venue": "Room 1\u2028Floor 2", "mode": "hybrid"}, "line breaks"),
        ({"title": "Peer assist \u202eclinic"}, "bidirectional"),
        ({"title": "Peer\u200bassist clinic"}, "invisible"),
    ],
)
async def test_single_line_fields_and_titles_refuse_what_would_break_or_spoof_them(
    platform: Platform,
    member: tuple[Browser, dict[str, Any], str],
    change: dict[str, str],
    problem: str,
) -> None:
    browser, _, token = member
    made = await browser.http.post(
        "/api/v1/events", json=online_event(**change), headers={"x-csrf-token": token}
    )
    assert made.status_code == 422, made.text
    assert problem in made.text
    # Paragraphs may have their line breaks.
    fine = await browser.http.post(
        "/api/v1/events",
        json=online_event(description="Bring a problem.\n\nLeave with ideas."),
        headers={"x-csrf-token": token},
    )
    assert fine.status_code == 201, fine.text


@pytest.mark.parametrize(
    "name", ["Ada \u202eecalevoL", "Ada\u200dLovelace", "Ada\U000e0041 Lovelace", "Ada\nLovelace"]
)
async def test_a_name_shows_what_it_says(
    member: tuple[Browser, dict[str, Any], str], name: str
) -> None:
    browser, found, token = member
    refused = await browser.http.patch(
        f"/api/v1/members/{found['id']}", json={"name": name}, headers={"x-csrf-token": token}
    )
    assert refused.status_code == 422, refused.text
    kept = await browser.get(f"/api/v1/members/{found['id']}")
    assert kept.json()["name"] == found["name"]


@pytest.mark.parametrize("number", ["\u00b2", "1" * 5000, "٣"])
async def test_numbers_in_forms_are_read_one_way(
    member: tuple[Browser, dict[str, Any], str], number: str
) -> None:
    browser, _, _ = member
    hour = await browser.submit(
        "/notifications/preferences",
        "/notifications/preferences",
        {"digest": "daily", "digest_hour": number},
    )
    assert hour.status_code == 422, hour.text
    places = await browser.submit(
        "/events/new",
        "/events/new",
        {"title": "A", "capacity": number, "date": "2027-01-01", "start_time": "10:00"},
    )
    assert places.status_code == 422, places.text


async def test_a_body_too_large_is_refused_before_it_is_read(
    platform: Platform, member: tuple[Browser, dict[str, Any], str]
) -> None:
    browser, _, token = member
    huge = b'{"title": "' + b"x" * (30 * 1024 * 1024) + b'"}'
    declared = await browser.http.post(
        "/api/v1/events",
        content=huge,
        headers={"x-csrf-token": token, "content-type": "application/json"},
    )
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "too_large"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * (64 * 1024)

    # Sent in chunks, without a length: counted as it comes and cut off at the limit.
    chunked = await browser.http.post(
        "/api/v1/events",
        content=chunks(),
        headers={"x-csrf-token": token, "content-type": "application/json"},
    )
    assert chunked.status_code == 413

    async with platform.browser() as node:
        keyless = await node.http.post("/api/v1/node/submissions", content=b"{" * 60_000)
        assert keyless.status_code == 401, "the key is checked before the body is read"
        too_large = await node.http.post(
            "/api/v1/node/submissions",
            content=b"{" * 100_000,
            headers={"x-node-key": "knet_node_x", "content-type": "application/json"},
        )
        assert too_large.status_code == 413
