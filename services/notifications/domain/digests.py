"""Digests: non-urgent email gathered into one message at the member's hour, UK time (daily,
or weekly on Mondays). An item is held in the digest of the next such moment after it
arrived, so a digest is closed once its moment has passed and no item joins it late. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.notifications.domain.messages import Category, Message
from services.notifications.domain.preferences import Preferences

UK = ZoneInfo("Europe/London")
MONDAY = 0


def next_digest_at(preferences: Preferences, now: datetime) -> datetime:
    """The first moment after `now` at the member's hour (UK time, so 08:00 stays 08:00 across
    the clock change), on a Monday for a weekly digest; in UTC."""
    local = now.astimezone(UK)
    moment = local.replace(hour=preferences.digest_hour, minute=0, second=0, microsecond=0)
    while moment <= local or (preferences.digest == "weekly" and moment.weekday() != MONDAY):
        # Calendar days in local time, then the hour again: a day is not always 24 hours.
        moment = (moment + timedelta(days=1)).replace(hour=preferences.digest_hour)
    return moment.astimezone(UTC)


def digest_id(member_id: str, due_at: datetime) -> str:
    return f"digest:{due_at.astimezone(UTC):%Y%m%dT%H%M}|{member_id}"


@dataclass(frozen=True)
class Digest:
    id: str
    member_id: str
    due_at: datetime
    items: tuple[Message, ...]


def cover(digest: Digest, mode: str) -> Message:
    """The digest email's own subject and words; the items follow in the email."""
    count = len(digest.items)
    period = "this week" if mode == "weekly" else "today"
    regions = {item.region for item in digest.items}
    return Message(
        kind="digest",
        category=digest.items[0].category if digest.items else Category.MEMBERSHIP,
        subject=f"KM Network: {count} update{'s' if count != 1 else ''} for you {period}",
        text=f"Here is what happened in the network that concerns you ({count}).",
        link="/notifications",
        # One region when every item is about it; several regions are no one region.
        region=regions.pop() if len(regions) == 1 else None,
    )
