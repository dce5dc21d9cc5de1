"""The directory at 10,000 members stays paginated: every page is bounded, a walk through a
filtered listing returns each matching member exactly once in order, and no request can ask
for an unbounded page. Every filter combination the directory offers, first pages and next
pages alike, is served by an index the service declares: checked on the queries the store
actually received (its query-plan report), not on a list of shapes.

The members are written straight into a database of this test's own (no events to relay:
this is about reading), so that ten thousand rows don't slow every other test's writes."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.membership.app import MembershipSettings, create_app
from services.membership.domain.member import Member
from services.membership.repository import to_document
from shared.clock import new_id
from shared.settings import PlatformSettings
from tests.integration.membership.conftest import MembershipClient
from tests.integration.query_plans import problems, reported_plans
from tests.unit.membership.factories import seed_members

SIZE = 10_000


@pytest.fixture(scope="module")
async def large_directory(
    infra: PlatformSettings,
) -> AsyncIterator[tuple[MembershipClient, list[Member]]]:
    settings = MembershipSettings(**{**infra.model_dump(), "database_suffix": f"_scale_{new_id()}"})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        seeded = seed_members("scale", SIZE)
        collection = app.state.stores.members.collection
        for start in range(0, SIZE, 1000):
            await collection.insert_many([to_document(m) for m in seeded[start : start + 1000]])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://membership") as http:
            yield MembershipClient(http, settings, app), seeded


async def test_directory_of_ten_thousand_stays_paginated(
    large_directory: tuple[MembershipClient, list[Member]],
) -> None:
    membership, seeded = large_directory
    viewer = membership.headers("viewer", {"member"}, "LDN")
    expected = [
        m.id
        for m in sorted(seeded, key=lambda m: (m.profile.name.lower(), m.id))
        if m.region == "LDN" and "t3" in m.profile.interests
    ]
    walked: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"region": "LDN", "interest": "t3", "limit": 25}
        if cursor:
            params["cursor"] = cursor
        response = await membership.http.get("/v1/members", params=params, headers=viewer)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 25
        walked += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == expected, "each matching member exactly once, in (name, id) order"

    first = (await membership.http.get("/v1/members", params={"limit": 100}, headers=viewer)).json()
    assert len(first["items"]) == 100
    assert first["next_cursor"] is not None
    too_big = await membership.http.get("/v1/members", params={"limit": 1000}, headers=viewer)
    assert too_big.status_code == 422
    assert too_big.json()["error"]["code"] == "invalid_request"


FILTERS = {
    "name": "scale member 01",
    "region": "LDN",
    "organisation_id": "o1",
    "interest": "t3",
    "skill": "taxonomy",
    "role": "member",
}


async def test_every_directory_filter_is_served_by_a_declared_index(
    large_directory: tuple[MembershipClient, list[Member]],
) -> None:
    membership, _ = large_directory
    viewer = membership.headers("viewer", {"member"}, "LDN")
    combinations = [c for n in (0, 1, 2, 3) for c in itertools.combinations(FILTERS, n)]
    for chosen in combinations:
        params: dict[str, Any] = {f: FILTERS[f] for f in chosen} | {"limit": 2}
        first = await membership.http.get("/v1/members", params=params, headers=viewer)
        assert first.status_code == 200, first.text
        if cursor := first.json()["next_cursor"]:
            after = await membership.http.get(
                "/v1/members", params=params | {"cursor": cursor}, headers=viewer
            )
            assert after.status_code == 200, after.text
    database = membership.app.state.stores.members.collection.database.name
    plans = [
        p
        for p in reported_plans(membership.settings.mongodb_uri)
        if p["ns"].startswith(database + ".members")
    ]
    directory = [p for p in plans if p["sort"] == "name_lower, _id"]
    # Every combination's filter shape, and the keyset cursor's beside the common ones.
    assert len({p["filter"] for p in directory}) >= len(combinations) + 1
    assert problems(plans) == []
