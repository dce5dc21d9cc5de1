from datetime import timedelta

import pytest

from services.events.domain.network_event import Status
from services.events.domain.reminders import due
from tests.unit.events.test_registrations import NOW, event


@pytest.mark.parametrize(
    ("before_start", "windows"),
    [
        (timedelta(hours=30), []),
        (timedelta(hours=24), ["24h"]),
        (timedelta(hours=2), ["24h"]),
        (timedelta(hours=1), ["1h"]),
        (timedelta(minutes=5), ["1h"]),
        (timedelta(0), []),
        (-timedelta(minutes=5), []),
    ],
)
def test_which_window_is_due(before_start: timedelta, windows: list[str]) -> None:
    e = event(capacity=1)
    e.register(member_id="seated", now=NOW)
    e.register(member_id="waiting", now=NOW)
    found = due(e, now=e.starts_at - before_start)
    assert [r.window for r in found] == windows
    assert all(r.member_id == "seated" for r in found), "the waitlist isn't reminded"


def test_cancelled_events_remind_nobody() -> None:
    e = event()
    e.register(member_id="a", now=NOW)
    e.status = Status.CANCELLED
    assert due(e, now=e.starts_at - timedelta(minutes=30)) == []


def test_keys_are_per_event_member_and_window() -> None:
    e = event()
    e.register(member_id="a", now=NOW)
    (reminder,) = due(e, now=e.starts_at - timedelta(minutes=30))
    assert reminder.key == "e1:a:1h"
