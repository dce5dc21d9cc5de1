"""HTTP routes (called by the gateway with an internal token)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, Security, status
from fastapi.security import APIKeyQuery
from pydantic import BaseModel, Field

from services.events.domain.details import EventDetails, Kind, Mode, Scope
from services.events.domain.network_event import NetworkEvent
from services.events.domain.organising import may_join
from services.events.stores import Stores
from services.events.usecases import calendars, network_events
from shared.auth import MEMBERS, CurrentCaller
from shared.caller import Caller
from shared.http_errors import ERROR_RESPONSES_IN_JSON
from shared.pagination import Limit, Page
from shared.requests import (
    Cursor,
    Label,
    Paragraphs,
    Region,
    RegionFilter,
    RequestModel,
    ServedAt,
    Timestamp,
    WordFilter,
)
from shared.service import stores_of

router = APIRouter(prefix="/v1")
StoresDep = Annotated[Stores, Depends(stores_of(Stores))]


class EventIn(RequestModel):
    title: Label = Field(max_length=200, examples=["Peer assist clinic"])
    summary: Paragraphs = Field("", max_length=500)
    description: Paragraphs = Field("", max_length=10_000)
    kind: Kind
    mode: Mode
    scope: Scope
    region: Region | None = None
    starts_at: datetime
    ends_at: datetime
    timezone: str = "Europe/London"
    venue: str | None = Field(None, max_length=300)
    join_url: str | None = Field(None, max_length=500)
    tags: list[str] = Field(default_factory=list, max_length=20)
    capacity: int = Field(ge=1, le=100_000)
    publish: bool = True

    def details(self) -> EventDetails:
        return EventDetails(
            title=self.title,
            summary=self.summary,
            description=self.description,
            kind=self.kind,
            mode=self.mode,
            scope=self.scope,
            region=self.region,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            timezone=self.timezone,
            venue=self.venue,
            join_url=self.join_url,
            tags=tuple(self.tags),
        )


class EventView(BaseModel):
    id: str
    status: str
    title: str
    summary: str
    kind: str
    mode: str
    scope: str
    region: str | None
    starts_at: datetime
    ends_at: datetime
    timezone: str
    venue: str | None
    join_url: str | None = Field(
        description="The meeting link: shown to those who run the event and to members with a"
        " confirmed place"
    )
    tags: list[str]
    capacity: int
    seats_left: int
    waitlisted: int
    organiser_member_id: str | None
    organiser_node: str | None

    @classmethod
    def of(cls, event: NetworkEvent, caller: Caller) -> EventView:
        d = event.details
        return cls(
            id=event.id,
            status=event.status.value,
            title=d.title,
            summary=d.summary,
            kind=d.kind.value,
            mode=d.mode.value,
            scope=d.scope.value,
            region=d.region,
            starts_at=d.starts_at,
            ends_at=d.ends_at,
            timezone=d.timezone,
            venue=d.venue,
            join_url=d.join_url if may_join(caller, event) else None,
            tags=list(d.tags),
            capacity=event.capacity,
            seats_left=event.seats_left,
            waitlisted=len(event.waitlist),
            organiser_member_id=event.organiser_member_id,
            organiser_node=event.organiser_node,
        )


class RegistrationView(BaseModel):
    event_id: str
    member_id: str
    seat: str
    waitlist_position: int | None = Field(
        None, description="On the waitlist, the member's place in it (1 is next to get a seat)"
    )


class MyEventView(BaseModel):
    event: EventView
    seat: str
    waitlist_position: int | None


class RegistrationRow(BaseModel):
    member_id: str
    seat: str
    registered_at: datetime
    attended: bool


class Attendance(RequestModel):
    member_ids: list[str] = Field(min_length=1, max_length=1000)


class Cancellation(RequestModel):
    reason: Paragraphs = Field(max_length=1000)


@router.post("/events", dependencies=[MEMBERS], status_code=status.HTTP_201_CREATED)
async def create(body: EventIn, stores: StoresDep, caller: CurrentCaller) -> EventView:
    event = await network_events.create_event(
        stores, caller=caller, details=body.details(), capacity=body.capacity, publish=body.publish
    )
    return EventView.of(event, caller)


@router.get("/events")
async def listing(
    stores: StoresDep,
    caller: CurrentCaller,
    region: RegionFilter = None,
    scope: Literal["local", "regional", "national"] | None = None,
    tag: WordFilter = None,
    starts_after: Timestamp | None = None,
    starts_before: Timestamp | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[EventView]:
    events, next_cursor = await network_events.upcoming(
        stores,
        region=region,
        scope=scope,
        tag=tag,
        starts_after=starts_after,
        starts_before=starts_before,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[EventView.of(e, caller) for e in events], next_cursor=next_cursor)


@router.put("/events/{event_id}", dependencies=[MEMBERS])
async def revise(
    event_id: str, body: EventIn, stores: StoresDep, caller: CurrentCaller
) -> EventView:
    event = await network_events.revise_event(
        stores, caller=caller, event_id=event_id, details=body.details(), capacity=body.capacity
    )
    return EventView.of(event, caller)


@router.get("/events/{event_id}/registrations", dependencies=[MEMBERS])
async def registrations(
    event_id: str,
    stores: StoresDep,
    caller: CurrentCaller,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RegistrationRow]:
    """For the organiser: seats first, then the waitlist in order."""
    rows, next_cursor = await network_events.registrations(
        stores, caller=caller, event_id=event_id, cursor=cursor, limit=limit
    )
    return Page(
        items=[
            RegistrationRow(
                member_id=r.member_id, seat=r.seat.value, registered_at=r.at, attended=r.attended
            )
            for r in rows
        ],
        next_cursor=next_cursor,
    )


@router.post("/events/{event_id}/attendance", dependencies=[MEMBERS])
async def attendance(
    event_id: str, body: Attendance, stores: StoresDep, caller: CurrentCaller
) -> EventView:
    event = await network_events.record_attendance(
        stores, caller=caller, event_id=event_id, member_ids=body.member_ids
    )
    return EventView.of(event, caller)


CALENDAR = "text/calendar; charset=utf-8"
FEED_TOKEN = APIKeyQuery(
    name="token",
    auto_error=False,
    scheme_name="calendar_feed_token",
    description="The capability in a member's private feed link (calendar apps send no header)",
)


class CalendarResponse(Response):
    media_type = "text/calendar"


@router.get(
    "/events/{event_id}.ics", response_class=CalendarResponse, responses=ERROR_RESPONSES_IN_JSON
)
async def event_ics(event_id: str, stores: StoresDep, caller: CurrentCaller) -> Response:
    feed = await calendars.event_calendar(stores, caller=caller, event_id=event_id)
    return Response(feed, media_type=CALENDAR)


@router.get("/members/{member_id}/calendar-link", dependencies=[MEMBERS])
async def calendar_link(
    member_id: str, stores: StoresDep, caller: CurrentCaller, served_at: ServedAt
) -> dict[str, str]:
    """The private feed's path, where this API is served (under /api through the gateway)."""
    path = await calendars.calendar_link(stores, caller=caller, member_id=member_id)
    return {"path": served_at + path}


