"""Network events: organised, published, revised, cancelled; registrations with capacity and
waitlist; attendance; the calendar listing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.events.domain import statistics
from services.events.domain.details import EventDetails
from services.events.domain.listing import Listing
from services.events.domain.network_event import NetworkEvent, Registration, Seat
from services.events.domain.organising import (
    may_see,
    require_may_organise,
    require_organiser_authority,
)
from services.events.domain.statistics import MonthOfEvents
from services.events.stores import Stores
from shared.caller import Caller
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.months import MAX_MONTHS, month_starts
from shared.pagination import page_in_memory
from shared.retry import change


async def create_event(
    stores: Stores, *, caller: Caller, details: EventDetails, capacity: int, publish: bool
) -> NetworkEvent:
    require_may_organise(caller, details)
    event = NetworkEvent.draft(
        event_id=stores.new_id(),
        details=details,
        capacity=capacity,
        now=stores.clock.now(),
        organiser_member_id=caller.member_id,
    )
    if publish:
        event.publish()
    if not await stores.events.add(event):
        raise Conflict("event_exists", f"There is already an event {event.id}")
    return event


async def get_event(stores: Stores, event_id: str) -> NetworkEvent:
    event = await stores.events.get(event_id)
    if event is None:
        raise NotFound("event_not_found", f"No event {event_id}")
    return event


async def event_for(stores: Stores, *, caller: Caller, event_id: str) -> NetworkEvent:
    """An event as the caller may see it: a draft is not there for anyone but those who
    run it."""
    event = await get_event(stores, event_id)
    if not may_see(caller, event):
        raise NotFound("event_not_found", f"No event {event_id}")
    return event


async def register(
    stores: Stores, *, caller: Caller, event_id: str
) -> tuple[Registration, int | None]:
    """The new registration and, when it is on the waitlist, its place there."""
    if not caller.has("member"):
        raise Forbidden("not_a_member", "Only members register for events")
    event = await change_event(
        stores,
        event_id,
        lambda e: e.register(
            member_id=caller.member_id, member_region=caller.region, now=stores.clock.now()
        ),
    )
    place = event.place_of(caller.member_id)
    assert place is not None  # just registered, in the document that was saved
    return place


async def cancel_registration(stores: Stores, *, caller: Caller, event_id: str) -> NetworkEvent:
    return await change_event(
        stores, event_id, lambda e: e.cancel_registration(member_id=caller.member_id)
    )


async def publish_event(stores: Stores, *, caller: Caller, event_id: str) -> NetworkEvent:
    """A draft goes out: event.published, and registration opens."""

    def publish(event: NetworkEvent) -> None:
        require_organiser_authority(caller, event)
        event.publish()

    return await change_event(stores, event_id, publish)


async def cancel_event(
    stores: Stores, *, caller: Caller, event_id: str, reason: str
) -> NetworkEvent:
    def cancel(event: NetworkEvent) -> None:
        require_organiser_authority(caller, event)
        event.cancel(reason=reason)

    return await change_event(stores, event_id, cancel)


async def record_attendance(
    stores: Stores, *, caller: Caller, event_id: str, member_ids: list[str]
) -> NetworkEvent:
    def record(event: NetworkEvent) -> None:
        require_organiser_authority(caller, event)
        event.record_attendance(member_ids=member_ids, now=stores.clock.now())

    return await change_event(stores, event_id, record)


async def revise_event(
    stores: Stores, *, caller: Caller, event_id: str, details: EventDetails, capacity: int
) -> NetworkEvent:
    def revise(event: NetworkEvent) -> None:
        require_organiser_authority(caller, event)
        require_may_organise(caller, details)
        event.revise(details, now=stores.clock.now())
        if event.capacity != capacity:
            event.change_capacity(capacity)

    return await change_event(stores, event_id, revise)


async def registrations(
    stores: Stores, *, caller: Caller, event_id: str, cursor: str | None, limit: int
) -> tuple[list[Registration], str | None]:
    """The organiser's view, paged: seats first, then the waitlist in order (registrations
    live in the event's document, so a page is cut from it)."""
    event = await get_event(stores, event_id)
    require_organiser_authority(caller, event)
    return page_in_memory(
        event.registrations,
        key=lambda r: [0 if r.seat is Seat.CONFIRMED else 1, r.at, r.member_id],
        fields=3,
        cursor=cursor,
        limit=limit,
    )


async def my_registration(
    stores: Stores, *, caller: Caller, event_id: str
) -> tuple[Registration, int | None]:
    event = await get_event(stores, event_id)
    place = event.place_of(caller.member_id)
    if place is None:
        raise NotFound("not_registered", "You are not registered for this event")
    return place


async def my_events(
    stores: Stores, *, caller: Caller, member_id: str
) -> list[tuple[NetworkEvent, Registration, int | None]]:
    """A member's events from today on, by start, with their seat or waitlist place."""
    if caller.member_id != member_id:
        raise Forbidden("not_yours", "Members see only their own events")
    now = stores.clock.now()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for event in await stores.events.registered(member_id, since=today):
        place = event.place_of(member_id)
        if place is not None:
            rows.append((event, *place))
    return rows


async def events_held(stores: Stores, *, months: int) -> list[MonthOfEvents]:
    if not 1 <= months <= MAX_MONTHS:
        raise Invalid("invalid_months", f"Ask for 1 to {MAX_MONTHS} months")
    now = stores.clock.now()
    held = await stores.events.held_since(month_starts(now, months)[0])
    return statistics.events_held(held, now=now, months=months)


async def upcoming(
    stores: Stores,
    *,
    region: str | None = None,
    scope: str | None = None,
    tag: str | None = None,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    cursor: str | None,
    limit: int,
) -> tuple[list[NetworkEvent], str | None]:
    listing = Listing.of(
        now=stores.clock.now(),
        region=region,
        scope=scope,
        tag=tag,
        starts_after=starts_after,
        starts_before=starts_before,
    )
    return await stores.events.upcoming(listing, cursor=cursor, limit=limit)


async def change_event(
    stores: Stores, event_id: str, decide: Callable[[NetworkEvent], Any]
) -> NetworkEvent:
    return await change(stores.events, lambda: get_event(stores, event_id), decide)
