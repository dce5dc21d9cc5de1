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
from pydantic import Field

from services.gateway import mailbox
from services.gateway.clients.http import ServiceRefused
from services.gateway.clients.models import notifications as n
from services.gateway.domain.notices import (
    CATEGORIES,
    DIGESTS,
    channels_offered,
    keeps_node,
)
from services.gateway.domain.sessions import Session
from services.gateway.usecases import notices
from services.gateway.web.forms import FormModel, Posted, posted
from services.gateway.web.pages import (
    ClientsDep,
    Form,
    MemberSession,
    Problems,
    redirect,
    render,
    whole_number,
    with_role,
)
from shared.settings import PlatformSettings

router = APIRouter(include_in_schema=False)

# How often the live count asks again; a browser holds one stream per open page.
STREAM_EVERY = 15.0


class OpenForm(FormModel):
    link: str = "/"


class PreferencesForm(FormModel):
    # One list of ticked channels per category.
    lists = frozenset(CATEGORIES)
    membership: list[str] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)
    plans: list[str] = Field(default_factory=list)
    practice: list[str] = Field(default_factory=list)
    conversations: list[str] = Field(default_factory=list)
    digest: str = "off"
    digest_hour: str = "8"

    def ticked(self) -> dict[str, list[str]]:
        return {c: list(getattr(self, c)) for c in CATEGORIES}


class WebhookForm(FormModel):
    webhook_url: str = ""


@router.get("/notifications")
async def inbox(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    cursor: str | None = None,
    unread: bool = False,
) -> Response:
    found = await notices.inbox(clients, session.caller(), cursor=cursor, unread=unread)
    return render(
        request,
        "notifications.jinja",
        title="Notifications",
        page=found.page,
        unread_only=unread,
        unread=found.unread,
        done=request.query_params.get("done"),
    )


@router.post("/notifications/{notification_id}/open")
async def open_notification(
    notification_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[OpenForm] = posted(OpenForm),
) -> Response:
    """Marks it read and goes where it points (a path on this site only)."""
    link = sent.form.link if sent.form is not None else "/"
    return redirect(await notices.open_one(clients, session.caller(), notification_id, link))


@router.post("/notifications/read")
async def mark_all_read(form: Form, session: MemberSession, clients: ClientsDep) -> Response:
    await notices.read_all(clients, session.caller())
    return redirect("/notifications?done=read")


@router.get("/notifications/unread-stream")
async def unread_stream(
    request: Request, session: MemberSession, clients: ClientsDep
) -> StreamingResponse:
    """Server-sent events: the unread count now, then whenever it changes."""
    caller = session.caller()

    async def events() -> AsyncIterator[bytes]:
        last: int | None = -1
        while not await request.is_disconnected():
            count = await notices.unread_count(clients, caller)
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


def _preference_form(preferences: n.PreferencesView) -> dict[str, Any]:
    return {
        "channels": {c: preferences.channels.get(c, []) for c in CATEGORIES},
        "digest": preferences.digest,
        "digest_hour": str(preferences.digest_hour),
        "email_failing": preferences.email_failing,
        "webhook_url": preferences.webhook_url or "",
        "webhook_failing": preferences.webhook_failing,
    }


@router.get("/notifications/preferences")
async def preferences(request: Request, session: MemberSession, clients: ClientsDep) -> Response:
    found = await notices.preferences(clients, session.caller())
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
        channels=channels_offered(session.roles),
        keeps_node=keeps_node(session.roles),
        digests=DIGESTS,
        hours={str(h): f"{h:02d}:00" for h in range(24)},
        done=done,
        problems=problems,
        secret=secret,
    )


@router.post("/notifications/preferences")
async def change_preferences(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[PreferencesForm] = posted(PreferencesForm),
) -> Response:
    chosen = sent.form or PreferencesForm()
    hour = whole_number(chosen.digest_hour)
    try:
        await notices.choose(
            clients,
            session.caller(),
            ticked=chosen.ticked(),
            digest=chosen.digest,
            digest_hour=-1 if hour is None else hour,
        )
    except ServiceRefused as refused:
        if refused.status_code != 422:
            raise
        problems = Problems()
        problems.refused(refused, ("digest", "digest_hour"), "digest")
        shown = {
            "channels": chosen.ticked(),
            "digest": chosen.digest,
            "digest_hour": hour,
            "email_failing": False,
            "webhook_url": "",
            "webhook_failing": False,
        }
        return _preferences_page(request, session, shown, problems=problems)
    return redirect("/notifications/preferences?done=saved")


@router.post("/notifications/webhook")
async def set_webhook(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[WebhookForm] = posted(WebhookForm),
) -> Response:
    """The node's receiver: the secret is shown once, on the page this answers with."""
    caller = session.caller()
    url = sent.form.webhook_url if sent.form is not None else ""
    try:
        answer = await notices.set_webhook(clients, caller, url)
    except ServiceRefused as refused:
        # Not a node keeper (403), not a web address (422), or not known to notifications
        # yet, just after joining (404): said beside the address.
        if refused.status_code not in (403, 404, 422):
            raise
        problems = Problems()
        problems.refused(refused, ("webhook_url",), "webhook_url", renames={"url": "webhook_url"})
        found = await notices.preferences(clients, caller)
        shown = {**_preference_form(found), "webhook_url": url}
        return _preferences_page(request, session, shown, problems=problems)
    return _preferences_page(
        request,
        session,
        _preference_form(answer.preferences),
        done="webhook",
        secret=answer.secret,
    )


@router.post("/notifications/webhook/remove")
async def remove_webhook(form: Form, session: MemberSession, clients: ClientsDep) -> Response:
    await notices.remove_webhook(clients, session.caller())
    return redirect("/notifications/preferences?done=webhook-removed")


@router.get("/notifications/deliveries")
async def deliveries(
    request: Request, session: MemberSession, clients: ClientsDep, cursor: str | None = None
) -> Response:
    """The delivery log: what was emailed or called, and what is waiting or failed."""
    page = await notices.deliveries(clients, session.caller(), cursor)
    return render(request, "deliveries.jinja", title="Delivery log", page=page)


@router.get("/unsubscribe")
async def unsubscribe_page(request: Request, token: str = "") -> Response:
    return render(request, "unsubscribe.jinja", title="Unsubscribe", token=token, categories=None)


@router.post("/unsubscribe")
async def unsubscribe(request: Request, clients: ClientsDep, token: str = "") -> Response:
    """One click, from the email's link or a mail client (RFC 8058 posts
    `List-Unsubscribe=One-Click` with the token in the address): no CSRF token, since the
    signed token is the credential and the change is only ever "send me less"."""
    form = await request.form()
    token = token or str(form.get("token", ""))
    categories = await notices.unsubscribe(clients, token)
    return render(
        request,
        "unsubscribe.jinja",
        title="Unsubscribed",
        token="",
        categories=" or ".join(categories),
    )


@router.get("/operations/mail")
async def mail(request: Request, session: Session = with_role("operator")) -> Response:
    """In development: what the local mail server received (.data/mail)."""
    settings: PlatformSettings = request.app.state.settings
    folder = settings.data_dir / "mail"
    messages = mailbox.received(folder) if settings.environment != "production" else []
    return render(request, "mail.jinja", title="Mail sent", messages=messages)
