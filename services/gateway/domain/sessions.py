"""A signed-in person's session, held by the gateway: pure rules, no I/O.

The browser holds only a random secret; the gateway stores its SHA-256, so a copy of the
store gives no one a way in. Roles come from membership at sign-in and are refreshed while
the session lasts (never from the browser)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from shared.caller import Caller

ACTIVE = "active"
PENDING = "pending"


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta
    # How old the roles may be before they are read again from membership.
    refresh: timedelta


@dataclass(frozen=True)
class Session:
    id_hash: str
    member_id: str
    name: str
    region: str | None
    roles: frozenset[str]
    # "active" (a member) or "pending" (an applicant who may see only their application).
    status: str
    created_at: datetime
    seen_at: datetime
    refreshed_at: datetime
    # The secret a form's CSRF token is derived from; new with every session.
    csrf_secret: str

    @property
    def is_member(self) -> bool:
        return self.status == ACTIVE and "member" in self.roles

    def caller(self) -> Caller:
        """Who the services are told the caller is. A pending applicant carries no roles."""
        roles = self.roles if self.status == ACTIVE else frozenset()
        return Caller(member_id=self.member_id, region=self.region, roles=roles)

    def expired(self, now: datetime, timeouts: Timeouts) -> bool:
        return now - self.seen_at > timeouts.idle or now - self.created_at > timeouts.absolute

    def stale(self, now: datetime, timeouts: Timeouts) -> bool:
        return now - self.refreshed_at >= timeouts.refresh

    def seen(self, now: datetime) -> Session:
        return replace(self, seen_at=now)

    def refreshed(
        self, *, now: datetime, name: str, region: str | None, roles: frozenset[str], status: str
    ) -> Session:
        return replace(self, name=name, region=region, roles=roles, status=status, refreshed_at=now)

    def csrf_token(self) -> str:
        return hmac.new(self.csrf_secret.encode(), b"csrf", hashlib.sha256).hexdigest()

    def csrf_ok(self, token: str) -> bool:
        return hmac.compare_digest(self.csrf_token().encode(), token.encode())


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start(
    secret: str,
    *,
    member_id: str,
    name: str,
    region: str | None,
    roles: frozenset[str],
    status: str,
    now: datetime,
) -> Session:
    return Session(
        id_hash=hash_secret(secret),
        member_id=member_id,
        name=name,
        region=region,
        roles=roles,
        status=status,
        created_at=now,
        seen_at=now,
        refreshed_at=now,
        csrf_secret=new_secret(),
    )
