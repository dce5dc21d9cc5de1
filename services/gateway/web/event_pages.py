"""Events: the national calendar with its filters, an event's page (register, cancel, my seat
or waitlist place, its .ics), my events with the private calendar feed, organising an event,
and the organiser's tools (registrations, attendance)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients.http import ServiceRefused
from services.gateway.web import conversation_pages
from services.gateway.web.pages import (
    UK_TIME,
    Form,
    MemberSession,
    Problems,
    ServicesDep,
    form_list,
    member_names,
    redirect,
    render,
    whole_number,
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
EVENT_FIELDS = (
    "title",
    "summary",
    "description",
    "kind",
    "mode",
    "scope",
    "region",
    "date",
    "start_time",
    "end_time",
    "venue",
    "join_url",
    "tags",
    "capacity",
)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.get("/events")
async def calendar(
    request: Request, session: MemberSession, services: ServicesDep, cursor: str | None = None
) -> Response:
    q = request.query_params
    filters = {k: q.get(k, "").strip() for k in ("region", "scope", "tag", "from", "to")}
    problems = Problems()
    after, before = _day(filters["from"]), _day(filters["to"])
    for name, day in (("from", after), ("to", before)):
        if filters[name] and day is None:
            problems.add(name, "Enter a real date, like 2027-03-01")
    page: dict[str, Any] = {"items": [], "next_cursor": None}
    if not problems:
        try:
            page = await services.get(
                "events",
                "/v1/events",
                caller=session.caller(),
                region=filters["region"],
                scope=filters["scope"],
                tag=filters["tag"],
                starts_after=after and datetime.combine(after, time(), UK_TIME).isoformat(),
                starts_before=before and datetime.combine(before, time.max, UK_TIME).isoformat(),
                cursor=cursor,
                limit=20,
            )
        except ServiceRefused as refused:
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
async def my_events(request: Request, session: MemberSession, services: ServicesDep) -> Response:
    caller = session.caller()
    mine = await services.get("events", f"/v1/members/{session.member_id}/events", caller=caller)
    link = await services.get(
        "events", f"/v1/members/{session.member_id}/calendar-link", caller=caller
    )
    feed = str(request.base_url).rstrip("/") + "/api" + link["path"]
    return render(
        request,
        "my_events.jinja",
        title="My events",
        mine=mine["items"],
        feed=feed,
        renewed=request.query_params.get("done") == "renewed",
    )


@router.post("/events/mine/calendar-link")
async def renew_calendar_link(
    form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    """A new private feed link; the old one stops working (shared by mistake, or a lost
    device)."""
    await services.call(
        "events",
        "POST",
        f"/v1/members/{session.member_id}/calendar-link",
        caller=session.caller(),
    )
    return redirect("/events/mine?done=renewed#feed")


@router.get("/events/new")
async def new_event(request: Request, session: MemberSession) -> Response:
    form = {"kind": "meetup", "mode": "online", "scope": "regional", "region": session.region}
    return render(request, "event_form.jinja", title="Organise an event", form=form, **_choices())


def _choices() -> dict[str, Any]:
    return {"kinds": KINDS, "modes": MODES, "scopes": SCOPES}


def _event_body(form: dict[str, str], problems: Problems) -> dict[str, Any]:
    """The events service's EventIn from the form's fields (dates and times in UK time)."""
    day = _day(form.get("date", ""))
    if day is None:
        problems.add("date", "Enter the date, like 2027-03-01")
    starts = ends = None
    for name in ("start_time", "end_time"):
        try:
            at = time.fromisoformat(form.get(name, ""))
        except ValueError:
            problems.add(name, "Enter a time, like 14:00")
            continue
        if day is not None:
            moment = datetime.combine(day, at, UK_TIME)
            starts, ends = (moment, ends) if name == "start_time" else (starts, moment)
    capacity = whole_number(form.get("capacity"))
    if capacity is None:
        problems.add("capacity", "Enter the number of places, like 30")
    if not form.get("title", "").strip():
        problems.add("title", "Enter the event's title")
    return {
        "title": form.get("title", "").strip(),
        "summary": form.get("summary", "").strip(),
        "description": form.get("description", "").strip(),
        "kind": form.get("kind"),
        "mode": form.get("mode"),
        "scope": form.get("scope"),
        "region": None if form.get("scope") == "national" else (form.get("region") or None),
        "starts_at": starts.isoformat() if starts else None,
        "ends_at": ends.isoformat() if ends else None,
        "venue": form.get("venue", "").strip() or None,
        "join_url": form.get("join_url", "").strip() or None,
        "tags": [t.strip() for t in form.get("tags", "").split(",") if t.strip()],
        "capacity": capacity,
        "publish": form.get("publish", "yes") == "yes",
    }


_EVENT_PROBLEM_FIELDS = {"starts_at": "date", "ends_at": "end_time"}


@router.post("/events/new")
async def organise(
    request: Request, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    problems = Problems()
    body = _event_body(form, problems)
    if not problems:
        try:
            created = await services.call(
                "events", "POST", "/v1/events", caller=session.caller(), json=body
            )
        except ServiceRefused as refused:
            default = "scope" if refused.status_code == 403 else "title"
            problems.refused(refused, EVENT_FIELDS, default, renames=_EVENT_PROBLEM_FIELDS)
        else:
            return redirect(f"/events/{created['id']}?done=created")
    return render(
        request,
        "event_form.jinja",
        title="Organise an event",
        status=422,
        problems=problems,
        form={**form, "publish": form.get("publish", "yes")},
        **_choices(),
    )


@router.get("/events/{event_id}")
async def event_page(
    request: Request, event_id: str, session: MemberSession, services: ServicesDep
) -> Response:
    caller = session.caller()
    event = await services.call("events", "GET", f"/v1/events/{event_id}", caller=caller)
    try:
        mine = await services.call(
            "events", "GET", f"/v1/events/{event_id}/registrations/me", caller=caller
        )
    except ServiceRefused as refused:
        if refused.code != "not_registered":
            raise
        mine = None
    organises = event["organiser_member_id"] == session.member_id or caller.governs(event["region"])
    talk = await conversation_pages.panel(services, caller, "event", event_id)
    return render(
        request,
        "event.jinja",
        title=event["title"],
        event=event,
        conversations=talk,
        mine=mine,
        organises=organises,
        kinds=KINDS,
        modes=MODES,
        done=request.query_params.get("done"),
    )


@router.post("/events/{event_id}/register")
async def register(
    event_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    await services.call(
        "events", "POST", f"/v1/events/{event_id}/registrations", caller=session.caller()
    )
    return redirect(f"/events/{event_id}?done=registered")


@router.post("/events/{event_id}/unregister")
async def unregister(
    event_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    await services.call(
        "events", "DELETE", f"/v1/events/{event_id}/registrations/me", caller=session.caller()
    )
    return redirect(f"/events/{event_id}?done=cancelled")


@router.get("/events/{event_id}/calendar.ics")
async def event_ics(event_id: str, session: MemberSession, services: ServicesDep) -> Response:
    body = await services.call(
        "events", "GET", f"/v1/events/{event_id}.ics", caller=session.caller()
    )
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
    services: ServicesDep,
    cursor: str | None = None,
) -> Response:
    """The organiser's tools: who has a seat, who waits, and who attended."""
    caller = session.caller()
    event = await services.call("events", "GET", f"/v1/events/{event_id}", caller=caller)
    page = await services.get(
        "events", f"/v1/events/{event_id}/registrations", caller=caller, cursor=cursor, limit=100
    )
    names = await member_names(services, caller, [r["member_id"] for r in page["items"]])
    return render(
        request,
        "event_registrations.jinja",
        title=f"Registrations: {event['title']}",
        event=event,
        page=page,
        names=names,
        done=request.query_params.get("done"),
    )


@router.post("/events/{event_id}/attendance")
async def attendance(
    request: Request, event_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    attended = form_list(request, "attended")
    if not attended:
        return redirect(f"/events/{event_id}/registrations?done=nothing")
    await services.call(
        "events",
        "POST",
        f"/v1/events/{event_id}/attendance",
        caller=session.caller(),
        json={"member_ids": attended},
    )
    return redirect(f"/events/{event_id}/registrations?done=attendance")
