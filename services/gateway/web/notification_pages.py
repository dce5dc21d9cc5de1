"""Notifications in the site: the inbox (paged, mark read, mark all read), the live unread
count (server-sent events, for the header's badge), preferences (per category and channel,
digest; a regional node's webhook for facilitators and operators), the delivery log, one-click
unsubscribe from an email's link, and for operators in development the mail the network sent
(the local mail server's folder)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from services.gateway.clients.http import ServiceRefused, Services, ServiceUnavailable
from services.gateway.domain.sessions import Session
from services.gateway.web.pages import (
    Form,
    MemberSession,
    Problems,
    ServicesDep,
    form_list,
    redirect,
    render,
    whole_number,
    with_role,
)
from shared.caller import Caller
from shared.infra import mailsink
from shared.settings import PlatformSettings

router = APIRouter(include_in_schema=False)

CATEGORIES = {
    "membership": "Membership: applications, approvals, your roles",
    "events": "Events: new events for you, your places, reminders, cancellations",
    "plans": "Plans: the plans you lead or follow",
    "practice": "Practice: case studies on what you follow or care about",
    "conversations": "Conversations: replies in your threads, mentions, your answers accepted",
}
CHANNELS = {"in_app": "On the site", "email": "By email"}
WEBHOOK_CHANNEL = {"webhook": "To our regional node (webhook)"}
NODE_KEEPERS = ("facilitator", "operator")
DIGESTS = {"off": "Send each email at once", "daily": "One email a day", "weekly": "One a week"}
# How often the live count asks again; a browser holds one stream per open page.
STREAM_EVERY = 15.0


async def unread_count(services: Services, caller: Caller) -> int | None:
    """The member's unread count, or None while notifications is away (pages still show)."""
    try:
        found = await services.get(
            "notifications", "/v1/members/me/notifications/unread", caller=caller
        )
    except (ServiceUnavailable, ServiceRefused):
        return None
    return int(found["unread"])


@router.get("/notifications")
async def inbox(
    request: Request,
    session: MemberSession,
    services: ServicesDep,
    cursor: str | None = None,
    unread: bool = False,
) -> Response:
    caller = session.caller()
    page = await services.get(
        "notifications",
        "/v1/members/me/notifications",
        caller=caller,
        cursor=cursor,
        limit=20,
        unread="true" if unread else None,
    )
    return render(
        request,
        "notifications.jinja",
        title="Notifications",
        page=page,
        unread_only=unread,
        unread=await unread_count(services, caller),
        done=request.query_params.get("done"),
    )


