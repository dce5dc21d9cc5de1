"""In-memory stores with the same protocols and behaviour as repository/, for use-case tests
in milliseconds; tests/integration/stores/test_recommendations_stores.py runs one suite
against both. Aggregates are kept as documents, as the real store keeps them."""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from services.recommendations.domain.adoption import PlanSummary
from services.recommendations.domain.case_study import CaseStudy
from services.recommendations.domain.catalogue import Recommendation
from services.recommendations.domain.plan import Plan
from services.recommendations.domain.queries import CaseStudySearch, PlanListing
from services.recommendations.domain.rollup import Contribution, Tally
from services.recommendations.facts import FollowStarted, FollowStopped
from services.recommendations.repository.case_studies import study_document, study_of
from services.recommendations.repository.plans import contribution, plan_document, plan_of
from services.recommendations.stores import (
    CATALOGUE_BOUND,
    OVERDUE_ROUND_BOUND,
    Ballot,
    Follow,
    MemberView,
)
from shared.errors import Conflict, Stale
from shared.pagination import page_in_memory


class InMemoryCatalogue:
    def __init__(self) -> None:
        self.recommendations: dict[str, Recommendation] = {}

    async def seed(self, recommendations: list[Recommendation]) -> int:
        new = [r for r in recommendations if r.code not in self.recommendations]
        self.recommendations |= {r.code: r for r in new}
        return len(new)

    async def add(self, recommendation: Recommendation) -> None:
        if recommendation.code in self.recommendations:
            raise Conflict("code_taken", f"There is already a recommendation {recommendation.code}")
        self.recommendations[recommendation.code] = recommendation

    async def replace(self, recommendation: Recommendation) -> None:
        self.recommendations[recommendation.code] = recommendation

    async def get(self, code: str) -> Recommendation | None:
        return self.recommendations.get(code)

    async def all(self) -> list[Recommendation]:
        return [self.recommendations[c] for c in sorted(self.recommendations)][:CATALOGUE_BOUND]


class InMemoryMembers:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}

    async def apply(self, member_id: str, as_of: datetime, changes: dict[str, Any]) -> bool:
        record = self.records.get(member_id)
        if record is not None and record["as_of"] > as_of:
            return False
        updated = {**(record or {}), **changes, "as_of": as_of}
        if updated == record:
            return False
        self.records[member_id] = updated
        return True

    async def get(self, member_id: str) -> MemberView | None:
        r = self.records.get(member_id)
        if r is None:
            return None
        return MemberView(
            member_id, r.get("region"), r.get("organisation_id"), r.get("active", True)
        )


class _Published:
    def __init__(self) -> None:
        self.published: list[Any] = []  # the facts the outbox would publish, in order


class InMemoryBallots(_Published):
    def __init__(self) -> None:
        super().__init__()
        self.ballots: dict[str, Ballot] = {}

    async def get(self, member_id: str) -> Ballot | None:
        found = self.ballots.get(member_id)
        return replace(found) if found else None

    async def save(self, ballot: Ballot, facts: list[Any], *, new: bool) -> None:
        stored = self.ballots.get(ballot.member_id)
        if (stored is not None) if new else (stored is None or stored.version != ballot.version):
            raise Stale(f"ballots {ballot.member_id}")
        self.ballots[ballot.member_id] = replace(ballot, version=0 if new else ballot.version + 1)
        self.published += facts

    async def changed_since(self, moment: datetime) -> dict[str, datetime]:
        return {b.member_id: b.updated_at for b in self.ballots.values() if b.updated_at >= moment}

    async def all(self) -> list[tuple[tuple[str, ...], str | None]]:
        return [(b.ranking, b.region) for b in self.ballots.values() if b.ranking]


class InMemoryRankings(_Published):
    def __init__(self) -> None:
        super().__init__()
        self.snapshot: dict[str, Any] | None = None

    async def get(self) -> dict[str, Any] | None:
        return copy.deepcopy(self.snapshot)

    async def save(self, snapshot: dict[str, Any], version: int | None, facts: list[Any]) -> None:
        current = self.snapshot["version"] if self.snapshot else None
        if version != current:
            raise Stale("rankings")
        self.snapshot = {**(self.snapshot or {}), **copy.deepcopy(snapshot)}
        self.snapshot["version"] = 0 if version is None else version + 1
        self.published += facts


