"""What a visitor who is not signed in may do how often: applying to join, asking for a
password reset and every other change made without a session or a token count per client,
so one client cannot flood the facilitators' inboxes or the mail server (each application
emails a region's facilitators)."""

from __future__ import annotations

from services.gateway.domain import throttle
from services.gateway.stores import Stores
from services.gateway.usecases.sessions import TooManyAttempts

ANONYMOUS_CHANGES_PER_CLIENT = 20


async def count_anonymous_change(stores: Stores, *, address: str) -> None:
    """Counts one change by a client without a session; TooManyAttempts past the limit."""
    now = stores.clock.now()
    window = throttle.window_start(now, stores.limits.window)
    key = "anonymous:" + throttle.address_key(address)
    if (await stores.failures.get(key, window)).count >= ANONYMOUS_CHANGES_PER_CLIENT:
        wait = throttle.wait_for_window(now, stores.limits)
        raise TooManyAttempts(wait, "changes from this connection without signing in")
    await stores.failures.add(key, window, now)
