from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.events import facts as fact
from services.events.domain.network_event import NetworkEvent, Seat, Status
from shared.errors import Conflict, Invalid
from tests.unit.events.test_details import GOOD

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def event(capacity: int = 2, status: Status = Status.PUBLISHED) -> NetworkEvent:
    details = replace(
        GOOD, starts_at=NOW + timedelta(days=7), ends_at=NOW + timedelta(days=7, hours=2)
    )
    return NetworkEvent(
        id="e1", details=details, capacity=capacity, organiser_member_id="o", status=status
    )


def test_seats_then_waitlist_in_arrival_order() -> None:
    e = event(capacity=2)
    seats = [e.register(member_id=m, now=NOW).seat for m in ("a", "b", "c", "d")]
    assert seats == [Seat.CONFIRMED, Seat.CONFIRMED, Seat.WAITLISTED, Seat.WAITLISTED]
    assert [type(f) for f in e.facts] == [fact.RegistrationConfirmed] * 2 + [
        fact.RegistrationWaitlisted
    ] * 2
    waitlisted = e.facts[3]
    assert isinstance(waitlisted, fact.RegistrationWaitlisted)
    assert waitlisted.position == 2
    assert e.seats_left == 0


def test_the_last_seat_goes_to_exactly_one() -> None:
    e = event(capacity=1)
    first, second = e.register(member_id="a", now=NOW), e.register(member_id="b", now=NOW)
    assert (first.seat, second.seat) == (Seat.CONFIRMED, Seat.WAITLISTED)


def test_cancelling_a_seat_promotes_the_first_on_the_waitlist() -> None:
    e = event(capacity=1)
    for m in ("a", "b", "c"):
        e.register(member_id=m, now=NOW)
    e.facts.clear()
    e.cancel_registration(member_id="a")
    assert [r.member_id for r in e.confirmed] == ["b"]
    assert [r.member_id for r in e.waitlist] == ["c"]
    assert e.facts == [
        fact.RegistrationCancelled(event_id="e1", region="LDN", member_id="a", had_seat=True),
        fact.RegistrationPromoted(event_id="e1", region="LDN", member_id="b"),
    ]


def test_cancelling_a_waitlist_place_promotes_nobody() -> None:
    e = event(capacity=1)
    for m in ("a", "b"):
        e.register(member_id=m, now=NOW)
    e.facts.clear()
    e.cancel_registration(member_id="b")
    assert [type(f) for f in e.facts] == [fact.RegistrationCancelled]


def test_more_capacity_promotes_in_order() -> None:
    e = event(capacity=1)
    for m in ("a", "b", "c", "d"):
        e.register(member_id=m, now=NOW)
    e.change_capacity(3)
    assert [r.member_id for r in e.confirmed] == ["a", "b", "c"]
    with pytest.raises(Invalid):
        e.change_capacity(0)


@pytest.mark.parametrize(
    ("status", "when", "code"),
    [
        (Status.CANCELLED, NOW, "not_open"),
        (Status.DRAFT, NOW, "not_open"),
        (Status.PUBLISHED, NOW + timedelta(days=8), "already_started"),
    ],
)
def test_registration_is_refused_when_closed(status: Status, when: datetime, code: str) -> None:
    with pytest.raises(Conflict) as error:
        event(status=status).register(member_id="a", now=when)
    assert error.value.code == code


def test_registering_twice_or_cancelling_nothing_is_a_conflict() -> None:
    e = event()
    e.register(member_id="a", now=NOW)
    with pytest.raises(Conflict):
        e.register(member_id="a", now=NOW)
    with pytest.raises(Conflict):
        e.cancel_registration(member_id="zz")


def test_draft_validates_publish_announces_and_cancel_tells_registrants() -> None:
    draft = NetworkEvent.draft(
        event_id="e2", details=GOOD, capacity=10, now=NOW, organiser_node="LDN"
    )
    draft.publish()
    published = draft.facts[-1]
    assert isinstance(published, fact.EventPublished)
    assert (published.organiser_node, published.capacity) == ("LDN", 10)
    draft.register(member_id="a", now=NOW)
    draft.cancel(reason="Speaker unwell")
    cancelled = draft.facts[-1]
    assert isinstance(cancelled, fact.EventCancelled)
    assert cancelled.registered_member_ids == ["a"]
    with pytest.raises(Conflict):
        draft.register(member_id="b", now=NOW)


def test_revising_a_published_event_names_what_changed() -> None:
    e = NetworkEvent.draft(
        event_id="e3", details=GOOD, capacity=5, now=NOW, organiser_member_id="m"
    )
    e.publish()
    later = replace(
        GOOD,
        starts_at=GOOD.starts_at + timedelta(hours=1),
        ends_at=GOOD.ends_at + timedelta(hours=1),
    )
    e.revise(later, now=NOW)
    updated = e.facts[-1]
    assert isinstance(updated, fact.EventUpdated)
    assert updated.changed == ["starts_at", "ends_at"]


def test_an_event_has_exactly_one_organiser() -> None:
    with pytest.raises(Invalid):
        NetworkEvent.draft(event_id="e", details=GOOD, capacity=5, now=NOW)
    with pytest.raises(Invalid):
        NetworkEvent.draft(
            event_id="e",
            details=GOOD,
            capacity=5,
            now=NOW,
            organiser_member_id="m",
            organiser_node="LDN",
        )


def test_attendance_once_the_event_started_for_seated_members_only() -> None:
    e = event(capacity=1)
    e.register(member_id="a", now=NOW)
    e.register(member_id="b", now=NOW)
    e.facts.clear()
    with pytest.raises(Conflict) as early:
        e.record_attendance(member_ids=["a"], now=NOW)
    assert early.value.code == "not_started"
    with pytest.raises(Invalid) as waitlisted:
        e.record_attendance(member_ids=["b"], now=e.starts_at)
    assert waitlisted.value.code == "not_registered"
    e.record_attendance(member_ids=["a", "a"], now=e.starts_at)
    e.record_attendance(member_ids=["a"], now=e.starts_at)
    assert e.facts == [fact.AttendanceRecorded(event_id="e1", region="LDN", member_id="a")]


def test_an_ended_event_completes_once_and_closes_cancellation() -> None:
    ev = event(capacity=2)
    ev.register(member_id="m1", now=NOW)
    ev.facts.clear()
    ev.complete(now=ev.details.ends_at - timedelta(minutes=1))
    assert ev.status is Status.PUBLISHED
    assert not ev.facts
    ev.complete(now=ev.details.ends_at)
    ev.complete(now=ev.details.ends_at + timedelta(hours=1))
    assert str(ev.status) == "completed"
    assert [type(f).__name__ for f in ev.facts] == ["EventCompleted"]
    with pytest.raises(Conflict):
        ev.cancel_registration(member_id="m1")
    ev.record_attendance(member_ids=["m1"], now=ev.details.ends_at + timedelta(days=1))
    assert ev.confirmed[0].attended
