"""Events: the calendar with its filters, an event's page (my seat or waitlist place, whether
I run it), registering and cancelling, my events with the private calendar feed, organising
an event, and the organiser's tools (registrations with names, attendance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from services.gateway.clients import Clients
from services.gateway.clients.http import ServiceRefused
from services.gateway.clients.models import events as e
from services.gateway.clients.operations import request
from services.gateway.usecases.conversations import Panel, panel
from services.gateway.usecases.names import member_names
from shared.caller import Caller

UK = ZoneInfo("Europe/London")
CALENDAR_PAGE = 20
REGISTRATIONS_PAGE = 100


async def calendar(
    clients: Clients,
    caller: Caller,
    *,
    region: str,
    scope: str,
    tag: str,
    after: date | None,
    before: date | None,
    cursor: str | None,
) -> e.PageEventView:
    """Events from the start of `after` to the end of `before`, UK days."""
    return await clients.events.listed(
        caller,
        region=region,
        scope=scope,
        tag=tag,
        starts_after=datetime.combine(after, time(), UK) if after else None,
        starts_before=datetime.combine(before, time.max, UK) if before else None,
        cursor=cursor,
        limit=CALENDAR_PAGE,
    )


@dataclass(frozen=True)
class EventPage:
    event: e.EventView
    mine: e.RegistrationView | None
    # The organiser, or a facilitator of its region: they see the organiser's tools.
    organises: bool
    conversations: Panel


async def event_page(clients: Clients, caller: Caller, event_id: str) -> EventPage:
    event = await clients.events.event(caller, event_id)
    try:
        mine: e.RegistrationView | None = await clients.events.my_seat(caller, event_id)
    except ServiceRefused as refused:
        if refused.code != "not_registered":
            raise
        mine = None
    organises = event.organiser_member_id == caller.member_id or caller.governs(event.region)
    return EventPage(event, mine, organises, await panel(clients, caller, "event", event_id))


async def register(clients: Clients, caller: Caller, event_id: str) -> None:
    await clients.events.register(caller, event_id)


async def unregister(clients: Clients, caller: Caller, event_id: str) -> None:
    await clients.events.unregister(caller, event_id)


async def ics(clients: Clients, caller: Caller, event_id: str) -> bytes:
    return await clients.events.ics(caller, event_id)


@dataclass(frozen=True)
class MyEvents:
    mine: list[e.MyEventView]
    feed_path: str  # the private feed, under the member API (/api)


async def my_events(clients: Clients, caller: Caller) -> MyEvents:
    mine = await clients.events.my_events(caller)
    path = await clients.events.calendar_link(caller)
    return MyEvents(mine.items, "/api" + path)


async def renew_calendar_link(clients: Clients, caller: Caller) -> None:
    """A new private feed link; the old one stops working (shared by mistake, a lost device)."""
    await clients.events.calendar_link(caller, renew=True)


@dataclass(frozen=True)
class Organising:
    title: str
    summary: str
    description: str
    kind: str
    mode: str
    scope: str
    region: str | None
    day: date
    starts: time
    ends: time
    venue: str | None
    join_url: str | None
    tags: list[str]
    capacity: int
    publish: bool


async def organise(clients: Clients, caller: Caller, event: Organising) -> e.EventView:
    """Dates and times are UK times; a national event has no region."""
    body = request(
        e.EventIn,
        title=event.title,
        summary=event.summary,
        description=event.description,
        kind=event.kind,
        mode=event.mode,
        scope=event.scope,
        region=None if event.scope == "national" else event.region,
        starts_at=datetime.combine(event.day, event.starts, UK),
        ends_at=datetime.combine(event.day, event.ends, UK),
        venue=event.venue,
        join_url=event.join_url,
        tags=event.tags,
        capacity=event.capacity,
        publish=event.publish,
    )
    return await clients.events.organise(caller, body)


@dataclass(frozen=True)
class Registrations:
    event: e.EventView
    page: e.PageRegistrationRow
    names: dict[str, str]


async def registrations(
    clients: Clients, caller: Caller, event_id: str, cursor: str | None
) -> Registrations:
    """The organiser's tools: who has a seat, who waits, and who attended."""
    event = await clients.events.event(caller, event_id)
    page = await clients.events.registrations(
        caller, event_id, cursor=cursor, limit=REGISTRATIONS_PAGE
    )
    names = await member_names(clients, caller, [r.member_id for r in page.items])
    return Registrations(event, page, names)


async def record_attendance(
    clients: Clients, caller: Caller, event_id: str, attended: list[str]
) -> bool:
    """False when nobody was ticked (nothing to record)."""
    if not attended:
        return False
    await clients.events.record_attendance(caller, event_id, attended)
    return True
