"""Signing in and out, and the session behind every request: who the caller is, with roles
read from membership at sign-in and again whenever they are older than the refresh timeout,
so a role change or a removal takes effect within it without signing in again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.gateway.clients import Clients
from services.gateway.clients.http import ServiceRefused, ServiceUnavailable
from services.gateway.clients.models import membership as m
from services.gateway.domain import sessions, throttle
from services.gateway.domain.sessions import ACTIVE, PENDING, Session
from services.gateway.stores import Stores
from shared.caller import Caller
from shared.errors import DomainError, Unauthorized
from shared.logs import security_event

SEEN_PRECISION = timedelta(minutes=1)


class TooManyAttempts(DomainError):
    status_code = 429

    def __init__(self, retry_after: int, what: str = "failed sign-ins") -> None:
        if retry_after >= 120:
            wait = f"{retry_after // 60} minutes"
        else:
            wait = f"{retry_after} second" + ("" if retry_after == 1 else "s")
        super().__init__(
            "too_many_attempts",
            f"Too many {what}. Wait {wait} and try again.",
            retry_after=retry_after,
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignedIn:
    secret: str  # for the cookie; never stored
    session: Session


async def sign_in(
    stores: Stores,
    clients: Clients,
    *,
    email: str,
    password: str,
    address: str,
    previous: str | None = None,
) -> SignedIn:
    """A new session for the member; `previous`, the secret of a session this browser held,
    ends (signing in again never leaves the old session valid)."""
    now = stores.clock.now()
    window = throttle.window_start(now, stores.limits.window)
    pair = throttle.pair_key(email, address)
    keys = (pair, throttle.address_key(address), throttle.account_key(email))
    pair_failures, address_failures, account_failures = [
        await stores.failures.get(k, window) for k in keys
    ]
    wait = throttle.wait(
        pair=pair_failures,
        address=address_failures,
        account=account_failures,
        now=now,
        limits=stores.limits,
    )
    if wait:
        security_event(
            "sign_in_throttled",
            alarm=True,
            account=throttle.pseudonym(email),
            client=address,
            retry_after=wait,
        )
        raise TooManyAttempts(wait)
    try:
        identity = await clients.membership.sign_in(email, password)
    except ServiceRefused as refused:
        if refused.status_code in (401, 422):
            for key in keys:
                await stores.failures.add(key, window, now)
            security_event(
                "sign_in_failed", alarm=True, account=throttle.pseudonym(email), client=address
            )
            raise Unauthorized("invalid_credentials", "Email or password is not right") from None
        raise
    await stores.failures.clear(pair, window)
    security_event("signed_in", member_id=identity.member_id, client=address)
    if previous:
        await stores.sessions.remove(sessions.hash_secret(previous))
    return await start_session(stores, identity)


async def start_session(stores: Stores, identity: m.Identity) -> SignedIn:
    """A new session for membership's identity of the member (a sign-in's answer)."""
    return await _start(
        stores,
        member_id=identity.member_id,
        name=identity.name,
        region=identity.region,
        roles=frozenset(identity.roles),
        status=identity.status,
    )


async def _start(
    stores: Stores,
    *,
    member_id: str,
    name: str,
    region: str | None,
    roles: frozenset[str],
    status: str,
) -> SignedIn:
    secret = sessions.new_secret()
    session = sessions.start(
        secret,
        member_id=member_id,
        name=name,
        region=region,
        roles=roles,
        status=status,
        now=stores.clock.now(),
    )
    await stores.sessions.add(session)
    return SignedIn(secret, session)


async def current(stores: Stores, clients: Clients, secret: str | None) -> Session | None:
    """The session a cookie names, if it is still valid; its roles refreshed when stale."""
    if not secret:
        return None
    session = await stores.sessions.get(sessions.hash_secret(secret))
    now = stores.clock.now()
    if session is None:
        return None
    if session.expired(now, stores.timeouts):
        await stores.sessions.remove(session.id_hash)
        return None
    changed = False
    if session.stale(now, stores.timeouts):
        refreshed = await refresh_identity(clients, session, now)
        if refreshed is None:
            await stores.sessions.remove(session.id_hash)
            return None
        session, changed = refreshed, True
    # The idle timeout needs the last visit to the minute, not a store write per page.
    if changed or now - session.seen_at >= SEEN_PRECISION:
        session = session.seen(now)
        await stores.sessions.save(session)
    return session


async def refresh_identity(clients: Clients, session: Session, now: datetime) -> Session | None:
    """The member as membership knows them now; None when they may no longer have a session.
    While membership is unreachable the session keeps what it had (and tries next request)."""
    self_only = Caller(member_id=session.member_id, region=session.region)
    try:
        member = await clients.membership.member(self_only, session.member_id)
    except ServiceRefused:
        return None
    except ServiceUnavailable:
        return session
    if member.status not in (ACTIVE, PENDING):
        return None
    return session.refreshed(
        now=now,
        name=member.name,
        region=member.region,
        roles=frozenset(member.roles),
        status=member.status,
    )


async def sign_out(stores: Stores, session: Session) -> None:
    await stores.sessions.remove(session.id_hash)


async def sign_out_everywhere(stores: Stores, session: Session) -> int:
    """Every session of the member ends, and every personal API token is revoked: whoever
    holds a copy of either is out."""
    security_event("signed_out_everywhere", member_id=session.member_id)
    await stores.tokens.remove_member(session.member_id)
    return await stores.sessions.remove_member(session.member_id)


async def credentials_changed(
    stores: Stores, member_id: str, *, keep: Session | None = None
) -> SignedIn | None:
    """After a password change or reset: every session of the member and every API token
    ends. `keep`, the session that made the change, goes on under a new secret (the old
    one may be what was stolen)."""
    await stores.tokens.remove_member(member_id)
    await stores.sessions.remove_member(member_id)
    if keep is None:
        return None
    return await _start(
        stores,
        member_id=keep.member_id,
        name=keep.name,
        region=keep.region,
        roles=keep.roles,
        status=keep.status,
    )


async def forget_expired(stores: Stores) -> int:
    """Removes sessions past their absolute timeout and old failure counts (a loop runs it)."""
    now = stores.clock.now()
    removed = await stores.sessions.remove_older_than(now - stores.timeouts.absolute)
    await stores.failures.remove_before(throttle.window_start(now, stores.limits.window))
    return removed
