"""One suite, two implementations: the gateway's MongoDB repositories and its in-memory ones
behave alike (sessions, sign-in failure counts, dead-letter decisions)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.gateway.domain import sessions
from services.gateway.memory import (
    InMemoryDeadLetterDecisions,
    InMemorySessions,
    InMemorySignInFailures,
)
from services.gateway.repository import (
    INDEXES,
    DeadLetterDecisionRecords,
    SessionRepository,
    SignInFailureCounts,
)
from services.gateway.stores import DeadLetterDecisions, Sessions, SignInFailures
from shared.clock import new_id
from shared.mongo import ensure_indexes

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
All = tuple[Sessions, SignInFailures, DeadLetterDecisions]


@pytest.fixture(params=["memory", "mongo"])
async def stores(
    request: pytest.FixtureRequest, mongo: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[All]:
    if request.param == "memory":
        yield InMemorySessions(), InMemorySignInFailures(), InMemoryDeadLetterDecisions()
        return
    db = mongo[f"knet_gateway_contract_{new_id()}"]
    await ensure_indexes(db, INDEXES)
    yield SessionRepository(db), SignInFailureCounts(db), DeadLetterDecisionRecords(db)


def session(member_id: str, at: datetime = NOW) -> sessions.Session:
    return sessions.start(
        sessions.new_secret(),
        member_id=member_id,
        name="Ada",
        region="LDN",
        roles=frozenset({"member"}),
        status=sessions.ACTIVE,
        now=at,
    )


async def test_sessions_are_kept_changed_and_removed(stores: All) -> None:
    store, _, _ = stores
    first, second, old = session("m1"), session("m1"), session("m2", NOW - timedelta(days=2))
    for s in (first, second, old):
        await store.add(s)
    assert await store.get(first.id_hash) == first
    seen = replace(first, seen_at=NOW + timedelta(minutes=5), roles=frozenset({"member", "core"}))
    await store.save(seen)
    assert await store.get(first.id_hash) == seen
    assert await store.remove_older_than(NOW - timedelta(days=1)) == 1
    assert await store.get(old.id_hash) is None
    await store.remove(second.id_hash)
    assert await store.get(second.id_hash) is None
    await store.add(second)
    assert await store.remove_member("m1") == 2
    assert await store.get(first.id_hash) is None
    await store.save(first)  # saving a removed session does not bring it back
    assert await store.get(first.id_hash) is None


async def test_failures_count_per_key_and_window(stores: All) -> None:
    _, failures, _ = stores
    earlier = NOW - timedelta(minutes=15)
    for _ in range(3):
        await failures.add("account:a", NOW)
    await failures.add("account:a", earlier)
    await failures.add("address:x", NOW)
    assert await failures.count("account:a", NOW) == 3
    assert await failures.count("account:a", earlier) == 1
    assert await failures.count("account:b", NOW) == 0
    assert await failures.remove_before(NOW) == 1
    assert await failures.count("account:a", earlier) == 0
    assert await failures.count("address:x", NOW) == 1


async def test_a_dead_letter_is_decided_once(stores: All) -> None:
    _, _, decisions = stores
    assert await decisions.claim("0:5", decision="discarded", by="op", at=NOW, note="test data")
    assert not await decisions.claim("0:5", decision="replayed", by="op2", at=NOW, note="")
    found = await decisions.decided(["0:5", "0:6"])
    assert found == {"0:5": {"decision": "discarded", "by": "op", "at": NOW, "note": "test data"}}
    await decisions.release("0:5")
    assert await decisions.decided(["0:5"]) == {}
    assert await decisions.claim("0:5", decision="replayed", by="op", at=NOW, note="")
