"""Sign-in throttling, pure: how many failed sign-ins an account or an address may have in a
window before it is locked out for the rest of it. The answer for a locked account is the
same whether the account exists or not, so a lockout reveals nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limits:
    per_account: int
    per_address: int
    window: timedelta


def window_start(now: datetime, window: timedelta) -> datetime:
    """The fixed window `now` falls in (counts are kept per window)."""
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def retry_after(now: datetime, window: timedelta) -> int:
    """Seconds until the window ends."""
    end = window_start(now, window) + window
    return max(1, int((end - now).total_seconds()))


def locked(*, account_failures: int, address_failures: int, limits: Limits) -> bool:
    return account_failures >= limits.per_account or address_failures >= limits.per_address


def account_key(email: str) -> str:
    # Normalised so that case and spaces do not give an attacker a fresh allowance.
    return "account:" + email.strip().lower()


def address_key(address: str) -> str:
    return "address:" + address
