"""A member's password: changed with the current one, or reset by a link emailed through
notifications. Either ends every other session and revokes every API token. Asking for a
link answers the same whether or not the address has an account, takes as long either way
(the email goes in the background) and is throttled per address and per client."""

from __future__ import annotations

import asyncio

from services.gateway.clients import Clients
from services.gateway.clients.models import membership as m
from services.gateway.domain import throttle
from services.gateway.domain.sessions import Session
from services.gateway.stores import Stores
from services.gateway.usecases.sessions import SignedIn, TooManyAttempts, credentials_changed
from shared.logs import log, security_event

# Links asked for in a window: per address (a member who lost two emails asks a third time),
# and per client (one client cannot make the network email the world).
RESETS_PER_ACCOUNT = 3
RESETS_PER_CLIENT = 20
_sending: set[asyncio.Task[None]] = set()


async def change(
    stores: Stores, clients: Clients, session: Session, *, current: str, new: str
) -> SignedIn:
    await clients.membership.change_password(
        session.caller(), session.member_id, current=current, new=new
    )
    security_event("password_changed", member_id=session.member_id)
    signed_in = await credentials_changed(stores, session.member_id, keep=session)
    assert signed_in is not None  # kept: the session that made the change goes on
    return signed_in


async def send_reset_link(stores: Stores, clients: Clients, *, email: str, address: str) -> None:
    now = stores.clock.now()
    window = throttle.window_start(now, stores.limits.window)
    keys = {
        "reset:" + throttle.account_key(email): RESETS_PER_ACCOUNT,
        "reset:" + throttle.address_key(address): RESETS_PER_CLIENT,
    }
    security_event("password_reset_asked", account=throttle.pseudonym(email), client=address)
    for key, limit in keys.items():
        if (await stores.failures.get(key, window)).count >= limit:
            wait = throttle.wait_for_window(now, stores.limits)
            raise TooManyAttempts(wait, "requests for a reset link")
    for key in keys:
        await stores.failures.add(key, window, now)
    answer = await clients.membership.ask_reset(email)
    if reset := answer.reset:
        task = asyncio.create_task(_email(clients, reset))
        _sending.add(task)
        task.add_done_callback(_sending.discard)


async def _email(clients: Clients, reset: m.ResetIssued) -> None:
    try:
        answer = await clients.notifications.reset_email(
            reset.member_id,
            email=reset.email,
            name=reset.name,
            link=f"/password/reset?token={reset.token}",
            expires_at=reset.expires_at,
        )
    except Exception as failed:  # the visitor was answered already; the operators hear
        log.warning("reset link not sent", member=reset.member_id, error=repr(failed))
        return
    if not answer.sent:
        log.warning("reset link not sent: the mail server refused it", member=reset.member_id)


async def reset(stores: Stores, clients: Clients, *, token: str, new: str) -> None:
    answer = await clients.membership.complete_reset(token, new)
    security_event("password_reset", member_id=answer.member_id)
    await credentials_changed(stores, answer.member_id)