@router.post("/notifications/{notification_id}/open")
async def open_notification(
    notification_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    """Marks it read and goes where it points (a path on this site only)."""
    await services.call(
        "notifications",
        "POST",
        f"/v1/members/me/notifications/{notification_id}/read",
        caller=session.caller(),
    )
    link = form.get("link", "/")
    return redirect(link if link.startswith("/") and not link.startswith("//") else "/")


@router.post("/notifications/read")
async def mark_all_read(form: Form, session: MemberSession, services: ServicesDep) -> Response:
    await services.call(
        "notifications", "POST", "/v1/members/me/notifications/read", caller=session.caller()
    )
    return redirect("/notifications?done=read")


@router.get("/notifications/unread-stream")
async def unread_stream(
    request: Request, session: MemberSession, services: ServicesDep
) -> StreamingResponse:
    """Server-sent events: the unread count now, then whenever it changes."""
    caller = session.caller()

    async def events() -> AsyncIterator[bytes]:
        last: int | None = -1
        while not await request.is_disconnected():
            count = await unread_count(services, caller)
            if count != last:
                last = count
                yield f"event: unread\ndata: {json.dumps({'unread': count})}\n\n".encode()
            else:
                yield b": still here\n\n"  # keeps proxies from closing an idle stream
            await asyncio.sleep(STREAM_EVERY)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


def _preference_form(preferences: dict[str, Any]) -> dict[str, Any]:
    return {
        "channels": {c: preferences["channels"].get(c, []) for c in CATEGORIES},
        "digest": preferences["digest"],
        "digest_hour": str(preferences["digest_hour"]),
        "email_failing": preferences["email_failing"],
        "webhook_url": preferences["webhook_url"] or "",
        "webhook_failing": preferences["webhook_failing"],
    }


def _channels(session: Session) -> dict[str, str]:
    """Webhooks are for regional nodes: offered to those who keep one."""
    keeps_node = any(role in session.roles for role in NODE_KEEPERS)
    return {**CHANNELS, **WEBHOOK_CHANNEL} if keeps_node else CHANNELS


@router.get("/notifications/preferences")
async def preferences(request: Request, session: MemberSession, services: ServicesDep) -> Response:
    found = await services.get(
        "notifications", "/v1/members/me/preferences", caller=session.caller()
    )
    return _preferences_page(
        request, session, _preference_form(found), done=request.query_params.get("done")
    )


def _preferences_page(
    request: Request,
    session: Session,
    form: dict[str, Any],
    *,
    done: str | None = None,
    problems: Problems | None = None,
    secret: str | None = None,
) -> Response:
    return render(
        request,
        "notification_preferences.jinja",
        title="Notification preferences",
        status=422 if problems else 200,
        form=form,
        categories=CATEGORIES,
        channels=_channels(session),
        keeps_node=any(role in session.roles for role in NODE_KEEPERS),
        digests=DIGESTS,
        hours={str(h): f"{h:02d}:00" for h in range(24)},
        done=done,
        problems=problems,
        secret=secret,
    )


@router.post("/notifications/preferences")
async def change_preferences(
    request: Request, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    offered = _channels(session)
    channels = {c: [ch for ch in form_list(request, c) if ch in offered] for c in CATEGORIES}
    hour = whole_number(form.get("digest_hour", "8"))
    body = {
        "channels": channels,
        "digest": form.get("digest", "off"),
        "digest_hour": -1 if hour is None else hour,
    }
    try:
        await services.call(
            "notifications",
            "PUT",
            "/v1/members/me/preferences",
            caller=session.caller(),
            json=body,
        )
    except ServiceRefused as refused:
        if refused.status_code != 422:
            raise
        problems = Problems()
        problems.refused(refused, ("digest", "digest_hour"), "digest")
        shown = {
            "channels": channels,
            "digest": body["digest"],
            "digest_hour": hour,
            "email_failing": False,
            "webhook_url": "",
            "webhook_failing": False,
        }
        return _preferences_page(request, session, shown, problems=problems)
    return redirect("/notifications/preferences?done=saved")


@router.post("/notifications/webhook")
async def set_webhook(
    request: Request, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    """The node's receiver: the secret is shown once, on the page this answers with."""
    caller = session.caller()
    url = form.get("webhook_url", "").strip()
    try:
        answer = await services.call(
            "notifications", "PUT", "/v1/members/me/webhook", caller=caller, json={"url": url}
        )
    except ServiceRefused as refused:
        # Not a node keeper (403), not a web address (422), or not known to notifications
        # yet, just after joining (404): said beside the address.
        if refused.status_code not in (403, 404, 422):
            raise
        problems = Problems()
        problems.refused(refused, ("webhook_url",), "webhook_url", renames={"url": "webhook_url"})
        found = await services.get("notifications", "/v1/members/me/preferences", caller=caller)
        shown = {**_preference_form(found), "webhook_url": url}
        return _preferences_page(request, session, shown, problems=problems)
    found = await services.get("notifications", "/v1/members/me/preferences", caller=caller)
    return _preferences_page(
        request, session, _preference_form(found), done="webhook", secret=answer["secret"]
    )


@router.post("/notifications/webhook/remove")
async def remove_webhook(form: Form, session: MemberSession, services: ServicesDep) -> Response:
    await services.call(
        "notifications", "DELETE", "/v1/members/me/webhook", caller=session.caller()
    )
    return redirect("/notifications/preferences?done=webhook-removed")


@router.get("/notifications/deliveries")
async def deliveries(
    request: Request, session: MemberSession, services: ServicesDep, cursor: str | None = None
) -> Response:
    """The delivery log: what was emailed or called, and what is waiting or failed."""
    page = await services.get(
        "notifications",
        "/v1/members/me/deliveries",
        caller=session.caller(),
        cursor=cursor,
        limit=25,
    )
    return render(request, "deliveries.jinja", title="Delivery log", page=page)


@router.get("/unsubscribe")
async def unsubscribe_page(request: Request, token: str = "") -> Response:
    return render(request, "unsubscribe.jinja", title="Unsubscribe", token=token, categories=None)


@router.post("/unsubscribe")
async def unsubscribe(request: Request, services: ServicesDep, token: str = "") -> Response:
    """One click, from the email's link or a mail client (RFC 8058 posts
    `List-Unsubscribe=One-Click` with the token in the address): no CSRF token, since the
    signed token is the credential and the change is only ever "send me less"."""
    form = await request.form()
    token = token or str(form.get("token", ""))
    answer = await services.call(
        "notifications", "POST", "/v1/unsubscribe", caller=None, json={"token": token}
    )
    return render(
        request,
        "unsubscribe.jinja",
        title="Unsubscribed",
        token="",
        categories=" or ".join(answer["categories"]),
    )


@router.get("/operations/mail")
async def mail(request: Request, session: Session = with_role("operator")) -> Response:
    """In development: what the local mail server received (.data/mail)."""
    settings: PlatformSettings = request.app.state.settings
    messages = mailsink.received() if settings.environment != "production" else []
    return render(request, "mail.jinja", title="Mail sent", messages=messages)