class InMemoryPlans(_Published):
    def __init__(self) -> None:
        super().__init__()
        self.documents: dict[str, dict[str, Any]] = {}
        self.tallies: dict[str, tuple[Tally, int]] = {}
        self.tickets: dict[str, int] = {}

    def document(self, plan: Plan) -> dict[str, Any]:
        return plan_document(plan)

    def _all(self) -> list[Plan]:
        return [plan_of(copy.deepcopy(d)) for d in self.documents.values()]

    async def add(self, plan: Plan) -> None:
        existing = next((p for p in self._all() if p.key == plan.key), None)
        if existing is not None:
            raise Conflict(
                "plan_exists",
                "There is already a plan for this recommendation in this scope",
                plan_id=existing.id,
            )
        self.documents[plan.id] = copy.deepcopy(plan_document(plan))
        self.published += plan.facts
        plan.facts.clear()

    async def save(self, plan: Plan) -> None:
        stored = self.documents.get(plan.id)
        if stored is None or stored["version"] != plan.version:
            raise Stale(f"plans {plan.id}")
        plan.version += 1
        self.documents[plan.id] = copy.deepcopy(plan_document(plan))
        self.published += plan.facts
        plan.facts.clear()

    async def get(self, plan_id: str) -> Plan | None:
        found = self.documents.get(plan_id)
        return plan_of(copy.deepcopy(found)) if found else None

    async def page(
        self, listing: PlanListing, *, cursor: str | None, limit: int
    ) -> tuple[list[Plan], str | None]:
        found = [p for p in self._all() if listing.matches(p)]
        return page_in_memory(found, key=lambda p: [p.id], fields=1, cursor=cursor, limit=limit)

    async def summaries(self) -> list[PlanSummary]:
        counted = Counter(
            (p.code, p.region, p.status.value, p.rag.value if p.rag else None) for p in self._all()
        )
        return [PlanSummary(*key, count=n) for key, n in counted.items()]

    async def contributing_to(self, parent_ids: list[str]) -> list[Contribution]:
        wanted = set(parent_ids)
        return [
            contribution(d) for d in self.documents.values() if d.get("parent_plan_id") in wanted
        ]

    async def tally_ticket(self, plan_id: str) -> int:
        self.tickets[plan_id] = self.tickets.get(plan_id, 0) + 1
        return self.tickets[plan_id]

    async def keep_tally(self, plan_id: str, kept: Tally, ticket: int) -> bool:
        if plan_id not in self.documents:
            return False
        previous = self.tallies.get(plan_id)
        if previous is not None and previous[1] >= ticket:
            return False
        self.tallies[plan_id] = (kept, ticket)
        return True

    async def kept_tallies(self, plan_ids: list[str]) -> dict[str, Tally]:
        return {i: self.tallies[i][0] for i in plan_ids if i in self.tallies}

    async def with_overdue_actions(self, today: date) -> list[str]:
        return [
            p.id for p in self._all() if (due := p.next_overdue_check) is not None and due < today
        ][:OVERDUE_ROUND_BOUND]


class InMemoryCaseStudies(_Published):
    def __init__(self) -> None:
        super().__init__()
        self.documents: dict[str, dict[str, Any]] = {}

    def document(self, study: CaseStudy) -> dict[str, Any]:
        return study_document(study)

    def _all(self) -> list[CaseStudy]:
        return [study_of(copy.deepcopy(d)) for d in self.documents.values()]

    async def add(self, study: CaseStudy) -> None:
        self.documents[study.id] = copy.deepcopy(study_document(study))
        self.published += study.facts
        study.facts.clear()

    async def save(self, study: CaseStudy) -> None:
        stored = self.documents.get(study.id)
        if stored is None or stored["version"] != study.version:
            raise Stale(f"case_studies {study.id}")
        study.version += 1
        self.documents[study.id] = copy.deepcopy(study_document(study))
        self.published += study.facts
        study.facts.clear()

    async def get(self, case_study_id: str) -> CaseStudy | None:
        found = self.documents.get(case_study_id)
        return study_of(copy.deepcopy(found)) if found else None

    async def ids_by_author(self, member_id: str) -> list[str]:
        return [s.id for s in self._all() if s.author_member_id == member_id]

    async def search(
        self, search: CaseStudySearch, *, cursor: str | None, limit: int
    ) -> tuple[list[CaseStudy], str | None]:
        found = [s for s in self._all() if search.matches(s)]
        return page_in_memory(
            found, key=lambda s: [s.id], fields=1, cursor=cursor, limit=limit, descending=True
        )


class InMemoryFollows:
    def __init__(self) -> None:
        self.follows: dict[tuple[str, str, str], Follow] = {}
        self.published: list[FollowStarted | FollowStopped] = []

    async def follow(self, started: FollowStarted, at: datetime) -> bool:
        key = (started.member_id, started.kind, started.target)
        if key in self.follows:
            return False
        self.follows[key] = Follow(*key, at)
        self.published.append(started)
        return True

    async def unfollow(self, stopped: FollowStopped) -> bool:
        if self.follows.pop((stopped.member_id, stopped.kind, stopped.target), None) is None:
            return False
        self.published.append(stopped)
        return True

    async def page(
        self, member_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Follow], str | None]:
        found = [f for f in self.follows.values() if f.member_id == member_id]
        return page_in_memory(
            found,
            key=lambda f: [f"{f.member_id}|{f.kind}|{f.target}"],
            fields=1,
            cursor=cursor,
            limit=limit,
        )

    async def forget_member(self, member_id: str) -> None:
        for key in [k for k in self.follows if k[0] == member_id]:
            del self.follows[key]
