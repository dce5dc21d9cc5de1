"""What the use cases need from storage, as protocols: the MongoDB repositories (repository.py)
and the in-memory ones (tests/fakes/membership.py) both provide them, and one contract suite
(tests/integration/stores/test_membership_stores.py) holds both to the same behaviour."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member
from services.membership.domain.organisation import Organisation, OrganisationQuery
from services.membership.domain.statistics import Movement
from shared.clock import Clock, new_id

Page = tuple[list[Any], str | None]

KEY_ROLES = ("facilitator", "sponsor", "core")
# A region's key players are a handful; the bound keeps one region's page of them finite.
KEY_PLAYERS_BOUND = 200


class Members(Protocol):
    def document(self, member: Member) -> dict[str, Any]: ...

    async def add(self, member: Member) -> None:
        """Conflict `email_taken` when the email is registered."""

    async def save(self, member: Member) -> None:
        """Stale when the member changed since it was read."""

    async def get(self, member_id: str) -> Member | None: ...

    async def by_email(self, email: str) -> Member | None: ...

    async def by_identity(self, identity: str) -> Member | None:
        """The member who signs in with this account elsewhere ("issuer#subject")."""

    async def by_reset_token(self, token_hash: str) -> Member | None:
        """The member whose waiting reset link has this token hash."""

    async def names(self, member_ids: list[str]) -> dict[str, str]:
        """The names of those of them who are members or were (not the erased, nor
        applicants)."""

    async def of_organisation(self, organisation_id: str, *, limit: int) -> list[Member]:
        """Up to `limit` members (not the erased) whose organisation it is, or whose move asks
        for it, by id."""

    async def any_with_role(self, role: str) -> bool: ...

    async def count_active_with_role(self, role: str) -> int: ...

    async def search(
        self, query: DirectoryQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Member], str | None]:
        """A page in (lower-case name, id) order."""

    async def candidates_for(self, member: Member, limit: int) -> list[Member]:
        """Active members, not `member`, who share an interest with them or whose skills meet
        their interests or whose interests their skills meet; at most `limit`."""

    async def key_players(self, region: str) -> list[Member]:
        """The region's active facilitators, sponsors and core members by name, at most
        KEY_PLAYERS_BOUND."""

    async def moves_waiting(
        self, region: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Member], str | None]:
        """Members whose pending move is to `region`, oldest request first."""

    async def active_per_region(self) -> dict[str, int]: ...

    async def count_active(self, region: str) -> int: ...

    async def movements(self) -> list[Movement]:
        """Approved members joining and leaving, counted per region and month."""

    async def count_active_among(self, member_ids: set[str]) -> int: ...


class Organisations(Protocol):
    def document(self, organisation: Organisation) -> dict[str, Any]: ...

    async def add(self, organisation: Organisation) -> None:
        """With its facts. Conflict `ods_code_taken` when its ODS code is registered."""

    async def save(self, organisation: Organisation) -> None:
        """With its facts. Stale when it changed since it was read; Conflict `ods_code_taken`
        when its new ODS code is another's."""

    async def get(self, organisation_id: str) -> Organisation | None: ...

    async def by_ods_codes(self, codes: Sequence[str]) -> dict[str, Organisation]:
        """Those of the codes that are registered, by code."""

    async def named(self, organisation_ids: Sequence[str]) -> list[Organisation]:
        """Those of the ids that exist, in any order."""

    async def page(
        self, query: OrganisationQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Organisation], str | None]:
        """A page of those the query matches, in (lower-case name, id) order."""


class Contributions(Protocol):
    async def record(
        self, *, event_id: str, member_id: str, kind: str, ref: str, at: datetime
    ) -> bool:
        """True the first time this key (an event's id, or what it answers: `post|<id>`) is
        recorded, False on a redelivery."""

    async def withdraw(self, key: str) -> None:
        """Takes a contribution back (a hidden post, an answer another replaced)."""

    async def counts(self, member_id: str) -> dict[str, int]: ...

    async def contributors_since(self, since: datetime) -> set[str]:
        """The members who contributed at or after `since`."""


@dataclass
class Stores:
    members: Members
    organisations: Organisations
    contributions: Contributions
    clock: Clock
    new_id: Callable[[], str] = field(default=new_id)
