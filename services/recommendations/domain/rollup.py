"""A plan's roll-up: what the plans contributing to it (and theirs, a level further down) add
up to, as a KM lead shows a board. Computed from the plans themselves, so it is never out of
step with them: no counter to drift when children change at the same moment, nothing counted
twice when a fact is redelivered. A regional plan also keeps its own (`Tally`), recomputed
whole whenever one of its plans changes, which the national roll-up reads instead of every
local plan. Pure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

# A milestone "due" is one not yet reached whose date is within this many days.
DUE_WITHIN = timedelta(days=30)
RAGS = ("red", "amber", "green", "unrated")


@dataclass(frozen=True)
class Contribution:
    """What the roll-up reads of one plan below."""

    plan_id: str
    parent_plan_id: str
    scope: str
    scope_id: str
    region: str | None
    status: str
    rag: str | None
    milestones: tuple[tuple[date, bool], ...]  # (target, reached)
    evidence: int  # evidence links reported and case studies attached


@dataclass(frozen=True)
class RollUp:
    plans: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_rag: dict[str, int] = field(default_factory=dict)
    milestones: int = 0
    milestones_reached: int = 0
    milestones_due: int = 0
    milestones_overdue: int = 0
    evidence: int = 0
    children: tuple[Contribution, ...] = ()  # the plans directly below, for the list


@dataclass(frozen=True)
class Tally:
    """What the plans directly below one plan add up to, kept on that plan so that the one
    above it reads one document, not every plan below. Milestones are kept as dates (the
    unreached ones by date) because which are overdue changes with the day, not the plans."""

    plans: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_rag: dict[str, int] = field(default_factory=dict)
    milestones: int = 0
    milestones_reached: int = 0
    unreached: dict[str, int] = field(default_factory=dict)  # ISO date -> how many
    evidence: int = 0


def tally(below: list[Contribution]) -> Tally:
    statuses: Counter[str] = Counter()
    rags: Counter[str] = Counter()
    unreached: Counter[str] = Counter()
    milestones = reached = evidence = 0
    for plan in below:
        statuses[plan.status] += 1
        rags[plan.rag or "unrated"] += 1
        evidence += plan.evidence
        for target, met in plan.milestones:
            milestones += 1
            if met:
                reached += 1
            else:
                unreached[target.isoformat()] += 1
    return Tally(
        len(below), dict(statuses), dict(rags), milestones, reached, dict(unreached), evidence
    )


def combined(tallies: list[Tally]) -> Tally:
    statuses: Counter[str] = Counter()
    rags: Counter[str] = Counter()
    unreached: Counter[str] = Counter()
    for t in tallies:
        statuses.update(t.by_status)
        rags.update(t.by_rag)
        unreached.update(t.unreached)
    return Tally(
        plans=sum(t.plans for t in tallies),
        by_status=dict(statuses),
        by_rag=dict(rags),
        milestones=sum(t.milestones for t in tallies),
        milestones_reached=sum(t.milestones_reached for t in tallies),
        unreached=dict(unreached),
        evidence=sum(t.evidence for t in tallies),
    )


def _roll_up(total: Tally, children: tuple[Contribution, ...], today: date) -> RollUp:
    overdue = due = 0
    for day, n in total.unreached.items():
        target = date.fromisoformat(day)
        if target < today:
            overdue += n
        elif target <= today + DUE_WITHIN:
            due += n
    return RollUp(
        plans=total.plans,
        by_status=total.by_status,
        by_rag={rag: total.by_rag[rag] for rag in RAGS if total.by_rag.get(rag)},
        milestones=total.milestones,
        milestones_reached=total.milestones_reached,
        milestones_due=due,
        milestones_overdue=overdue,
        evidence=total.evidence,
        children=children,
    )


def roll_up(parent_id: str, below: list[Contribution], today: date) -> RollUp:
    """`below`: the plans contributing to `parent_id` and those contributing to them."""
    children = tuple(p for p in below if p.parent_plan_id == parent_id)
    return _roll_up(tally(below), children, today)


def roll_up_kept(
    parent_id: str, children: list[Contribution], kept: dict[str, Tally], today: date
) -> RollUp:
    """A national roll-up: its children (the regional plans) counted themselves, and what
    each keeps of the plans below it."""
    below = [kept[c.plan_id] for c in children if c.plan_id in kept]
    direct = tuple(c for c in children if c.parent_plan_id == parent_id)
    return _roll_up(combined([tally(children), *below]), direct, today)
