"""The network's size over time, from each approved member's joining and leaving: pure
arithmetic over month boundaries (UTC), no I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shared.months import label, month_starts


@dataclass(frozen=True)
class Movement:
    """How many members of a region joined (+) or left (-) in a month ("2026-11")."""

    region: str
    month: str
    joined: int = 0
    left: int = 0


def members_over_time(
    movements: Iterable[Movement], *, now: datetime, months: int
) -> list[dict[str, object]]:
    """Members per region at the end of each month (this month: now), from the movements of
    every month ever: those before the window set its starting size."""
    labels = [label(start) for start in month_starts(now, months)]
    first = labels[0]
    size: Counter[str] = Counter()
    by_month: dict[str, list[Movement]] = {}
    for movement in movements:
        if movement.month < first:
            size[movement.region] += movement.joined - movement.left
        else:
            by_month.setdefault(movement.month, []).append(movement)
    series: list[dict[str, object]] = []
    for month in labels:
        for movement in by_month.get(month, []):
            size[movement.region] += movement.joined - movement.left
        regions = {region: n for region, n in sorted(size.items()) if n}
        series.append({"month": month, "total": sum(regions.values()), "by_region": regions})
    return series
