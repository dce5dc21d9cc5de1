"""Emails: rendered from Jinja2 templates (autoescaped: member-supplied text is data), with
one-click unsubscribe (a signed link, List-Unsubscribe and List-Unsubscribe-Post). A digest
lists its messages, and its link stops email of every category in it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.notifications.domain.messages import Category
from services.notifications.domain.notifications import Delivery
from services.notifications.stores import Email, Stores
from shared.errors import Invalid

AUDIENCE = "knet-unsubscribe"
templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html.jinja"], default_for_string=False, default=False),
    auto_reload=False,
)


# An unsubscribe link works for a year (old email is still read, and must still be able to
# stop more coming), then expires.
UNSUBSCRIBE_LIFETIME = timedelta(days=365)


def unsubscribe_token(
    secret: str, member_id: str, categories: tuple[Category, ...], now: datetime
) -> str:
    claims = {
        "sub": member_id,
        "cats": [c.value for c in categories],
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + UNSUBSCRIBE_LIFETIME).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def read_unsubscribe_token(
    secret: str, token: str, now: datetime
) -> tuple[str, tuple[Category, ...], int]:
    """The member, the categories and when the link was made (unix seconds). Its times are
    checked against the service's clock (`now`), as everything else here is."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub"], "verify_exp": False, "verify_iat": False},
        )
        categories = tuple(Category(c) for c in claims["cats"])
        if not categories:
            raise ValueError("no category")
        expires, issued = int(claims["exp"]), int(claims["iat"])
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as error:
        raise Invalid("bad_unsubscribe_token", "This unsubscribe link is not valid") from error
    if now.timestamp() >= expires:
        raise Invalid(
            "unsubscribe_link_expired",
            "This link has expired: change what you get on your preferences page",
        )
    return str(claims["sub"]), categories, issued


def render(stores: Stores, delivery: Delivery) -> Email:
    message = delivery.message
    token = unsubscribe_token(
        stores.unsubscribe_secret, delivery.member_id, delivery.categories, stores.clock.now()
    )
    # About the account itself (a password changed, a reset link): nothing to unsubscribe from.
    unsubscribe_url = None if message.account else f"{stores.site_url}/unsubscribe?token={token}"
    context: dict[str, Any] = {
        "name": delivery.name,
        "message": message,
        "digest": delivery.digest,
        "categories": " and ".join(c.value for c in delivery.categories),
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
            **(
                {
                    "List-Unsubscribe": f"<{unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                }
                if unsubscribe_url
                else {}
            ),
            "X-KNet-Notification": delivery.notification_id,
        },
    )
