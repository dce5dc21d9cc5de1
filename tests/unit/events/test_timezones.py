"""VTIMEZONE with yearly rules: read back (icalendar expands the RRULEs with dateutil), every
zone gives the offsets tzdata gives, hour by hour across the years the calendar covers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Timezone

from services.events.domain.timezones import vtimezone

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",  # the southern summer: daylight time across the new year
    "Asia/Jerusalem",  # the Friday before the last Sunday: the week of the month moves
    "America/Sao_Paulo",  # daylight time abolished in 2019: the rule ends
    "Asia/Tokyo",  # no changes at all
]


def read_back(key: str, first: int, last: int) -> tzinfo:
    text = vtimezone(key, first, last).to_ical()
    parsed = Calendar.from_ical(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + text + b"END:VCALENDAR\r\n")
    (zone,) = parsed.walk("VTIMEZONE")
    assert isinstance(zone, Timezone)
    # Not looked up by its TZID: the definition as written is what is tested.
    found: tzinfo = zone.to_tz(lookup_tzid=False)
    return found


@pytest.mark.parametrize("key", ZONES)
@pytest.mark.parametrize("years", [(2025, 2028), (2016, 2021)])
def test_read_back_the_zone_keeps_every_offset(key: str, years: tuple[int, int]) -> None:
    first, last = years
    written = read_back(key, first, last)
    # From the year after the first: the calendar asks from the year before its first event.
    moment = datetime(first + 1, 1, 1, tzinfo=UTC)
    while moment.year <= last:
        assert (
            moment.astimezone(written).utcoffset() == moment.astimezone(ZoneInfo(key)).utcoffset()
        ), (
            key,
            moment,
        )
        moment += timedelta(hours=7)


@pytest.mark.parametrize("key", ["Europe/London", "America/New_York", "Australia/Sydney"])
def test_a_rule_of_the_nth_or_last_weekday_holds_beyond_the_years_asked(key: str) -> None:
    written = read_back(key, 2025, 2027)
    moment = datetime(2028, 1, 1, tzinfo=UTC)
    while moment.year < 2040:
        assert (
            moment.astimezone(written).utcoffset() == moment.astimezone(ZoneInfo(key)).utcoffset()
        )
        moment += timedelta(hours=7)


def test_london_is_two_yearly_rules_as_calendar_servers_write_it() -> None:
    text = vtimezone("Europe/London", 2025, 2027).to_ical().decode()
    assert "RDATE" not in text
    assert text.count("RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3") == 1
    assert text.count("RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10") == 1
    assert "DTSTART:20250330T010000" in text  # 01:00 GMT, the clocks go forward
    assert "DTSTART:20251026T020000" in text  # 02:00 BST, the clocks go back


def test_a_rule_that_stopped_ends_at_its_last_change() -> None:
    text = vtimezone("America/Sao_Paulo", 2016, 2021).to_ical().decode()
    assert "RRULE:FREQ=YEARLY;UNTIL=20190217" in text  # daylight time's last end
    assert "RRULE:FREQ=YEARLY;UNTIL=20181104" not in text  # its last start: one onset
    assert "BYMONTH=11" not in text
