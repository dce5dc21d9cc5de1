"""The events page use cases on fake services: UK days and times become instants (summer and
winter), a national event has no region, my seat is absent rather than an error when I have
none, who sees the organiser's tools, and attendance with nobody ticked records nothing."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from services.gateway.usecases import events
from shared.caller import Caller
from tests.unit.gateway.fakes import FakeServices

E = "events"
MEMBER = Caller("m1", "LDN", frozenset({"member"}))
FACILITATOR = Caller("f1", "LDN", frozenset({"member", "facilitator"}))


def event(**change: Any) -> dict[str, Any]:
    return {
        "id": "e1",
        "status": "published",
        "title": "Peer assist clinic",
        "summary": "",
        "kind": "workshop",
        "mode": "online",
        "scope": "regional",
        "region": "LDN",
        "starts_at": "2027-07-14T09:00:00Z",
        "ends_at": "2027-07-14T11:00:00Z",
        "timezone": "Europe/London",
        "venue": None,
        "join_url": None,
        "tags": [],
        "capacity": 30,
        "seats_left": 30,
        "waitlisted": 0,
        "organiser_member_id": "o1",
        "organiser_node": None,
        **change,
    }


def organising(day: date, scope: str = "regional") -> events.Organising:
    return events.Organising(
        title="Peer assist clinic",
        summary="",
        description="",
        kind="workshop",
        mode="online",
        scope=scope,
        region="LDN",
        day=day,
        starts=time(10, 0),
        ends=time(12, 0),
        venue=None,
        join_url=None,
        tags=["R4"],
        capacity=30,
        publish=True,
    )


@pytest.mark.parametrize(
    ("day", "starts", "ends"),
    [
        (date(2027, 7, 14), "2027-07-14T10:00:00+01:00", "2027-07-14T12:00:00+01:00"),
        (date(2027, 12, 8), "2027-12-08T10:00:00Z", "2027-12-08T12:00:00Z"),
    ],
)
async def test_a_uk_day_and_time_become_the_instant_sent(day: date, starts: str, ends: str) -> None:
    fake = FakeServices()
    fake.answer(E, "POST", "/v1/events", event(), status=201)
    await events.organise(fake.clients(), MEMBER, organising(day))
    body = fake.sent[0].body
    assert (body["starts_at"], body["ends_at"]) == (starts, ends)
    assert body["region"] == "LDN"


async def test_a_national_event_is_sent_without_a_region() -> None:
    fake = FakeServices()
    fake.answer(E, "POST", "/v1/events", event(scope="national", region=None), status=201)
    await events.organise(fake.clients(), MEMBER, organising(date(2027, 7, 14), "national"))
    assert fake.sent[0].body["region"] is None


@pytest.mark.parametrize(
    ("caller", "organiser", "organises"),
    [(MEMBER, "o1", False), (MEMBER, "m1", True), (FACILITATOR, "o1", True)],
)
async def test_an_event_page_without_a_seat_and_who_sees_the_organisers_tools(
    caller: Caller, organiser: str, organises: bool
) -> None:
    fake = FakeServices()
    fake.answer(E, "GET", "/v1/events/e1", event(organiser_member_id=organiser))
    fake.refuse(E, "GET", "/v1/events/e1/registrations/me", 404, "not_registered")
    page = await events.event_page(fake.clients(), caller, "e1")
    assert page.mine is None
    assert page.organises is organises


async def test_attendance_with_nobody_ticked_records_nothing() -> None:
    fake = FakeServices()
    assert not await events.record_attendance(fake.clients(), FACILITATOR, "e1", [])
    assert fake.sent == []


async def test_my_feed_is_served_under_the_member_api() -> None:
    fake = FakeServices()
    fake.answer(E, "GET", "/v1/members/m1/events", {"items": []})
    fake.answer(
        E, "GET", "/v1/members/m1/calendar-link", {"path": "/v1/members/m1/calendar.ics?token=t"}
    )
    mine = await events.my_events(fake.clients(), MEMBER)
    assert mine.feed_path == "/api/v1/members/m1/calendar.ics?token=t"
