"""Sign-in throttling, pure. It slows whoever guesses without shutting out the owner:

- **One client guessing one account** (the account and the client's address together) has a
  few tries free, then waits before each next try: 1 s, 2 s, 4 s... doubling to 15 minutes.
  Someone who knows a member's address and guesses from their own machine delays only
  themselves; the member signs in from theirs as ever. A right password clears the pair.
- **One client guessing many accounts** is stopped for the rest of the window after 50
  failures (its address alone).
- **Many clients guessing one account** (a distributed attack) are stopped for the rest of
  the window after 100 failures across all addresses: NIST SP 800-63B's ceiling. Only this
  can delay the owner, and only under an attack no single client could mount.

The account is keyed on the address as membership compares it (`shared.emails`), so another
spelling of the same mailbox is the same account; the client's address is the connection's
(forwarded headers only from configured proxies). The answer is the same whether the
account exists or not, so the throttle reveals nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.emails import normalise_email
from shared.errors import Invalid


@dataclass(frozen=True)
class Limits:
    window: timedelta
    free_tries: int = 5
    max_delay: timedelta = timedelta(minutes=15)
    per_address: int = 50
    per_account: int = 100


@dataclass(frozen=True)
class Failures:
    """A key's failures in the current window, and when the last one was."""

    count: int = 0
    last_at: datetime | None = None


def window_start(now: datetime, window: timedelta) -> datetime:
    """The fixed window `now` falls in (counts are kept per window)."""
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def wait_for_window(now: datetime, limits: Limits) -> int:
    """Seconds to the end of the window `now` is in."""
    end = window_start(now, limits.window) + limits.window
    return max(1, int((end - now).total_seconds() + 0.999))


def delay_after(failures: int, limits: Limits) -> timedelta:
    """How long the pair waits after its `failures`th failure."""
    beyond = failures - limits.free_tries
    if beyond < 0:
        return timedelta(0)
    # Capped before raising 2 to it: a long attack must not grow the number without bound.
    return min(timedelta(seconds=2 ** min(beyond, 20)), limits.max_delay)


def wait(
    *, pair: Failures, address: Failures, account: Failures, now: datetime, limits: Limits
) -> int:
    """Seconds before the next try may be made; 0 when it may be made now."""
    end_of_window = window_start(now, limits.window) + limits.window
    waits = [timedelta(0)]
    if pair.last_at is not None:
        waits.append(pair.last_at + delay_after(pair.count, limits) - now)
    if address.count >= limits.per_address or account.count >= limits.per_account:
        waits.append(end_of_window - now)
    longest = max(waits).total_seconds()
    return max(1, int(longest + 0.999)) if longest > 0 else 0


def account_key(email: str) -> str:
    try:
        return "account:" + normalise_email(email)
    except Invalid:
        # No account has such an address; keyed all the same, so the answer is the same.
        return "account:" + email.strip().lower()


def pseudonym(email: str) -> str:
    """The account as logs name it: the same for every spelling of the mailbox, and not the
    address itself (an auditor correlates attempts without the log holding who tried)."""
    return hashlib.sha256(account_key(email).encode()).hexdigest()[:16]


def address_key(address: str) -> str:
    return "address:" + address


def pair_key(email: str, address: str) -> str:
    return f"pair:{address}|{account_key(email)}"
