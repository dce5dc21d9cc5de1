"""VTIMEZONE definitions written with yearly RRULEs, as calendar servers write them.

icalendar's own definitions list every change of offset as RDATE values, several on one line.
Some readers take only the first value of each line: ical.js (Thunderbird's library) then put
every London event an hour early. A yearly rule ("the last Sunday of March at 01:00") is read
the same way by every reader. The rules are found from the zone's own changes in the years
the calendar covers, so any IANA zone is described as tzdata has it, including rules that
changed part way through (each run of years with the same rule is one observance, ending
with UNTIL where another rule follows)."""

from __future__ import annotations

import calendar as months
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import groupby
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Change:
    """One change of offset: the instant, the wall-clock time just before it, the offsets."""

    at: datetime  # UTC
    local: datetime  # naive, in the offset before the change (RFC 5545's DTSTART)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    @property
    def rule(self) -> tuple[object, ...]:
        """What two years' changes share to be one yearly rule (besides the week, `weeks`)."""
        return (
            self.daylight,
            self.offset_from,
            self.offset_to,
            self.name,
            self.local.month,
            self.local.weekday(),
            self.local.time(),
        )

    @property
    def weeks(self) -> frozenset[int]:
        """Which of the month's weekdays it falls on, as RRULE counts them: the 4th Sunday of
        a month may also be its last (-1), so both are true of it."""
        day = self.local.day
        found = {(day - 1) // 7 + 1}
        if day + 7 > months.monthrange(self.local.year, self.local.month)[1]:
            found.add(-1)
        return frozenset(found)


@lru_cache(maxsize=256)
def changes(zone: ZoneInfo, first_year: int, last_year: int) -> tuple[Change, ...]:
    """Every change of offset from the start of `first_year` to the end of `last_year`,
    found day by day and then to the second (kept: every feed of a year asks again)."""
    found = []
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(days=1)
    moment = start
    while moment < end:
        following = moment + step
        if _offset(zone, moment) != _offset(zone, following):
            found.append(_change(zone, moment, following))
        moment = following
    return tuple(found)


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _change(zone: ZoneInfo, before: datetime, after: datetime) -> Change:
    was = _offset(zone, before)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if _offset(zone, middle) == was:
            before = middle
        else:
            after = middle
    at = after.replace(microsecond=0)
    now = at.astimezone(zone)
    return Change(
        at=at,
        local=(at + was).replace(tzinfo=None),
        offset_from=was,
        offset_to=now.utcoffset() or timedelta(0),
        name=now.tzname() or zone.key,
        daylight=bool(now.dst()),
    )


def vtimezone(key: str, first_year: int, last_year: int) -> Timezone:
    """The zone as it was and will be from its first change in `first_year` to `last_year`
    and on: one observance per run of consecutive years that change by the same rule. Ask
    from the year before the first time it will be read at."""
    zone = ZoneInfo(key)
    timezone = Timezone()
    timezone.add("tzid", key)
    found = changes(zone, first_year, last_year)
    if not found:
        # No changes in these years (UTC, Asia/Tokyo): one standard observance.
        moment = datetime(first_year, 1, 1, tzinfo=UTC)
        offset = _offset(zone, moment)
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", moment.astimezone(zone).tzname() or key)
        timezone.add_component(standard)
        return timezone
    runs = _runs(found)
    for index, run in enumerate(runs):
        kind = run.changes[0].daylight
        followed = any(other.changes[0].daylight == kind for other in runs[index + 1 :])
        # A rule still in force changes in the last year; one that stopped (Brazil gave up
        # daylight time in 2019) ends at its last change rather than going on for ever.
        stopped = run.changes[-1].at.year < last_year
        timezone.add_component(_observance(run, ends=followed or stopped))
    return timezone


@dataclass
class _Run:
    changes: list[Change]
    weeks: frozenset[int]

    def takes(self, change: Change) -> bool:
        last = self.changes[-1]
        return (
            change.rule == last.rule
            and change.at.year == last.at.year + 1
            and bool(self.weeks & change.weeks)
        )


def _runs(found: tuple[Change, ...]) -> list[_Run]:
    """Changes of one kind grouped into runs of consecutive years with the same rule."""
    runs: list[_Run] = []
    by_kind = sorted(found, key=lambda change: (change.daylight, change.at))
    for _, kind in groupby(by_kind, key=lambda change: change.daylight):
        run: _Run | None = None
        for change in kind:
            if run is not None and run.takes(change):
                run.changes.append(change)
                run.weeks &= change.weeks
            else:
                run = _Run([change], change.weeks)
                runs.append(run)
    return sorted(runs, key=lambda run: run.changes[0].at)


def _observance(run: _Run, *, ends: bool) -> TimezoneStandard | TimezoneDaylight:
    first = run.changes[0]
    observance = TimezoneDaylight() if first.daylight else TimezoneStandard()
    observance.add("dtstart", first.local)
    observance.add("tzoffsetfrom", first.offset_from)
    observance.add("tzoffsetto", first.offset_to)
    observance.add("tzname", first.name)
    if len(run.changes) > 1 or not ends:
        # The last weekday of the month where that is true, as zones' rules are mostly written.
        week = -1 if -1 in run.weeks else min(run.weeks)
        rule: dict[str, object] = {
            "freq": "YEARLY",
            "bymonth": first.local.month,
            "byday": f"{week}{DAYS[first.local.weekday()]}",
        }
        if ends:
            # UNTIL is UTC, DTSTART wall-clock time; some readers (dateutil) compare the two as
            # they are written. The later of the two keeps the last change for both kinds.
            last = run.changes[-1]
            rule["until"] = max(last.at, last.local.replace(tzinfo=UTC))
        observance.add("rrule", rule)
    return observance
