"""How fast a member may post. New members (approved less than a week ago) are held to a
few posts at a time, the way mature forums keep spam out while a newcomer earns trust;
everyone has a ceiling against floods (a script with a stolen session). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.errors import TooMany

NEW_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Limit:
    posts: int
    per: timedelta


NEW_MEMBER = (Limit(3, timedelta(minutes=10)), Limit(20, timedelta(days=1)))
EVERYONE = (Limit(30, timedelta(minutes=10)),)
LOOKBACK = timedelta(days=1)  # the longest window above: how far back posts are counted


def check_rate(approved_at: datetime | None, recent: list[datetime], now: datetime) -> None:
    """`recent`: the member's posts in the last LOOKBACK. TooMany, with when to try again,
    when one more would break a limit."""
    new = approved_at is None or now - approved_at < NEW_FOR
    for limit in NEW_MEMBER if new else EVERYONE:
        inside = sorted(t for t in recent if now - t < limit.per)
        if len(inside) >= limit.posts:
            wait = inside[len(inside) - limit.posts] + limit.per - now
            who = "New members" if new else "Members"
            raise TooMany(
                "slow_down",
                f"{who} may post {limit.posts} times in {_span(limit.per)}: "
                f"try again in {_span(wait)}",
                retry_after=max(1, int(wait.total_seconds()) + 1),
            )


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 86400:
        return f"{seconds // 86400} day{'s' if seconds >= 172800 else ''}"
    if seconds >= 60:
        minutes = (seconds + 59) // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{max(seconds, 1)} seconds"
