"""The events service's use cases on the in-memory stores: every rule in milliseconds (the
stores' contract suite keeps the in-memory ones honest)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.events import facts as fact
from services.events.domain.details import EventDetails, Scope
from services.events.domain.network_event import Seat, Status
from services.events.repository import to_document
from services.events.stores import Stores
from services.events.usecases import calendars, network_events, node_keys, schedules, submissions
from shared.caller import Caller
from shared.clock import ManualClock
from shared.errors import Forbidden, Invalid, NotFound, Unauthorized
from shared.months import label, month_starts
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
ORGANISER = Caller("org", "LDN", frozenset({"member"}))
FACILITATOR = Caller("fac", "LDN", frozenset({"member", "facilitator"}))
OPERATOR = Caller("op", None, frozenset({"member", "operator"}))


def member(member_id: str, region: str = "LDN") -> Caller:
    return Caller(member_id, region, frozenset({"member"}))


@pytest.fixture
def stores() -> Stores:
    ids = iter(f"id{i:08d}" for i in range(1000))
    return Stores(
        events=InMemoryEvents(),
        submissions=InMemorySubmissions(),
        reminders=InMemoryReminders(),
        node_keys=InMemoryNodeKeys(),
        issuers=InMemoryIssuers(),
        feeds=InMemoryFeeds(),
        clock=ManualClock(NOW),
        feed_secret="feed-secret",
        new_id=lambda: next(ids),
    )


def published(stores: Stores) -> list[type]:
    assert isinstance(stores.events, InMemoryEvents)
    return [type(f) for f in stores.events.published]


def details(**change: Any) -> EventDetails:
    start = NOW + timedelta(days=7)
    return replace(GOOD, starts_at=start, ends_at=start + timedelta(hours=2), **change)


async def create(stores: Stores, capacity: int = 1, publish: bool = True) -> str:
    event = await network_events.create_event(
        stores, caller=ORGANISER, details=details(), capacity=capacity, publish=publish
    )
    return event.id


async def test_the_last_seat_then_the_waitlist_then_promotion(stores: Stores) -> None:
    event_id = await create(stores, capacity=1)
    places = [
        await network_events.register(stores, caller=member(m), event_id=event_id)
        for m in ("a", "b", "c")
    ]
    assert [(r.seat, position) for r, position in places] == [
        (Seat.CONFIRMED, None),
        (Seat.WAITLISTED, 1),
        (Seat.WAITLISTED, 2),
    ]
    await network_events.cancel_registration(stores, caller=member("a"), event_id=event_id)
    registration, position = await network_events.my_registration(
        stores, caller=member("c"), event_id=event_id
    )
    assert (registration.seat, position) == (Seat.WAITLISTED, 1)
    [(event, mine, position)] = await network_events.my_events(
        stores, caller=member("b"), member_id="b"
    )
    assert (event.id, mine.seat, position) == (event_id, Seat.CONFIRMED, None)
    with pytest.raises(Forbidden):
        await network_events.my_events(stores, caller=member("b"), member_id="c")
    with pytest.raises(NotFound):
        await network_events.my_registration(stores, caller=member("a"), event_id=event_id)
    page, cursor = await network_events.registrations(
        stores, caller=ORGANISER, event_id=event_id, cursor=None, limit=1
    )
    rest, last = await network_events.registrations(
        stores, caller=ORGANISER, event_id=event_id, cursor=cursor, limit=5
    )
    assert [(r.member_id, r.seat) for r in page + rest] == [
        ("b", Seat.CONFIRMED),
        ("c", Seat.WAITLISTED),
    ]
    assert last is None
    assert fact.RegistrationPromoted in published(stores)
    with pytest.raises(Forbidden):
        await network_events.registrations(
            stores, caller=member("b"), event_id=event_id, cursor=None, limit=5
        )


async def test_a_national_event_registration_concerns_the_member_region(stores: Stores) -> None:
    national = await network_events.create_event(
        stores,
        caller=Caller("op", "LDN", frozenset({"member", "operator"})),
        details=details(scope=Scope.NATIONAL, region=None),
        capacity=1,
        publish=True,
    )
    for who, region in (("north", "NW"), ("wales", "WAL")):
        await network_events.register(stores, caller=member(who, region), event_id=national.id)
    await network_events.cancel_registration(
        stores, caller=member("north", "NW"), event_id=national.id
    )
    assert isinstance(stores.events, InMemoryEvents)
    regions = [
        (type(f).__name__, f.region)
        for f in stores.events.published
        if type(f).__name__.startswith("Registration")
    ]
    assert regions == [
        ("RegistrationConfirmed", "NW"),
        ("RegistrationWaitlisted", "WAL"),
        ("RegistrationCancelled", "NW"),
        ("RegistrationPromoted", "WAL"),
    ]


async def test_a_change_that_records_no_fact_is_still_saved(stores: Stores) -> None:
    event_id = await create(stores, capacity=5, publish=False)
    revised = await network_events.revise_event(
        stores, caller=ORGANISER, event_id=event_id, details=details(title="Renamed"), capacity=3
    )
    stored = await network_events.get_event(stores, event_id)
    assert (stored.details.title, stored.capacity, stored.version) == ("Renamed", 3, 1)
    assert revised.version == 1


async def test_who_may_organise_cancel_and_record(stores: Stores) -> None:
    with pytest.raises(Forbidden):
        await network_events.create_event(
            stores,
            caller=ORGANISER,
            details=details(scope=Scope.NATIONAL, region=None),
            capacity=5,
            publish=True,
        )
    event_id = await create(stores, capacity=5)
    await network_events.register(stores, caller=member("a"), event_id=event_id)
    nw_facilitator = Caller("nwf", "NW", frozenset({"member", "facilitator"}))
    with pytest.raises(Forbidden):
        await network_events.cancel_event(
            stores, caller=nw_facilitator, event_id=event_id, reason="x"
        )
    cancelled = await network_events.cancel_event(
        stores, caller=OPERATOR, event_id=event_id, reason="Venue closed"
    )
    assert cancelled.status is Status.CANCELLED
    with pytest.raises(NotFound):
        await network_events.get_event(stores, "nope")


async def test_the_calendar_lists_upcoming_published_events(stores: Stores) -> None:
    shown = await create(stores)
    await create(stores, publish=False)
    found, _ = await network_events.upcoming(stores, region="LDN", cursor=None, limit=10)
    assert [e.id for e in found] == [shown]
    with pytest.raises(Invalid):
        await network_events.upcoming(stores, region="ATLANTIS", cursor=None, limit=10)


def submission(external_id: str, **change: Any) -> dict[str, Any]:
    start = NOW + timedelta(days=10)
    return {
        "external_id": external_id,
        "title": "Peer assist clinic",
        "kind": "workshop",
        "mode": "online",
        "scope": "regional",
        "region": "LDN",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "join_url": "https://meet.example/pa",
        "capacity": 30,
        **change,
    }


async def test_regional_submissions_publish_update_cancel_and_reject(stores: Stores) -> None:
    first = await submissions.handle_submission(
        stores, submission_id="s1", source="/regions/LDN", data=submission("x1")
    )
    again = await submissions.handle_submission(
        stores, submission_id="s1", source="/regions/LDN", data=submission("x1")
    )
    assert (first.outcome, again.outcome) == ("published", "updated")
    assert published(stores).count(fact.EventPublished) == 1
    updated = await submissions.handle_submission(
        stores, submission_id="s2", source="/regions/LDN", data=submission("x1", capacity=40)
    )
    assert updated.outcome == "updated"
    assert (await network_events.get_event(stores, first.event_id or "")).capacity == 40
    cancelled = await submissions.handle_submission(
        stores,
        submission_id="s3",
        source="/regions/LDN",
        data={"external_id": "x1", "action": "cancel"},
    )
    assert cancelled.outcome == "cancelled"
    rejected = await submissions.handle_submission(
        stores, submission_id="s4", source="/regions/NW", data=submission("x2")
    )
    assert rejected.outcome == "rejected"
    assert isinstance(stores.submissions, InMemorySubmissions)
    assert [type(f) for f in stores.submissions.published] == [fact.SubmissionRejected]


async def test_node_keys_are_issued_within_remit_and_authenticate(stores: Stores) -> None:
    with pytest.raises(Forbidden):
        await node_keys.issue_node_key(stores, caller=member("m"), region="LDN", label="n")
    key, presented = await node_keys.issue_node_key(
        stores, caller=FACILITATOR, region="LDN", label="node"
    )
    listed, _ = await node_keys.node_keys_of(
        stores, caller=FACILITATOR, region="LDN", cursor=None, limit=10
    )
    assert [k.id for k in listed] == [key.id]
    node = await submissions.node_for_key(stores, presented_key=presented)
    assert node == "LDN"
    result = await submissions.submit_over_api(
        stores, node=node, idempotency_key="i1", data=submission("api-1")
    )
    assert result.outcome == "published"
    with pytest.raises(Invalid) as refused:
        await submissions.submit_over_api(
            stores, node=node, idempotency_key="i2", data=submission("api-2", capacity=-1)
        )
    assert refused.value.code == "submission_rejected"
    await node_keys.revoke_node_key(stores, caller=OPERATOR, region="LDN", key_id=key.id)
    with pytest.raises(Unauthorized):
        await submissions.node_for_key(stores, presented_key=presented)
    with pytest.raises(Unauthorized):
        await submissions.node_for_key(stores, presented_key=None)


async def test_reminders_attendance_and_completion_happen_once(stores: Stores) -> None:
    event_id = await create(stores, capacity=5)
    await network_events.register(stores, caller=member("a"), event_id=event_id)
    assert isinstance(stores.clock, ManualClock)
    stores.clock.advance(timedelta(days=6, hours=12))
    assert await schedules.send_due_reminders(stores) == 1
    assert await schedules.send_due_reminders(stores) == 0
    stores.clock.advance(timedelta(hours=12, minutes=30))
    recorded = await network_events.record_attendance(
        stores, caller=FACILITATOR, event_id=event_id, member_ids=["a"]
    )
    assert recorded.registrations[0].attended
    stores.clock.advance(timedelta(days=1))
    assert await schedules.complete_ended_events(stores) == 1
    assert await schedules.complete_ended_events(stores) == 0


async def test_the_private_calendar_feed(stores: Stores) -> None:
    event_id = await create(stores, capacity=5)
    await network_events.register(stores, caller=member("a"), event_id=event_id)
    link = await calendars.calendar_link(stores, caller=member("a"), member_id="a")
    token = link.split("token=")[1]
    feed = await calendars.member_calendar(stores, member_id="a", token=token)
    assert b"BEGIN:VCALENDAR" in feed
    assert b"Peer assist clinic" in feed
    with pytest.raises(Forbidden):
        await calendars.member_calendar(stores, member_id="a", token="forged")
    renewed = await calendars.calendar_link(stores, caller=member("a"), member_id="a", renew=True)
    assert renewed != link
    assert b"VCALENDAR" in await calendars.member_calendar(
        stores, member_id="a", token=renewed.split("token=")[1]
    )
    with pytest.raises(Forbidden):
        await calendars.member_calendar(stores, member_id="a", token=token)
    with pytest.raises(Forbidden):
        await calendars.calendar_link(stores, caller=member("b"), member_id="a")


async def test_a_draft_is_published_by_its_organiser(stores: Stores) -> None:
    event_id = await create(stores, publish=False)
    with pytest.raises(Forbidden):
        await network_events.publish_event(stores, caller=member("m"), event_id=event_id)
    published_now = await network_events.publish_event(stores, caller=ORGANISER, event_id=event_id)
    assert published_now.status is Status.PUBLISHED
    assert published(stores).count(fact.EventPublished) == 1
    found, _ = await network_events.upcoming(stores, cursor=None, limit=5)
    assert [e.id for e in found] == [event_id]


async def test_a_node_hears_every_reason_at_once(stores: Stores) -> None:
    past = (NOW - timedelta(days=1)).isoformat()
    bad = submission("x9", capacity=-1, starts_at=past, title="\x07Bell", mode="carrier pigeon")
    result = await submissions.handle_submission(
        stores, submission_id="s9", source="/regions/LDN", data=bad
    )
    reasons = "\n".join(result.reasons)
    assert result.outcome == "rejected"
    for expected in (
        "capacity",
        "starts_at: must be in the future",
        "mode: one of",
        "title: control",
    ):
        assert expected in reasons, reasons


async def test_events_held_per_month_with_places_and_attendance(stores: Stores) -> None:
    event_id = await create(stores, capacity=2)
    for m in ("a", "b", "c"):
        await network_events.register(stores, caller=member(m), event_id=event_id)
    await create(stores, capacity=5)  # published, never held: not counted
    assert isinstance(stores.clock, ManualClock)
    stores.clock.advance(timedelta(days=8))
    event = await network_events.get_event(stores, event_id)
    event.complete(now=stores.clock.now())
    event.record_attendance(member_ids=["a"], now=stores.clock.now())
    await stores.events.save(event)
    held = await network_events.events_held(stores, months=2)
    assert [h.month for h in held] == [label(s) for s in month_starts(stores.clock.now(), 2)]
    this_month = next(h for h in held if h.month == label(event.starts_at))
    assert (this_month.events, this_month.places_taken, this_month.attended) == (1, 2, 1)
    assert sum(h.events for h in held) == 1
    with pytest.raises(Invalid):
        await network_events.events_held(stores, months=0)


async def test_a_value_stored_before_the_edge_refused_it_never_breaks_a_calendar(
    stores: Stores,
) -> None:
    """A join_url with CR/LF made every registrant's feed fail (a 500 for one value)."""
    event_id = await create(stores, capacity=5)
    await network_events.register(stores, caller=member("a"), event_id=event_id)
    event = await network_events.get_event(stores, event_id)
    bad = replace(
        event.details,
        title="Peer assist\r\nclinic",
        venue="Room 1\nFloor 2",
        join_url="https://meet.example/x\r\nX-Evil: 1",
    )
    stored = replace(event, details=bad)
    stores.events.documents[event_id] = to_document(stored)  # type: ignore[attr-defined]
    link = await calendars.calendar_link(stores, caller=member("a"), member_id="a")
    token = link.split("=")[1]
    feed = await calendars.member_calendar(stores, member_id="a", token=token)
    assert b"SUMMARY:Peer assist clinic" in feed
    assert b"X-Evil" not in feed, "a link that is not a plain web address is left out"
    single = await calendars.event_calendar(stores, caller=member("a"), event_id=event_id)
    assert b"BEGIN:VEVENT" in single
