"""One suite, two implementations: the notifications service's MongoDB repositories and its
in-memory ones behave alike (the use-case tests run on the in-memory ones)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.notifications import stores as protocols
from services.notifications.domain import webhooks
from services.notifications.domain.messages import Category, Channel, Message
from services.notifications.domain.notifications import Delivery, InboxItem
from services.notifications.domain.preferences import Preferences
from services.notifications.facts import DeliveryFailed, NotificationDelivered, NotificationJob
from services.notifications.repository import (
    INDEXES,
    Audiences,
    Deliveries,
    Directory,
    Fanouts,
    Inbox,
    Waiting,
)
from shared.clock import SystemClock, new_id
from shared.mongo import ensure_indexes
from shared.sealed import Sealer
from tests.fakes.notifications import (
    InMemoryAudiences,
    InMemoryDeliveries,
    InMemoryDirectory,
    InMemoryFanouts,
    InMemoryInbox,
    InMemoryWaiting,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MESSAGE = Message("event_published", Category.EVENTS, "New event", "Come", "/events/e1")


@dataclass
class All:
    directory: protocols.Directory
    audiences: protocols.Audiences
    fanouts: protocols.Fanouts
    inbox: protocols.Inbox
    deliveries: protocols.Deliveries
    waiting: protocols.Waiting


@pytest.fixture(params=["memory", "mongo"])
async def stores(
    request: pytest.FixtureRequest, mongo: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[All]:
    if request.param == "memory":
        yield All(
            InMemoryDirectory(),
            InMemoryAudiences(),
            InMemoryFanouts(),
            InMemoryInbox(),
            InMemoryDeliveries(),
            InMemoryWaiting(),
        )
        return
    db = mongo[f"knet_notifications_contract_{new_id()}"]
    await ensure_indexes(db, INDEXES)
    clock = SystemClock()
    yield All(
        Directory(db, Sealer("a test key for sealing secrets, 32+ chars")),
        Audiences(db),
        Fanouts(db, clock),
        Inbox(db, clock),
        Deliveries(db, clock),
        Waiting(db, clock),
    )


async def test_the_directory_keeps_the_newest_fact_and_finds_audiences(stores: All) -> None:
    d = stores.directory
    base = {"name": "Ada", "email": "a@nhs.net", "region": "LDN", "status": "active"}
    await d.apply("a", NOW, {**base, "roles": ["member", "facilitator"], "interests": ["x"]})
    await d.apply("a", NOW - timedelta(hours=1), {"status": "left"})  # late: changes nothing
    await d.apply("b", NOW, {**base, "roles": ["member"], "interests": ["y"]})
    await d.apply("c", NOW, {**base, "region": "NW", "roles": ["member"], "interests": ["x"]})
    found = await d.get("a")
    assert found is not None
    assert (found.status, found.preferences) == ("active", Preferences())
    assert await d.get("nobody") is None
    assert sorted(await d.get_many(["a", "b", "nobody"])) == ["a", "b"]
    assert await d.with_role("LDN", "facilitator") == ["a"]
    assert await d.interested(region="LDN", tags=["x"], everyone=False, category="events") == ["a"]
    assert sorted(
        await d.interested(region=None, tags=["x"], everyone=False, category="events")
    ) == [
        "a",
        "c",
    ]
    assert await d.interested(region=None, tags=[], everyone=False, category="events") == []
    quiet = Preferences().changed(channels={"events": []})
    assert await d.set_preferences("b", quiet)
    assert not await d.set_preferences("nobody", quiet)
    everyone = await d.interested(region=None, tags=[], everyone=True, category="events")
    assert sorted(everyone) == ["a", "c"], "b takes no events news"
    secret = webhooks.new_secret()
    hooked = Preferences().with_webhook("https://n.example/x", secret)
    await d.set_preferences("a", hooked)
    again = await d.get("a")
    assert again is not None
    assert again.preferences == hooked
    if isinstance(d, Directory):
        stored = await d.collection.find_one({"_id": "a"})
        assert stored is not None
        assert secret not in str(stored), "sealed at rest, never in the clear"


async def test_audiences_follow_the_newest_fact(stores: All) -> None:
    a = stores.audiences
    await a.set("plan", "p1", "m1", active=True, as_of=NOW)
    await a.set("plan", "p1", "m2", active=True, as_of=NOW)
    await a.set("plan", "p1", "m2", active=False, as_of=NOW + timedelta(seconds=1))
    await a.set("plan", "p1", "m1", active=False, as_of=NOW - timedelta(seconds=1))  # late
    assert await a.members("plan", "p1") == ["m1"]
    assert await a.members("plan", "p2") == []


async def test_a_fanout_chunk_is_recorded_once(stores: All) -> None:
    job = NotificationJob(source_id="s", source_type="t", member_id="m", message=MESSAGE.as_dict())
    assert await stores.fanouts.add("s|0", [job])
    assert not await stores.fanouts.add("s|0", [job])


def item(n: int, member: str = "m") -> InboxItem:
    return InboxItem(f"s{n}|{member}", member, f"s{n}", MESSAGE, NOW + timedelta(minutes=n))


def delivered(i: InboxItem) -> NotificationDelivered:
    return NotificationDelivered(
        notification_id=i.id,
        member_id=i.member_id,
        channel="in_app",
        kind="event_published",
        category="events",
        source_id=i.source_id,
    )


async def test_the_inbox_adds_once_pages_counts_and_marks_read(stores: All) -> None:
    box = stores.inbox
    items = [item(n) for n in range(5)] + [item(9, "other")]
    assert await box.add_many(items, [delivered(i) for i in items]) == 6
    assert await box.add_many(items[:2], [delivered(i) for i in items[:2]]) == 0
    page, cursor = await box.page("m", cursor=None, limit=3)
    assert [i.source_id for i in page] == ["s4", "s3", "s2"]
    rest, last = await box.page("m", cursor=cursor, limit=3)
    assert ([i.source_id for i in rest], last) == (["s1", "s0"], None)
    assert await box.unread("m") == 5
    assert await box.mark_read("m", "s4|m", NOW)
    assert await box.mark_read("m", "s4|m", NOW), "twice is fine"
    assert not await box.mark_read("m", "s9|other", NOW), "not theirs"
    assert await box.unread("m") == 4
    unread, _ = await box.page("m", cursor=None, limit=10, unread_only=True)
    assert "s4" not in [i.source_id for i in unread]
    assert await box.mark_all_read("m", NOW) == 4
    assert (await box.unread("m"), await box.unread("other")) == (0, 1)


def email(n: int, **changes: Any) -> Delivery:
    return replace(
        Delivery(
            id=f"s{n}|m|email",
            notification_id=f"s{n}|m",
            member_id="m",
            channel=Channel.EMAIL,
            to="m@nhs.net",
            name="M",
            message=MESSAGE,
            created_at=NOW + timedelta(seconds=n),
            next_attempt_at=NOW + timedelta(seconds=n),
        ),
        **changes,
    )


async def test_deliveries_are_due_in_order_retried_and_finished_once(stores: All) -> None:
    d = stores.deliveries
    assert await d.add(email(1))
    assert not await d.add(email(1))
    await d.add(email(2))
    await d.add(email(3, channel=Channel.WEBHOOK, id="s3|m|webhook", to="https://n/x"))
    due = await d.due(NOW + timedelta(seconds=2), 10)
    assert [x.id for x in due] == ["s1|m|email", "s2|m|email"]
    seen = due[0].next_attempt_at
    assert seen is not None
    lease = NOW + timedelta(minutes=2)
    assert await d.claim("s1|m|email", seen, lease)
    assert not await d.claim("s1|m|email", seen, lease), "claimed already"
    assert [x.id for x in await d.due(NOW + timedelta(seconds=2), 10)] == ["s2|m|email"]
    await d.postpone("s1|m|email", attempts=1, next_attempt_at=NOW + timedelta(hours=1), error="x")
    await d.failed(
        "s2|m|email",
        "550 no such mailbox",
        DeliveryFailed(notification_id="s2|m", member_id="m", channel="email", reason="550"),
    )
    sent = NotificationDelivered(
        notification_id="s3|m",
        member_id="m",
        channel="webhook",
        kind="event_published",
        category="events",
        source_id="s3",
    )
    await d.sent("s3|m|webhook", NOW, sent)
    assert await d.due(NOW + timedelta(minutes=1), 10) == []
    (later,) = await d.due(NOW + timedelta(hours=1), 10)
    assert (later.attempts, later.last_error) == (1, "x")
    log, _ = await d.log("m", channel=None, cursor=None, limit=10)
    assert [(x.id, x.status) for x in log] == [
        ("s3|m|webhook", "sent"),
        ("s2|m|email", "failed"),
        ("s1|m|email", "pending"),
    ]
    webhook_log, _ = await d.log("m", channel="webhook", cursor=None, limit=10)
    assert [x.sent_at for x in webhook_log] == [NOW]
    first, cursor = await d.log("m", channel="email", cursor=None, limit=1)
    second, end = await d.log("m", channel="email", cursor=cursor, limit=1)
    assert ([x.id for x in first + second], end) == (["s2|m|email", "s1|m|email"], None)


async def test_held_emails_are_gathered_by_digest_once(stores: All) -> None:
    d = stores.deliveries
    due_at = NOW + timedelta(hours=22)
    for n in (1, 2):
        await d.add(email(n, status="held", digest_id="D1", next_attempt_at=due_at))
    await d.add(email(3, status="held", digest_id="D2", next_attempt_at=due_at + timedelta(days=1)))
    assert await d.digests_due(NOW, 10) == []
    assert await d.digests_due(due_at, 10) == ["D1"]
    assert [x.id for x in await d.held_for("D1")] == ["s1|m|email", "s2|m|email"]
    assert await d.due(due_at, 10) == [], "held is not pending"
    await d.digested("D1", due_at)
    assert await d.held_for("D1") == []
    assert await d.digests_due(due_at + timedelta(days=1), 10) == ["D2"]
    log, _ = await d.log("m", channel="email", cursor=None, limit=10)
    assert {x.id: x.status for x in log}["s1|m|email"] == "digested"


async def test_jobs_wait_once_each_for_their_member(stores: All) -> None:
    def job(source: str, member: str) -> NotificationJob:
        return NotificationJob(
            source_id=source, source_type="t", member_id=member, message=MESSAGE.as_dict()
        )

    await stores.waiting.add([job("s1", "m"), job("s2", "m"), job("s1", "n")])
    await stores.waiting.add([job("s1", "m")])
    kept = await stores.waiting.of("m")
    assert sorted(j.source_id for j in kept) == ["s1", "s2"]
    await stores.waiting.remove(kept)
    assert await stores.waiting.of("m") == []
    assert [j.member_id for j in await stores.waiting.of("n")] == ["n"]
