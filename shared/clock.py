"""Time and ids come from here so that tests can replace both."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told: for schedulers under test."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment


def new_id() -> str:
    """A 26-hex-character id that sorts by creation time (48-bit ms + 56 random bits).

    Time-ordered ids give stable cursor pagination and index locality without a counter.
    """
    millis = time.time_ns() // 1_000_000
    return f"{millis:012x}{os.urandom(7).hex()}"
