"""iCalendar (RFC 5545) for one event and for a member's feed, made with the icalendar library."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from services.events.domain.network_event import NetworkEvent, Seat, Status

PRODID = "-//KM Network//Network events//EN"


def calendar(
    events: Iterable[NetworkEvent],
    *,
    now: datetime,
    member_id: str | None = None,
    name: str = "KM Network events",
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(_vevent(event, now=now, member_id=member_id))
    # Each event keeps the time zone it was entered in (TZID), with its VTIMEZONE definition,
    # so a calendar shows 10:00 Europe/London as 10:00 in London, summer or winter.
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _vevent(event: NetworkEvent, *, now: datetime, member_id: str | None) -> VEvent:
    d = event.details
    item = VEvent()
    item.add("uid", f"{event.id}@knet.nhs.uk")
    item.add("dtstamp", now)
    zone = ZoneInfo(d.timezone)
    item.add("dtstart", d.starts_at.astimezone(zone))
    item.add("dtend", d.ends_at.astimezone(zone))
    item.add("summary", d.title)
    item.add(
        "description", "\n\n".join(p for p in (d.summary, d.description, d.join_url or "") if p)
    )
    if d.venue or d.join_url:
        item.add("location", d.venue or d.join_url)
    if d.join_url:
        item.add("url", d.join_url)
    item.add("categories", [d.kind.value, *d.tags])
    status = "CANCELLED" if event.status is Status.CANCELLED else "CONFIRMED"
    if member_id is not None:
        seat = next((r.seat for r in event.registrations if r.member_id == member_id), None)
        if seat is Seat.WAITLISTED and status == "CONFIRMED":
            status = "TENTATIVE"  # on the waitlist: in the diary, but not certain
    item.add("status", status)
    return item
