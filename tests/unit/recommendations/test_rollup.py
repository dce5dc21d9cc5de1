"""The roll-up's arithmetic: milestones overdue, due within 30 days or later, kept tallies
added to a national plan's own children, each plan counted once."""

from __future__ import annotations

from datetime import date, timedelta

from services.recommendations.domain.rollup import Contribution, roll_up, roll_up_kept, tally

TODAY = date(2027, 1, 10)


def plan(
    plan_id: str, parent: str, *marks: tuple[int, bool], rag: str | None = None
) -> Contribution:
    return Contribution(
        plan_id=plan_id,
        parent_plan_id=parent,
        scope="organisation",
        scope_id=f"org-{plan_id}",
        region="NW",
        status="active",
        rag=rag,
        milestones=tuple((TODAY + timedelta(days=d), met) for d, met in marks),
        evidence=1,
    )


def test_milestones_are_overdue_due_or_later_by_the_day() -> None:
    below = [
        plan("a", "r", (-1, False), (0, False), (30, False), (31, False), rag="red"),
        plan("b", "r", (-5, True)),
    ]
    found = roll_up("r", below, TODAY)
    assert (found.plans, found.milestones, found.milestones_reached) == (2, 5, 1)
    assert (found.milestones_overdue, found.milestones_due) == (1, 2)
    assert found.by_rag == {"red": 1, "unrated": 1}
    assert found.evidence == 2
    # A day later, with no plan changed, one more is overdue.
    assert roll_up("r", below, TODAY + timedelta(days=1)).milestones_overdue == 2


def test_a_national_roll_up_adds_what_each_region_keeps_once() -> None:
    regional = [plan("r1", "n", (5, False), rag="green"), plan("r2", "n")]
    kept = {
        "r1": tally([plan("l1", "r1", (-2, False), rag="amber"), plan("l2", "r1")]),
        "r2": tally([plan("l3", "r2", rag="red")]),
    }
    found = roll_up_kept("n", regional, kept, TODAY)
    assert found.plans == 5
    assert found.by_rag == {"red": 1, "amber": 1, "green": 1, "unrated": 2}
    assert (found.milestones_overdue, found.milestones_due) == (1, 1)
    assert [c.plan_id for c in found.children] == ["r1", "r2"]
    everything = [*regional, *[plan(i, p) for i, p in (("l1", "r1"), ("l2", "r1"), ("l3", "r2"))]]
    assert roll_up("n", everything, TODAY).plans == found.plans  # the same count either way
