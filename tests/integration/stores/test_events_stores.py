"""One suite, two implementations: the events service's MongoDB repositories and its
in-memory ones behave alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.events import facts as fact
from services.events.domain.details import Scope
from services.events.domain.listing import Listing
from services.events.domain.network_event import NetworkEvent
from services.events.domain.node_keys import NodeKey, Standing
from services.events.repository import (
    INDEXES,
    EventRepository,
    FeedGenerations,
    IssuerRepository,
    NodeKeyRepository,
    ReminderClaims,
    SubmissionRecords,
)
from services.events.stores import Events, Feeds, Issuers, NodeKeys, Reminders, Submissions
from shared.clock import SystemClock, new_id
from shared.errors import Stale
from shared.mongo import ensure_indexes
from tests.fakes.events import (
    InMemoryEvents,
    InMemoryFeeds,
    InMemoryIssuers,
    InMemoryNodeKeys,
    InMemoryReminders,
    InMemorySubmissions,
)
from tests.unit.events.test_details import GOOD

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
All = tuple[Events, Submissions, Reminders, NodeKeys]


@pytest.fixture(params=["memory", "mongo"])
async def stores(
    request: pytest.FixtureRequest, mongo: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[All]:
    if request.param == "memory":
        yield InMemoryEvents(), InMemorySubmissions(), InMemoryReminders(), InMemoryNodeKeys()
        return
    db = mongo[f"knet_events_contract_{new_id()}"]
    await ensure_indexes(db, INDEXES)
    clock = SystemClock()
    yield (
        EventRepository(db, clock),
        SubmissionRecords(db, clock),
        ReminderClaims(db, clock),
        NodeKeyRepository(db),
    )


def network_event(
    event_id: str, days: float, *, region: str | None = "LDN", tags: tuple[str, ...] = ("R4",)
) -> NetworkEvent:
    details = replace(
        GOOD,
        starts_at=NOW + timedelta(days=days),
        ends_at=NOW + timedelta(days=days, hours=2),
        region=region,
        scope=Scope.REGIONAL if region else Scope.NATIONAL,
        tags=tags,
    )
    found = NetworkEvent.draft(
        event_id=event_id, details=details, capacity=2, now=NOW, organiser_member_id="o"
    )
    found.publish()
    return found


async def test_an_event_is_added_once_and_saved_at_the_version_read(stores: All) -> None:
    events, _, _, _ = stores
    first = network_event("e1", 3)
    assert await events.add(first)
    assert first.facts == []
    assert not await events.add(network_event("e1", 4)), "the id decides"
    a, b = await events.get("e1"), await events.get("e1")
    assert a is not None
    assert b is not None
    a.register(member_id="m1", now=NOW)
    await events.save(a)
    b.register(member_id="m2", now=NOW)
    with pytest.raises(Stale):
        await events.save(b)
    stored = await events.get("e1")
    assert stored is not None
    assert [r.member_id for r in stored.registrations] == ["m1"]
    assert events.document(stored) == events.document(a)


async def test_the_calendar_lists_pages_and_feeds(stores: All) -> None:
    events, _, _, _ = stores
    for i, (days, region, tags) in enumerate(
        [(5, "LDN", ("R4",)), (1, "NW", ("R1",)), (3, "LDN", ("R1",)), (2, None, ("R4",))]
    ):
        added = network_event(f"e{i}", days, region=region, tags=tags)
        added.register(member_id="me", now=NOW)
        await events.add(added)
    draft = NetworkEvent.draft(
        event_id="d",
        details=replace(
            GOOD, starts_at=NOW + timedelta(days=4), ends_at=NOW + timedelta(days=4, hours=1)
        ),
        capacity=1,
        now=NOW,
        organiser_member_id="o",
    )
    await events.add(draft)
    walked: list[str] = []
    cursor: str | None = None
    while True:
        page, cursor = await events.upcoming(Listing(starts_from=NOW), cursor=cursor, limit=3)
        walked += [e.id for e in page]
        if cursor is None:
            break
    assert walked == ["e1", "e3", "e2", "e0"], "published only, by start"
    ldn, _ = await events.upcoming(Listing(starts_from=NOW, region="LDN"), cursor=None, limit=10)
    assert [e.id for e in ldn] == ["e2", "e0"]
    tagged, _ = await events.upcoming(
        Listing(starts_from=NOW, tag="R1", starts_before=NOW + timedelta(days=2)),
        cursor=None,
        limit=10,
    )
    assert [e.id for e in tagged] == ["e1"]
    national, _ = await events.upcoming(
        Listing(starts_from=NOW, scope=Scope.NATIONAL), cursor=None, limit=10
    )
    assert [e.id for e in national] == ["e3"]
    feed = await events.registered("me", since=NOW + timedelta(days=2))
    assert [e.id for e in feed] == ["e3", "e2", "e0"]
    soon = await events.starting_between(NOW, NOW + timedelta(days=2, hours=1))
    assert [e.id for e in soon] == ["e1", "e3"]
    ended = await events.ended_but_open(NOW + timedelta(days=2, hours=3))
    assert {e.id for e in ended} == {"e1", "e3"}
    assert await events.upcoming_per_region(NOW) == {"LDN": 2, "NW": 1, None: 1}


async def test_submissions_reminders_and_node_keys_answer_once(stores: All) -> None:
    _, submissions, reminders, node_keys = stores
    rejected = fact.SubmissionRejected(
        node="LDN", external_id="x", submission_id="s1", reasons=["r"]
    )
    assert await submissions.record(
        submission_id="s1", node="LDN", external_id="x", outcome="rejected", facts=[rejected]
    )
    assert not await submissions.record(
        submission_id="s1", node="LDN", external_id="x", outcome="rejected", facts=[rejected]
    )
    due = fact.EventReminderDue(
        event_id="e1",
        region="LDN",
        member_id="m",
        window="24h",
        title="T",
        starts_at=NOW,
        join_url=None,
        venue=None,
    )
    assert await reminders.claim("e1:m:24h", due)
    assert not await reminders.claim("e1:m:24h", due)

    for key_id, region in [("k3", "LDN"), ("k1", "LDN"), ("k2", "NW"), ("k4", "LDN")]:
        await node_keys.add(NodeKey(key_id, region, "node", "hash", NOW, "op"))
    first, cursor = await node_keys.page("LDN", cursor=None, limit=2)
    rest, last = await node_keys.page("LDN", cursor=cursor, limit=2)
    assert [k.id for k in first + rest] == ["k1", "k3", "k4"]
    assert last is None
    await node_keys.revoke("k1", NOW, "by op")
    await node_keys.revoke("k1", NOW + timedelta(days=1), "again")
    revoked = await node_keys.get("k1")
    assert revoked is not None
    assert (revoked.revoked_at, revoked.revoked_reason) == (NOW, "by op"), "revoked once"
    assert await node_keys.get("nope") is None
    await node_keys.add(NodeKey("k5", "NW", "node", "hash", NOW, "someone else"))
    assert sorted(k.id for k in await node_keys.issued_by("op")) == ["k2", "k3", "k4"]


@pytest.fixture(params=["memory", "mongo"])
async def issuers(
    request: pytest.FixtureRequest, mongo: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[Issuers]:
    if request.param == "memory":
        yield InMemoryIssuers()
        return
    yield IssuerRepository(mongo[f"knet_events_contract_{new_id()}"])


async def test_an_issuers_standing_is_what_the_latest_facts_said(issuers: Issuers) -> None:
    assert await issuers.get("f") is None
    await issuers.record("f", {"region": "LDN", "roles": ["member", "facilitator"]})
    await issuers.record("f", {"region": "NW"})
    assert await issuers.get("f") == Standing("f", "NW", frozenset({"member", "facilitator"}))
    await issuers.record("f", {"active": False, "lost_at": NOW})
    assert await issuers.get("f") == Standing("f", "NW", frozenset(), lost_at=NOW)


async def test_events_held_since_are_the_completed_ones_by_start(stores: All) -> None:
    events, _, _, _ = stores
    for event_id, days, complete in (("h2", 2, True), ("h1", 1, True), ("o", 3, False)):
        event = network_event(event_id, days)
        event.register(member_id="m1", now=NOW)
        if complete:
            event.complete(now=event.details.ends_at)
        await events.add(event)
    held = await events.held_since(NOW)
    assert [e.id for e in held] == ["h1", "h2"]
    assert [len(e.confirmed) for e in held] == [1, 1]
    assert [e.id for e in await events.held_since(NOW + timedelta(hours=36))] == ["h2"]


@pytest.fixture(params=["memory", "mongo"])
async def feeds(
    request: pytest.FixtureRequest, mongo: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[Feeds]:
    if request.param == "memory":
        yield InMemoryFeeds()
        return
    yield FeedGenerations(mongo[f"knet_events_contract_{new_id()}"])


async def test_a_calendar_link_renews_to_a_new_generation(feeds: Feeds) -> None:
    assert await feeds.generation("m") == 0
    assert [await feeds.renew("m"), await feeds.renew("m")] == [1, 2]
    assert (await feeds.generation("m"), await feeds.generation("other")) == (2, 0)
