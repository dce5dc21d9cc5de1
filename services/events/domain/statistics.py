"""Events held and their attendance per month: pure arithmetic over completed events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.events.domain.network_event import NetworkEvent
from shared.months import label, month_starts


@dataclass
class MonthOfEvents:
    month: str
    events: int = 0
    places_taken: int = 0
    attended: int = 0


def events_held(
    events: Iterable[NetworkEvent], *, now: datetime, months: int
) -> list[MonthOfEvents]:
    """Per month (by start, UTC): events that took place, places taken, members attended."""
    series = {label(s): MonthOfEvents(label(s)) for s in month_starts(now, months)}
    for event in events:
        row = series.get(label(event.starts_at))
        if row is None:
            continue
        row.events += 1
        row.places_taken += len(event.confirmed)
        row.attended += sum(r.attended for r in event.confirmed)
    return list(series.values())
