"""Webhooks for regional nodes: what is posted, how it is signed, and where it may go. Pure.

Calls follow the Standard Webhooks specification (standardwebhooks.com), so any stock
verifier accepts them: `webhook-id` (the delivery's id, the same on a retry: receivers dedupe
on it), `webhook-timestamp` (unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of
"id.timestamp.body">` under the `whsec_` secret). A receiver recomputes it, compares in
constant time and refuses old timestamps, so a captured call cannot be replayed later.

A receiver must be a public address: the platform's own services, the cloud's metadata
endpoint and anything on a private network are refused when the webhook is set and again
when it is called (its name may point elsewhere by then)."""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
from datetime import UTC, datetime
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

from services.notifications.domain.messages import Message
from shared.errors import Invalid

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Who keeps a regional node's webhook: it is theirs while they hold one of these roles, and
# stops (removed, and never called) when the role goes.
KEEPERS = frozenset({"facilitator", "operator"})


def may_keep(roles: frozenset[str], status: str) -> bool:
    return status == "active" and bool(roles & KEEPERS)


def new_secret() -> str:
    """A `whsec_` secret as Standard Webhooks has them: 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def why_not_public(address: IpAddress) -> str | None:
    """Why a receiver at `address` is refused (None: it is a public address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for reason, test in (
        ("a loopback address", address.is_loopback),
        ("an unspecified address", address.is_unspecified),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a reserved address", address.is_reserved),
        ("a private address", address.is_private),
    ):
        if test:
            return reason
    return None if address.is_global else "not a public address"


def checked_url(url: str, *, allow_http: bool) -> str:
    """An absolute https address (http too in development, for a receiver on this machine)."""
    schemes = {"https", "http"} if allow_http else {"https"}
    try:
        parts = urlsplit(url)
        fine = parts.scheme in schemes and parts.hostname and not parts.username
        fine = fine and not parts.password and parts.port != 0
    except ValueError:  # not a URL at all: a bracketed host that is no IPv6 address, a bad port
        fine = False
    if not fine:
        raise Invalid(
            "invalid_webhook_url",
            "The webhook's address must be an absolute https:// address without credentials",
        )
    return url


def body(
    *, delivery_id: str, member_id: str, message: Message, site_url: str, at: datetime
) -> bytes:
    """The JSON posted: stable keys, the notification's words and an absolute link."""
    document = {
        "id": delivery_id,
        "type": f"notification.{message.kind}",
        "member_id": member_id,
        "category": message.category.value,
        "urgent": message.urgent,
        "subject": message.subject,
        "text": message.text,
        "link": site_url + message.link,
        "created_at": at.isoformat(),
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def signed_headers(secret: str, delivery_id: str, at: datetime, payload: bytes) -> dict[str, str]:
    """The Standard Webhooks headers for one call (signed when sent: a retry carries a fresh
    timestamp, and the same id)."""
    timestamp = at.astimezone(UTC)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery_id, timestamp, payload.decode()),
    }
