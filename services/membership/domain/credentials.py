"""A member's credentials over time: a password changed with the current one, or reset by an
emailed link. Pure.

A reset link carries a single-use token: 32 random bytes, kept only as its SHA-256 (a copy of
the database gives no one a way in), good for 30 minutes and for one use; asking again
replaces it. The member's `credentials_changed_at` tells the gateway which sessions and API
tokens predate the change."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.errors import Invalid

RESET_LIFETIME = timedelta(minutes=30)
# A member told that someone applied with their address is told at most once a day.
APPLIED_AGAIN_NOTICE = timedelta(days=1)


@dataclass(frozen=True)
class PasswordReset:
    token_hash: str
    expires_at: datetime


def new_reset(now: datetime) -> tuple[PasswordReset, str]:
    """The reset to keep and the token for the link (never kept, never shown again)."""
    token = secrets.token_urlsafe(32)
    return PasswordReset(token_hash(token), now + RESET_LIFETIME), token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_reset(reset: PasswordReset | None, token: str, now: datetime) -> None:
    if reset is None or not hmac.compare_digest(reset.token_hash, token_hash(token)):
        raise Invalid("reset_link_invalid", "This reset link is not valid or was used already")
    if now >= reset.expires_at:
        raise Invalid("reset_link_expired", "This reset link has expired: ask for a new one")
