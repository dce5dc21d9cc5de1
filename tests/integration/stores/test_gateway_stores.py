"""One suite, two implementations: the gateway's MongoDB repositories and its in-memory ones
behave alike (sessions, sign-in failure counts, dead-letter decisions)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.gateway.domain import api_tokens, sessions
from services.gateway.domain.throttle import Failures
from services.gateway.repository import (
    INDEXES,
    ApiTokenRepository,
    DeadLetterDecisionRecords,
    SessionRepository,
    SignInFailureCounts,
)
from services.gateway.stores import ApiTokens, DeadLetterDecisions, Sessions, SignInFailures
from shared.clock import new_id
from shared.mongo import ensure_indexes
from tests.fakes.gateway import (
    InMemoryApiTokens,
    InMemoryDeadLetterDecisions,
    InMemorySessions,
    InMemorySignInFailures,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
All = tuple[Sessions, SignInFailures, DeadLetterDecisions, ApiTokens]


@pytest.fixture(params=["memory", "mongo"])
async def stores(
    request: pytest.FixtureRequest, mongo: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[All]:
    if request.param == "memory":
        yield (
            InMemorySessions(),
            InMemorySignInFailures(),
            InMemoryDeadLetterDecisions(),
            InMemoryApiTokens(),
        )
        return
    db = mongo[f"knet_gateway_contract_{new_id()}"]
    await ensure_indexes(db, INDEXES)
    yield (
        SessionRepository(db),
        SignInFailureCounts(db),
        DeadLetterDecisionRecords(db),
        ApiTokenRepository(db),
    )


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
    store, _, _, _ = stores
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
    _, failures, _, _ = stores
    earlier = NOW - timedelta(minutes=15)
    for seconds in (1, 3, 2):
        await failures.add("account:a", NOW, NOW + timedelta(seconds=seconds))
    await failures.add("account:a", earlier, earlier)
    await failures.add("address:x", NOW, NOW)
    assert await failures.get("account:a", NOW) == Failures(3, NOW + timedelta(seconds=3))
    assert await failures.get("account:a", earlier) == Failures(1, earlier)
    assert await failures.get("account:b", NOW) == Failures()
    await failures.clear("address:x", NOW)
    assert await failures.get("address:x", NOW) == Failures()
    await failures.add("address:x", NOW, NOW)
    assert await failures.remove_before(NOW) == 1
    assert await failures.get("account:a", earlier) == Failures()
    assert (await failures.get("address:x", NOW)).count == 1


async def test_a_dead_letter_is_decided_once(stores: All) -> None:
    _, _, decisions, _ = stores
    assert await decisions.claim("0:5", decision="discarded", by="op", at=NOW, note="test data")
    assert not await decisions.claim("0:5", decision="replayed", by="op2", at=NOW, note="")
    found = await decisions.decided(["0:5", "0:6"])
    assert found == {"0:5": {"decision": "discarded", "by": "op", "at": NOW, "note": "test data"}}
    await decisions.release("0:5")
    assert await decisions.decided(["0:5"]) == {}
    assert await decisions.claim("0:5", decision="replayed", by="op", at=NOW, note="")


async def test_api_tokens_are_kept_listed_used_and_removed(stores: All) -> None:
    _, _, _, tokens = stores
    _, first = api_tokens.issue(session("m1"), label="First", days=30, now=NOW)
    _, second = api_tokens.issue(
        session("m1"), label="Second", days=90, now=NOW + timedelta(hours=1)
    )
    _, other = api_tokens.issue(session("m2"), label="Theirs", days=30, now=NOW)
    for token in (first, second, other):
        await tokens.add(token)
    assert await tokens.get(first.id_hash) == first
    assert [t.label for t in await tokens.of_member("m1")] == ["Second", "First"]
    used = first.used(NOW + timedelta(minutes=5), first.identity)
    await tokens.save(used)
    assert await tokens.get(first.id_hash) == used
    assert not await tokens.remove("m2", first.id_hash), "only its member removes it"
    assert await tokens.remove("m1", first.id_hash)
    await tokens.save(used)  # saving a removed token does not bring it back
    assert await tokens.get(first.id_hash) is None
    assert await tokens.remove_member("m1") == 1
    assert await tokens.of_member("m1") == []
    assert await tokens.get(other.id_hash) == other