@router.post("/members/{member_id}/calendar-link", dependencies=[MEMBERS])
async def renew_calendar_link(
    member_id: str, stores: StoresDep, caller: CurrentCaller, served_at: ServedAt
) -> dict[str, str]:
    """A new private feed link; the old one stops working."""
    path = await calendars.calendar_link(stores, caller=caller, member_id=member_id, renew=True)
    return {"path": served_at + path}


@router.get(
    "/members/{member_id}/calendar.ics",
    response_class=CalendarResponse,
    responses=ERROR_RESPONSES_IN_JSON,
)
async def member_ics(
    member_id: str, stores: StoresDep, token: Annotated[str | None, Security(FEED_TOKEN)] = None
) -> Response:
    """Private feed: the token in the link is the credential (calendar apps send no header)."""
    feed = await calendars.member_calendar(stores, member_id=member_id, token=token or "")
    return Response(feed, media_type=CALENDAR)


@router.post(
    "/events/{event_id}/registrations", dependencies=[MEMBERS], status_code=status.HTTP_201_CREATED
)
async def register(event_id: str, stores: StoresDep, caller: CurrentCaller) -> RegistrationView:
    registration, position = await network_events.register(stores, caller=caller, event_id=event_id)
    return RegistrationView(
        event_id=event_id,
        member_id=registration.member_id,
        seat=registration.seat.value,
        waitlist_position=position,
    )


