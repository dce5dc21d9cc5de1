"""Emails: rendered from Jinja2 templates (autoescaped: member-supplied text is data), with
one-click unsubscribe (a signed link, List-Unsubscribe and List-Unsubscribe-Post), sent through
the mailer. A delivery is recorded before it is tried and marked after; a refused address
marks the member's email failing and stops; a server that is down is tried again later with
backoff, so nothing is lost while it is away."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import jwt
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.notifications.domain.messages import Category
from services.notifications.domain.notifications import MAX_EMAIL_ATTEMPTS, EmailDelivery, backoff
from services.notifications.facts import DeliveryFailed, NotificationDelivered
from services.notifications.stores import Email, Refused, Stores
from shared.errors import Invalid

AUDIENCE = "knet-unsubscribe"
templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html.jinja"], default_for_string=False, default=False),
    auto_reload=False,
)


def unsubscribe_token(secret: str, member_id: str, category: Category) -> str:
    return jwt.encode(
        {"sub": member_id, "cat": category.value, "aud": AUDIENCE}, secret, algorithm="HS256"
    )


def read_unsubscribe_token(secret: str, token: str) -> tuple[str, Category]:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE)
        return str(claims["sub"]), Category(claims["cat"])
    except (jwt.PyJWTError, KeyError, ValueError) as error:
        raise Invalid("bad_unsubscribe_token", "This unsubscribe link is not valid") from error


def render(stores: Stores, delivery: EmailDelivery) -> Email:
    message = delivery.message
    token = unsubscribe_token(stores.unsubscribe_secret, delivery.member_id, message.category)
    unsubscribe_url = f"{stores.site_url}/unsubscribe?token={token}"
    context: dict[str, Any] = {
        "name": delivery.name,
        "message": message,
        "site_url": stores.site_url,
        "unsubscribe_url": unsubscribe_url,
    }
    return Email(
        to=delivery.to,
        subject=message.subject,
        text=templates.get_template("email.txt.jinja").render(context),
        html=templates.get_template("email.html.jinja").render(context),
        headers={
            # RFC 8058: mail clients offer a one-click unsubscribe that POSTs to the link.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-KNet-Notification": delivery.notification_id,
        },
    )


async def send(stores: Stores, delivery: EmailDelivery) -> str:
    """Tries one delivery: "sent", "failed" (refused for good) or "postponed"."""
    now = stores.clock.now()
    try:
        await stores.mailer.send(render(stores, delivery))
    except Refused as refused:
        await stores.emails.failed(
            delivery.id,
            str(refused),
            DeliveryFailed(
                notification_id=delivery.notification_id,
                member_id=delivery.member_id,
                channel="email",
                reason=str(refused)[:500],
            ),
        )
        member = await stores.directory.get(delivery.member_id)
        if member is not None and not member.preferences.email_failing:
            failing = replace(member.preferences, email_failing=True)
            await stores.directory.set_preferences(delivery.member_id, failing)
        return "failed"
    except Exception as error:  # the server is down or timed out: try again later
        attempts = delivery.attempts + 1
        if attempts >= MAX_EMAIL_ATTEMPTS:
            await stores.emails.failed(
                delivery.id,
                repr(error),
                DeliveryFailed(
                    notification_id=delivery.notification_id,
                    member_id=delivery.member_id,
                    channel="email",
                    reason=f"gave up after {attempts} attempts: {error!r}"[:500],
                ),
            )
            return "failed"
        await stores.emails.postpone(
            delivery.id,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            error=repr(error),
        )
        return "postponed"
    await stores.emails.sent(
        delivery.id,
        now,
        NotificationDelivered(
            notification_id=delivery.notification_id,
            member_id=delivery.member_id,
            channel="email",
            kind=delivery.message.kind,
            category=delivery.message.category.value,
            source_id=delivery.notification_id.split("|")[0],
        ),
    )
    return "sent"


async def send_due(stores: Stores, limit: int = 200) -> int:
    """A round of the retry loop: every pending email whose time has come."""
    sent = 0
    for delivery in await stores.emails.due(stores.clock.now(), limit):
        if await send(stores, delivery) == "sent":
            sent += 1
    return sent
