"""Personal API tokens: a member's credential for the member API from a script or another
system. Like a session, the token holds a random secret and the gateway stores only its hash;
it carries the member's identity, refreshed from membership like a session's, so a role change
or a removal reaches it within the refresh timeout. Unlike a session it has a label, no idle
timeout, and an expiry the member chose. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.gateway.domain import sessions
from services.gateway.domain.sessions import Session
from shared.errors import Invalid

PREFIX = "knet_"
LIFETIMES = (30, 90, 365)  # days a member may choose
MAX_PER_MEMBER = 10
# What a token may do, chosen when it is made: read (always), write (change anything), and
# administer regional node keys (also to read them). A token never does more than its member
# may do now: its roles are the member's, refreshed as a session's.
SCOPES = {
    "read": "Read",
    "write": "Change things (register, post, edit)",
    "nodes": "Administer regional node keys",
}
# Tokens made before scopes existed did what a session does, but never node keys.
FORMER_SCOPES = frozenset({"read", "write"})
NODE_KEYS = re.compile(r"^/v1/regions/[^/]+/node-keys(/|$)")


@dataclass(frozen=True)
class ApiToken:
    label: str
    expires_at: datetime
    identity: Session  # who it acts as; its id_hash is the token's
    last_used_at: datetime | None = None
    scopes: frozenset[str] = FORMER_SCOPES

    @property
    def id_hash(self) -> str:
        return self.identity.id_hash

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def used(self, now: datetime, identity: Session) -> ApiToken:
        return replace(self, identity=identity, last_used_at=now)


def is_token(credential: str) -> bool:
    return credential.startswith(PREFIX)


def scope_for(method: str, path: str) -> str:
    """The scope a member API request needs (`path` a service's /v1 path)."""
    if NODE_KEYS.match(path):
        return "nodes"
    return "read" if method in ("GET", "HEAD", "OPTIONS") else "write"


def issue(
    session: Session,
    *,
    label: str,
    days: int,
    now: datetime,
    scopes: frozenset[str] = frozenset({"read"}),
) -> tuple[str, ApiToken]:
    """A new token for the session's member: the secret (shown once) and what is stored."""
    if unknown := scopes - SCOPES.keys():
        raise Invalid("invalid_scope", f"Unknown scopes: {', '.join(sorted(unknown))}")
    label = label.strip()
    if not 1 <= len(label) <= 100:
        raise Invalid("label_required", "Name the token (1 to 100 characters): what uses it")
    if days not in LIFETIMES:
        raise Invalid("invalid_lifetime", f"Choose {', '.join(map(str, LIFETIMES))} days")
    secret = PREFIX + sessions.new_secret()
    identity = sessions.start(
        secret,
        member_id=session.member_id,
        name=session.name,
        region=session.region,
        roles=session.roles,
        status=session.status,
        now=now,
    )
    return secret, ApiToken(label, now + timedelta(days=days), identity, scopes=scopes | {"read"})
