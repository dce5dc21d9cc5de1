"""Calendar months for series over time (UTC): the window's month starts and their labels."""

from __future__ import annotations

from datetime import UTC, datetime

MAX_MONTHS = 36


def month_starts(now: datetime, months: int) -> list[datetime]:
    """The first instant of each of the last `months` months, oldest first (this month last)."""
    year, month = now.year, now.month
    starts = []
    for _ in range(months):
        starts.append(datetime(year, month, 1, tzinfo=UTC))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def label(moment: datetime) -> str:
    """ "2026-11": the month a moment falls in, in UTC."""
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment.month:02d}"
