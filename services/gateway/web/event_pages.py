"""Events: the national calendar with its filters, an event's page (register, cancel, my seat
or waitlist place, its .ics), my events with the private calendar feed, organising an event,
and the organiser's tools (registrations, attendance)."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from services.gateway.clients.http import ServiceRefused
from services.gateway.clients.models import events as e
from services.gateway.usecases import events
from services.gateway.web.forms import (
    FormModel,
    Posted,
    Tags,
    clock_time,
    day,
    given,
    posted,
    whole_number,
)
from services.gateway.web.pages import (
    ClientsDep,
    Form,
    MemberSession,
    Problems,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)


KINDS = {
    "meetup": "Meetup",
    "webinar": "Webinar",
    "workshop": "Workshop",
    "conference": "Conference",
    "community_call": "Community call",
}
MODES = {"in_person": "In person", "online": "Online", "hybrid": "Hybrid"}
SCOPES = {"local": "Local", "regional": "Regional", "national": "National"}


class EventForm(FormModel):
    """Organising an event: dates and times as people in the UK write them."""

    title: Annotated[str, given("Enter the event's title")]
    summary: str = ""
    description: str = ""
    kind: str = ""
    mode: str = ""
    scope: str = ""
    region: str = ""
    date: Annotated[date, day("Enter the date, like 2027-03-01")]
    start_time: Annotated[time, clock_time("Enter a time, like 14:00")]
    end_time: Annotated[time, clock_time("Enter a time, like 14:00")]
    venue: str = ""
    join_url: str = ""
    tags: Tags = Field(default_factory=list)
    capacity: Annotated[int, whole_number("Enter the number of places, like 30")]
    publish: str = "yes"


class AttendanceForm(FormModel):
    lists = frozenset({"attended"})
    attended: list[str] = Field(default_factory=list)


EVENT_FIELDS = tuple(EventForm.model_fields)
_EVENT_PROBLEM_FIELDS = {"starts_at": "date", "ends_at": "end_time"}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.get("/events")
async def calendar(
    request: Request, session: MemberSession, clients: ClientsDep, cursor: str | None = None
) -> Response:
    q = request.query_params
    filters = {k: q.get(k, "").strip() for k in ("region", "scope", "tag", "from", "to")}
    problems = Problems()
    after, before = _day(filters["from"]), _day(filters["to"])
    for name, when in (("from", after), ("to", before)):
        if filters[name] and when is None:
            problems.add(name, "Enter a real date, like 2027-03-01")
    page = e.PageEventView(items=[])
    if not problems:
        try:
            page = await events.calendar(
                clients,
                session.caller(),
                region=filters["region"],
                scope=filters["scope"],
                tag=filters["tag"],
                after=after,
                before=before,
                cursor=cursor,
            )
        except ServiceRefused as refused:
            if refused.status_code != 422:
                raise
            problems.refused(refused, ("region", "scope", "tag"), "tag")
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "events.jinja",
        title="Events",
        filters=filters,
        page=page,
        query=query,
        scopes=SCOPES,
        problems=problems,
        status=422 if problems else 200,
    )


@router.get("/events/mine")
async def my_events(request: Request, session: MemberSession, clients: ClientsDep) -> Response:
    found = await events.my_events(clients, session.caller())
    return render(
        request,
        "my_events.jinja",
        title="My events",
        mine=found.mine,
        feed=str(request.base_url).rstrip("/") + found.feed_path,
        renewed=request.query_params.get("done") == "renewed",
    )


@router.post("/events/mine/calendar-link")
async def renew_calendar_link(form: Form, session: MemberSession, clients: ClientsDep) -> Response:
    """A new private feed link; the old one stops working (shared by mistake, or a lost
    device)."""
    await events.renew_calendar_link(clients, session.caller())
    return redirect("/events/mine?done=renewed#feed")


@router.get("/events/new")
async def new_event(request: Request, session: MemberSession) -> Response:
    form = {"kind": "meetup", "mode": "online", "scope": "regional", "region": session.region}
    return render(request, "event_form.jinja", title="Organise an event", form=form, **_choices())


def _choices() -> dict[str, Any]:
    return {"kinds": KINDS, "modes": MODES, "scopes": SCOPES}


@router.post("/events/new")
async def organise(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[EventForm] = posted(EventForm),
) -> Response:
    problems = sent.problems
    if sent.form is not None:
        form = sent.form
        organising = events.Organising(
            title=form.title,
            summary=form.summary,
            description=form.description,
            kind=form.kind,
            mode=form.mode,
            scope=form.scope,
            region=form.region or None,
            day=form.date,
            starts=form.start_time,
            ends=form.end_time,
            venue=form.venue or None,
            join_url=form.join_url or None,
            tags=form.tags,
            capacity=form.capacity,
            publish=form.publish == "yes",
        )
        try:
            created = await events.organise(clients, session.caller(), organising)
        except ServiceRefused as refused:
            default = "scope" if refused.status_code == 403 else "title"
            problems.refused(refused, EVENT_FIELDS, default, renames=_EVENT_PROBLEM_FIELDS)
        else:
            return redirect(f"/events/{created.id}?done=created")
    return render(
        request,
        "event_form.jinja",
        title="Organise an event",
        status=422,
        problems=problems,
        form={**sent.typed, "publish": sent.typed.get("publish", "yes")},
        **_choices(),
    )


@router.get("/events/{event_id}")
async def event_page(
    request: Request,
    event_id: str,
    session: MemberSession,
    clients: ClientsDep,
) -> Response:
    found = await events.event_page(clients, session.caller(), event_id)
    return render(
        request,
        "event.jinja",
        title=found.event.title,
        event=found.event,
        conversations=found.conversations,
        mine=found.mine,
        organises=found.organises,
        kinds=KINDS,
        modes=MODES,
        done=request.query_params.get("done"),
    )


@router.post("/events/{event_id}/register")
async def register(
    event_id: str, form: Form, session: MemberSession, clients: ClientsDep
) -> Response:
    await events.register(clients, session.caller(), event_id)
    return redirect(f"/events/{event_id}?done=registered")


@router.post("/events/{event_id}/unregister")
async def unregister(
    event_id: str, form: Form, session: MemberSession, clients: ClientsDep
) -> Response:
    await events.unregister(clients, session.caller(), event_id)
    return redirect(f"/events/{event_id}?done=cancelled")


@router.get("/events/{event_id}/calendar.ics")
async def event_ics(event_id: str, session: MemberSession, clients: ClientsDep) -> Response:
    body = await events.ics(clients, session.caller(), event_id)
    return Response(
        body,
        media_type="text/calendar",
        headers={"content-disposition": f'attachment; filename="event-{event_id}.ics"'},
    )


@router.get("/events/{event_id}/registrations")
async def registrations(
    request: Request,
    event_id: str,
    session: MemberSession,
    clients: ClientsDep,
    cursor: str | None = None,
) -> Response:
    """The organiser's tools: who has a seat, who waits, and who attended."""
    found = await events.registrations(clients, session.caller(), event_id, cursor)
    return render(
        request,
        "event_registrations.jinja",
        title=f"Registrations: {found.event.title}",
        event=found.event,
        page=found.page,
        names=found.names,
        done=request.query_params.get("done"),
    )


@router.post("/events/{event_id}/attendance")
async def attendance(
    event_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[AttendanceForm] = posted(AttendanceForm),
) -> Response:
    attended = sent.form.attended if sent.form is not None else []
    if not await events.record_attendance(clients, session.caller(), event_id, attended):
        return redirect(f"/events/{event_id}/registrations?done=nothing")
    return redirect(f"/events/{event_id}/registrations?done=attendance")
