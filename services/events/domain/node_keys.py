"""Regional nodes' API keys: each key is scoped to one region, shown once when issued, and
stored only as a hash.

A key is `knet_node_<key id>_<secret>`: the id finds the record, the secret proves possession.
The secret is 32 random bytes, so a fast hash (SHA-256) is enough; a password hash such as
argon2 would only slow every node request down without adding strength.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.caller import governs
from shared.reference import region_codes

PREFIX = "knet_node_"
_KEY = re.compile(r"^knet_node_([0-9a-z]{8,40})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NodeKey:
    id: str
    region: str
    label: str
    secret_hash: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def issue(
    *, key_id: str, region: str, label: str, created_by: str, now: datetime
) -> tuple[NodeKey, str]:
    """The stored record and the key to hand to the node (never stored, never shown again)."""
    secret = secrets.token_urlsafe(32)
    key = NodeKey(
        id=key_id,
        region=region,
        label=label,
        secret_hash=_hash(secret),
        created_at=now,
        created_by=created_by,
    )
    return key, f"{PREFIX}{key_id}_{secret}"


@dataclass(frozen=True)
class Standing:
    """Where a key's issuer stands now, as membership's facts said: their region and roles
    (none once they left), and when they last lost authority over a region."""

    member_id: str
    region: str | None
    roles: frozenset[str]
    lost_at: datetime | None = None


def lost_authority(before: Standing | None, after: Standing) -> bool:
    """Whether `after` governs less than `before` did (a role removed, a move, a departure)."""
    if before is None:
        return False
    return any(governs(before, r) and not governs(after, r) for r in region_codes())


def stops(key: NodeKey, issuer: Standing | None, *, grace: timedelta) -> bool:
    """Whether a key stops because of where its issuer stands: they no longer govern its
    region, and it was issued before they lost that authority, or so soon after (within
    `grace`, how old a session's roles may be) that it may have been issued on roles the
    gateway had not read again yet. A key issued later than that was issued on roles read
    after the loss: authority regained, and a fact saying so still on its way."""
    if issuer is None or issuer.lost_at is None or governs(issuer, key.region):
        return False
    return key.created_at <= issuer.lost_at + grace


def parse(presented: str) -> tuple[str, str] | None:
    """(key id, secret) from a presented key, or None if it is not shaped like one."""
    match = _KEY.match(presented.strip())
    return (match.group(1), match.group(2)) if match else None


def proves(key: NodeKey, secret: str) -> bool:
    return key.active and hmac.compare_digest(key.secret_hash, _hash(secret))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