@router.get("/events/{event_id}/registrations/me", dependencies=[MEMBERS])
async def my_registration(
    event_id: str, stores: StoresDep, caller: CurrentCaller
) -> RegistrationView:
    """The caller's seat, or their place on the waitlist; 404 not_registered."""
    registration, position = await network_events.my_registration(
        stores, caller=caller, event_id=event_id
    )
    return RegistrationView(
        event_id=event_id,
        member_id=registration.member_id,
        seat=registration.seat.value,
        waitlist_position=position,
    )


@router.get("/members/{member_id}/events", dependencies=[MEMBERS])
async def my_events(member_id: str, stores: StoresDep, caller: CurrentCaller) -> Page[MyEventView]:
    """The member's own events from today on, by start (at most 500: one page)."""
    rows = await network_events.my_events(stores, caller=caller, member_id=member_id)
    return Page(
        items=[
            MyEventView(
                event=EventView.of(e, caller), seat=r.seat.value, waitlist_position=position
            )
            for e, r, position in rows
        ],
        next_cursor=None,
    )


@router.delete(
    "/events/{event_id}/registrations/me",
    dependencies=[MEMBERS],
    status_code=status.HTTP_204_NO_CONTENT,
)
async def unregister(event_id: str, stores: StoresDep, caller: CurrentCaller) -> None:
    await network_events.cancel_registration(stores, caller=caller, event_id=event_id)


@router.post("/events/{event_id}/publish", dependencies=[MEMBERS])
async def publish(event_id: str, stores: StoresDep, caller: CurrentCaller) -> EventView:
    """A draft is published by its organiser, the region's facilitators or an operator."""
    event = await network_events.publish_event(stores, caller=caller, event_id=event_id)
    return EventView.of(event, caller)


@router.post("/events/{event_id}/cancel", dependencies=[MEMBERS])
async def cancel(
    event_id: str, body: Cancellation, stores: StoresDep, caller: CurrentCaller
) -> EventView:
    event = await network_events.cancel_event(
        stores, caller=caller, event_id=event_id, reason=body.reason
    )
    return EventView.of(event, caller)


class MonthOfEventsView(BaseModel):
    month: str = Field(examples=["2026-11"])
    events: int
    places_taken: int
    attended: int


@router.get("/statistics/events", dependencies=[MEMBERS])
async def statistics(
    stores: StoresDep, _: CurrentCaller, months: Annotated[int, Query(ge=1, le=36)] = 12
) -> list[MonthOfEventsView]:
    """Events held per month (by start) with places taken and attendance: aggregates only."""
    held = await network_events.events_held(stores, months=months)
    return [MonthOfEventsView.model_validate(row, from_attributes=True) for row in held]


# Last: `/events/{event_id}` would otherwise swallow `/events/{event_id}.ics`.
@router.get("/events/{event_id}")
async def event(event_id: str, stores: StoresDep, caller: CurrentCaller) -> EventView:
    return EventView.of(
        await network_events.event_for(stores, caller=caller, event_id=event_id), caller
    )
