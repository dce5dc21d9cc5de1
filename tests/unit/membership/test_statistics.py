"""The network's size at each month's end, from joins and leaves per region and month."""

from __future__ import annotations

from datetime import UTC, datetime

from services.membership.domain.statistics import Movement, members_over_time
from shared.months import label, month_starts

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def test_months_run_oldest_first_across_a_year_end() -> None:
    assert [label(s) for s in month_starts(NOW, 4)] == ["2025-12", "2026-01", "2026-02", "2026-03"]


def test_members_at_each_months_end_count_joins_before_the_window_and_leaves() -> None:
    movements = [
        Movement("LDN", "2025-06", joined=3),  # before the window: its starting size
        Movement("LDN", "2026-02", joined=2),
        Movement("NW", "2026-01", joined=1),
        Movement("LDN", "2026-03", left=1),
        Movement("NW", "2026-03", left=1),
    ]
    series = members_over_time(movements, now=NOW, months=3)
    assert series == [
        {"month": "2026-01", "total": 4, "by_region": {"LDN": 3, "NW": 1}},
        {"month": "2026-02", "total": 6, "by_region": {"LDN": 5, "NW": 1}},
        {"month": "2026-03", "total": 4, "by_region": {"LDN": 4}},
    ]


def test_an_empty_network_has_a_zero_for_every_month() -> None:
    series = members_over_time([], now=NOW, months=2)
    assert [(row["month"], row["total"]) for row in series] == [("2026-02", 0), ("2026-03", 0)]
