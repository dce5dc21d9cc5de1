from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.events.domain.details import EventDetails, Kind, Mode, Scope, check, problems
from shared.errors import Invalid

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GOOD = EventDetails(
    title="Peer assist clinic",
    summary="Bring a problem",
    description="",
    kind=Kind.WORKSHOP,
    mode=Mode.HYBRID,
    scope=Scope.REGIONAL,
    region="LDN",
    starts_at=NOW + timedelta(days=3),
    ends_at=NOW + timedelta(days=3, hours=2),
    venue="Skipton House",
    join_url="https://meet.example/x",
    tags=("R4", "peer assist"),
)


def test_good_details_pass_in_their_stored_form() -> None:
    odd = replace(GOOD, starts_at=GOOD.starts_at.replace(microsecond=123456))
    assert check(odd, now=NOW) == GOOD


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"ends_at": NOW + timedelta(days=2)}, "ends_at: must be after starts_at"),
        (
            {"starts_at": NOW - timedelta(hours=1), "ends_at": NOW + timedelta(hours=1)},
            "starts_at: must be in the future",
        ),
        ({"region": "ATLANTIS"}, "region: a regional event needs a known region"),
        ({"venue": None}, "venue: an hybrid event needs a venue"),
        (
            {"join_url": "http://insecure"},
            "join_url: an online or hybrid event needs an https:// link",
        ),
        ({"timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not an IANA time zone"),
        ({"title": "x"}, "title: 3 to 200 characters"),
        ({"ends_at": NOW + timedelta(days=30)}, "ends_at: an event lasts at most 14 days"),
    ],
)
def test_each_rule(change: dict[str, object], problem: str) -> None:
    assert problems(replace(GOOD, **change), now=NOW) == [problem]  # type: ignore[arg-type]


def test_all_problems_are_reported_together() -> None:
    bad = replace(GOOD, title="", region=None, join_url=None)
    with pytest.raises(Invalid) as error:
        check(bad, now=NOW)
    assert error.value.code == "invalid_event"
    assert len(error.value.details["problems"]) == 3


def test_national_events_need_no_region() -> None:
    assert problems(replace(GOOD, scope=Scope.NATIONAL, region=None), now=NOW) == []
