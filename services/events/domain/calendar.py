"""iCalendar (RFC 5545) for one event and for a member's feed, made with the icalendar library."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from services.events.domain.network_event import NetworkEvent, Seat, Status
from services.events.domain.timezones import vtimezone

PRODID = "-//KM Network//Network events//EN"


def calendar(
    events: Iterable[NetworkEvent],
    *,
    now: datetime,
    member_id: str | None = None,
    name: str = "KM Network events",
    with_links: Collection[str] = (),
) -> bytes:
    """The events as iCalendar; `with_links` names those whose meeting link the reader may
    see. Never fails on one stored value: fields that must be one line are made one (what was
    stored before the edge refused line breaks still renders), and a link that is not a plain
    web address is left out."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    events = list(events)
    # Each event keeps the time zone it was entered in (TZID), with its VTIMEZONE definition
    # (yearly rules, timezones.py), so a calendar shows 10:00 Europe/London as 10:00 in
    # London, summer or winter.
    for key, years in sorted(_zone_years(events).items()):
        cal.add_component(vtimezone(key, min(years) - 1, max(years) + 1))
    for event in events:
        link = _link(event.details.join_url) if event.id in with_links else None
        cal.add_component(_vevent(event, now=now, member_id=member_id, link=link))
    return bytes(cal.to_ical())


def _zone_years(events: Iterable[NetworkEvent]) -> dict[str, set[int]]:
    years: dict[str, set[int]] = {}
    for event in events:
        d = event.details
        zone = ZoneInfo(d.timezone)
        found = years.setdefault(d.timezone, set())
        found.add(d.starts_at.astimezone(zone).year)
        found.add(d.ends_at.astimezone(zone).year)
    return years


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _link(url: str | None) -> str | None:
    """A meeting link fit for a calendar: an https address of printable characters."""
    if not url or not url.startswith("https://") or len(url) > 500:
        return None
    return url if all(c.isprintable() and not c.isspace() for c in url) else None


def _vevent(
    event: NetworkEvent, *, now: datetime, member_id: str | None, link: str | None
) -> VEvent:
    d = event.details
    item = VEvent()
    item.add("uid", f"{event.id}@knet.nhs.uk")
    item.add("dtstamp", now)
    zone = ZoneInfo(d.timezone)
    item.add("dtstart", d.starts_at.astimezone(zone))
    item.add("dtend", d.ends_at.astimezone(zone))
    item.add("summary", _one_line(d.title))
    item.add("description", "\n\n".join(p for p in (d.summary, d.description, link or "") if p))
    venue = _one_line(d.venue or "")
    if venue or link:
        item.add("location", venue or link)
    if link:
        item.add("url", link)
    item.add("categories", [_one_line(c) for c in (d.kind.value, *d.tags)])
    status = "CANCELLED" if event.status is Status.CANCELLED else "CONFIRMED"
    if member_id is not None:
        seat = next((r.seat for r in event.registrations if r.member_id == member_id), None)
        if seat is Seat.WAITLISTED and status == "CONFIRMED":
            status = "TENTATIVE"  # on the waitlist: in the diary, but not certain
    item.add("status", status)
    return item
