"""The adoption view: for each recommendation and region, plans by status and by latest RAG
rating, with a national roll-up of every plan of that recommendation (national-scope plans
appear only in the roll-up, having no region)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

UNRATED = "unrated"


@dataclass(frozen=True)
class PlanSummary:
    """`count` plans alike in what the view shows."""

    code: str
    region: str | None
    status: str
    rag: str | None
    count: int = 1


@dataclass
class Tally:
    plans: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_rag: Counter[str] = field(default_factory=Counter)

    def add(self, plan: PlanSummary) -> None:
        self.plans += plan.count
        self.by_status[plan.status] += plan.count
        self.by_rag[plan.rag or UNRATED] += plan.count


@dataclass
class Adoption:
    code: str
    national: Tally = field(default_factory=Tally)
    regions: dict[str, Tally] = field(default_factory=dict)


def adoption(plans: Iterable[PlanSummary], codes: Sequence[str]) -> list[Adoption]:
    """One row per code in `codes` (in that order), plus any code only plans still name."""
    rows = {code: Adoption(code) for code in codes}
    for plan in plans:
        row = rows.setdefault(plan.code, Adoption(plan.code))
        row.national.add(plan)
        if plan.region is not None:
            row.regions.setdefault(plan.region, Tally()).add(plan)
    for row in rows.values():
        row.regions = dict(sorted(row.regions.items()))
    return list(rows.values())
