"""What the recommendations use cases need from storage, as protocols: the MongoDB repositories
(repository/) and the in-memory ones (tests/fakes/recommendations.py) both provide them, and
one contract suite (tests/integration/stores/test_recommendations_stores.py) holds both to
it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from services.recommendations.domain.adoption import PlanSummary
from services.recommendations.domain.case_study import CaseStudy
from services.recommendations.domain.catalogue import Recommendation
from services.recommendations.domain.plan import Plan
from services.recommendations.domain.queries import CaseStudySearch, PlanListing
from services.recommendations.domain.rollup import Contribution, Tally
from services.recommendations.facts import FollowStarted, FollowStopped
from shared.clock import Clock, new_id

# The catalogue is the report's five recommendations and the few operators add; reading it
# whole is the design. Beyond this many, something is wrong.
CATALOGUE_BOUND = 1000
# A scheduler round handles at most this many plans with actions past due; the rest wait.
OVERDUE_ROUND_BOUND = 500


@dataclass(frozen=True)
class MemberView:
    """What this service knows of a member, from knet.membership.v1."""

    member_id: str
    region: str | None
    organisation_id: str | None
    active: bool


@dataclass
class Ballot:
    member_id: str
    ranking: tuple[str, ...]
    region: str | None
    updated_at: datetime
    version: int = 0


@dataclass(frozen=True)
class Follow:
    member_id: str
    kind: str
    target: str
    at: datetime


class Catalogue(Protocol):
    async def seed(self, recommendations: list[Recommendation]) -> int:
        """Adds those not there yet (one an operator retired stays retired); how many."""

    async def add(self, recommendation: Recommendation) -> None:
        """Conflict `code_taken` when the code exists."""

    async def replace(self, recommendation: Recommendation) -> None: ...

    async def get(self, code: str) -> Recommendation | None: ...

    async def all(self) -> list[Recommendation]:
        """By code, at most CATALOGUE_BOUND."""


class Members(Protocol):
    async def apply(self, member_id: str, as_of: datetime, changes: dict[str, Any]) -> bool:
        """Applies what an event of `as_of` says unless a later one was applied; True when
        it changed the record."""

    async def get(self, member_id: str) -> MemberView | None: ...


class Ballots(Protocol):
    async def get(self, member_id: str) -> Ballot | None: ...

    async def save(self, ballot: Ballot, facts: list[Any], *, new: bool) -> None:
        """Stale when another saved first (or, `new`, inserted it first)."""

    async def changed_since(self, moment: datetime) -> dict[str, datetime]:
        """The ballots changed at or after `moment`, with when."""

    async def all(self) -> list[tuple[tuple[str, ...], str | None]]:
        """Every non-empty ballot's (ranking, region)."""


class Rankings(Protocol):
    async def get(self) -> dict[str, Any] | None: ...

    async def save(self, snapshot: dict[str, Any], version: int | None, facts: list[Any]) -> None:
        """Stale when another saved first (version None: when one exists)."""


class Plans(Protocol):
    def document(self, plan: Plan) -> dict[str, Any]: ...

    async def add(self, plan: Plan) -> None:
        """Conflict `plan_exists` (naming it) when the recommendation has one in that scope."""

    async def save(self, plan: Plan) -> None: ...

    async def get(self, plan_id: str) -> Plan | None: ...

    async def page(
        self, listing: PlanListing, *, cursor: str | None, limit: int
    ) -> tuple[list[Plan], str | None]:
        """A page in id order."""

    async def summaries(self) -> list[PlanSummary]:
        """Every plan counted by code, region, status and RAG."""

    async def contributing_to(self, parent_ids: list[str]) -> list[Contribution]:
        """The plans whose parent is one of these (any order)."""

    async def tally_ticket(self, plan_id: str) -> int:
        """A number, larger than any given before for this plan, taken before reading the
        plans below it to recompute what it keeps."""

    async def keep_tally(self, plan_id: str, kept: Tally, ticket: int) -> bool:
        """Keeps what the plans below add up to on the plan, unless what is kept was
        computed with a later ticket (a slower recomputation never overwrites a newer one)."""

    async def kept_tallies(self, plan_ids: list[str]) -> dict[str, Tally]:
        """What the plans keep of the plans below them (those that keep any)."""

    async def with_overdue_actions(self, today: date) -> list[str]:
        """Ids of plans with an action past due not yet reported; OVERDUE_ROUND_BOUND."""


class CaseStudies(Protocol):
    def document(self, study: CaseStudy) -> dict[str, Any]: ...

    async def add(self, study: CaseStudy) -> None: ...

    async def save(self, study: CaseStudy) -> None: ...

    async def get(self, case_study_id: str) -> CaseStudy | None: ...

    async def ids_by_author(self, member_id: str) -> list[str]: ...

    async def search(
        self, search: CaseStudySearch, *, cursor: str | None, limit: int
    ) -> tuple[list[CaseStudy], str | None]:
        """A page, newest first (ids are time-ordered)."""


class Follows(Protocol):
    async def follow(self, started: FollowStarted, at: datetime) -> bool:
        """True when the member was not following it: then `started` goes out with the write."""

    async def unfollow(self, stopped: FollowStopped) -> bool:
        """True when the member was following it: then `stopped` goes out with the write."""

    async def page(
        self, member_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Follow], str | None]:
        """A member's follows in (kind, target) order."""

    async def forget_member(self, member_id: str) -> None: ...


@dataclass
class Stores:
    catalogue: Catalogue
    members: Members
    ballots: Ballots
    rankings: Rankings
    plans: Plans
    case_studies: CaseStudies
    follows: Follows
    clock: Clock
    new_id: Callable[[], str] = field(default=new_id)
    # ranking_changed goes out at most this often, however fast the order moves.
    announce_every: timedelta = timedelta(minutes=1)
