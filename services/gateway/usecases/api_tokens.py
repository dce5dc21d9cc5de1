"""Personal API tokens: issued by a member from their session (shown once), listed, revoked,
and resolved to the member on each API request, with roles refreshed as a session's are."""

from __future__ import annotations

from datetime import timedelta

from services.gateway.clients import Clients
from services.gateway.domain import api_tokens, sessions
from services.gateway.domain.api_tokens import MAX_PER_MEMBER, ApiToken
from services.gateway.domain.sessions import Session
from services.gateway.stores import Stores
from services.gateway.usecases.sessions import refresh_identity
from shared.errors import Conflict, Forbidden, NotFound
from shared.logs import security_event

MINUTE = timedelta(minutes=1)


async def issue(
    stores: Stores,
    session: Session,
    *,
    label: str,
    days: int,
    scopes: frozenset[str] = frozenset({"read"}),
) -> str:
    """The new token's secret: the only time anyone sees it."""
    if not session.is_member:
        raise Forbidden("not_a_member", "Only members have API tokens")
    if len(await stores.tokens.of_member(session.member_id)) >= MAX_PER_MEMBER:
        raise Conflict("too_many_tokens", f"At most {MAX_PER_MEMBER}: revoke one you no longer use")
    secret, token = api_tokens.issue(
        session, label=label, days=days, now=stores.clock.now(), scopes=scopes
    )
    await stores.tokens.add(token)
    security_event(
        "token_created", member_id=session.member_id, label=token.label, scopes=sorted(scopes)
    )
    return secret


async def of_member(stores: Stores, session: Session) -> list[ApiToken]:
    return await stores.tokens.of_member(session.member_id)


async def revoke(stores: Stores, session: Session, id_hash: str) -> None:
    if not await stores.tokens.remove(session.member_id, id_hash):
        raise NotFound("no_such_token", "You have no such token")
    security_event("token_revoked", member_id=session.member_id)


async def current(stores: Stores, clients: Clients, secret: str) -> ApiToken | None:
    """The token a bearer secret is, acting as its member now, if it is valid; None otherwise
    (and a dead one is removed)."""
    token = await stores.tokens.get(sessions.hash_secret(secret))
    now = stores.clock.now()
    if token is None:
        return None
    if token.expired(now):
        await stores.tokens.remove(token.identity.member_id, token.id_hash)
        return None
    identity = token.identity
    if identity.stale(now, stores.timeouts):
        refreshed = await refresh_identity(clients, identity, now)
        if refreshed is None:
            await stores.tokens.remove_member(identity.member_id)
            return None
        identity = refreshed
    if not identity.is_member:
        return None
    # Last use to the minute: a write per request would cost more than it tells.
    if (
        token.last_used_at is None
        or now - token.last_used_at >= MINUTE
        or identity != token.identity
    ):
        token = token.used(now, identity)
        await stores.tokens.save(token)
    return token
