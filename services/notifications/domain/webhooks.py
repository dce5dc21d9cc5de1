"""Webhooks for regional nodes: what is posted, and how it is signed. The signature is
HMAC-SHA256 over `timestamp.body` with the webhook's secret, sent as
`KNet-Signature: t=<unix seconds>,v1=<hex>`; a receiver recomputes it, compares in constant
time and refuses old timestamps, so a captured call cannot be replayed later. Pure."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from services.notifications.domain.messages import Message
from shared.errors import Invalid

SIGNATURE_HEADER = "KNet-Signature"
# Who keeps a regional node's webhook: it is theirs while they hold one of these roles, and
# stops (removed, and never called) when the role goes.
KEEPERS = frozenset({"facilitator", "operator"})


def may_keep(roles: frozenset[str], status: str) -> bool:
    return status == "active" and bool(roles & KEEPERS)


TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


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


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, payload: bytes, now: int) -> bool:
    """What a receiver does (and the tests' receiver): the signature matches, and is fresh."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (ValueError, KeyError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, payload), header)
