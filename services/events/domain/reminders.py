"""Which reminders are due: 24 hours and 1 hour before an event starts, each once per member.
A reminder is due from its window's opening until the next, shorter window opens (someone who
registers 30 minutes before the start gets the 1-hour reminder, not both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.events.domain.network_event import NetworkEvent, Status

WINDOWS: tuple[tuple[str, timedelta], ...] = (
    ("24h", timedelta(hours=24)),
    ("1h", timedelta(hours=1)),
)
LOOKAHEAD = WINDOWS[0][1]


@dataclass(frozen=True)
class DueReminder:
    event: NetworkEvent
    member_id: str
    window: str

    @property
    def key(self) -> str:
        """One reminder per event, member and window, whichever replica sends it."""
        return f"{self.event.id}:{self.member_id}:{self.window}"


def due(event: NetworkEvent, *, now: datetime) -> list[DueReminder]:
    if event.status is not Status.PUBLISHED or now >= event.starts_at:
        return []
    before_start = event.starts_at - now
    found = []
    for i, (name, window) in enumerate(WINDOWS):
        shorter = WINDOWS[i + 1][1] if i + 1 < len(WINDOWS) else timedelta(0)
        if shorter < before_start <= window:
            found += [DueReminder(event, r.member_id, name) for r in event.confirmed]
    return found
