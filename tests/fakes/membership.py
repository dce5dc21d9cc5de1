"""In-memory stores with the same protocols and behaviour as repository.py: use-case tests run
on them in milliseconds, and tests/integration/stores/test_membership_stores.py runs one
suite against both so the two cannot drift. Aggregates are kept as documents, as the real
store keeps them, so a saved copy never shares state with the caller's."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member, Status
from services.membership.domain.organisation import Organisation, OrganisationQuery
from services.membership.domain.statistics import Movement
from services.membership.repository import from_document, organisation_document, to_document
from services.membership.stores import KEY_PLAYERS_BOUND, KEY_ROLES
from shared.errors import Conflict, Stale
from shared.months import label as month_label
from shared.pagination import page_in_memory


def _name_key(member: Member) -> list[Any]:
    return [member.profile.name.lower(), member.id]


class InMemoryMembers:
    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.published: list[Any] = []  # the facts the outbox would publish, in order

    def document(self, member: Member) -> dict[str, Any]:
        return to_document(member)

    async def add(self, member: Member) -> None:
        if member.id in self.documents:
            raise Conflict("member_exists", f"Member {member.id} exists")
        if any(d["email"] == member.email for d in self.documents.values()):
            raise Conflict("email_taken", "An account with this email already exists")
        self.documents[member.id] = copy.deepcopy(to_document(member))
        self.published += member.facts
        member.facts.clear()

    async def save(self, member: Member) -> None:
        stored = self.documents.get(member.id)
        if stored is None or stored["version"] != member.version:
            raise Stale(f"members {member.id} changed since version {member.version}")
        member.version += 1
        self.documents[member.id] = copy.deepcopy(to_document(member))
        self.published += member.facts
        member.facts.clear()

    def _all(self) -> list[Member]:
        return [from_document(copy.deepcopy(d)) for d in self.documents.values()]

    async def get(self, member_id: str) -> Member | None:
        found = self.documents.get(member_id)
        return from_document(copy.deepcopy(found)) if found else None

    async def names(self, member_ids: list[str]) -> dict[str, str]:
        found = [self.documents.get(m) for m in member_ids]
        shown = (Status.ACTIVE.value, Status.LEFT.value)
        return {d["_id"]: d["name"] for d in found if d and d["status"] in shown}

    async def by_identity(self, identity: str) -> Member | None:
        return next((m for m in self._all() if identity in m.identities), None)

    async def by_reset_token(self, token_hash: str) -> Member | None:
        return next((m for m in self._all() if m.reset and m.reset.token_hash == token_hash), None)

    async def by_email(self, email: str) -> Member | None:
        return next((m for m in self._all() if m.email == email), None)

    async def of_organisation(self, organisation_id: str, *, limit: int) -> list[Member]:
        found = [
            m
            for m in self._all()
            if organisation_id in (m.profile.organisation_id, m.move and m.move.organisation_id)
            and m.status is not Status.ERASED
        ]
        return sorted(found, key=lambda m: m.id)[:limit]

    async def any_with_role(self, role: str) -> bool:
        return any(m.status is Status.ACTIVE and role in m.roles for m in self._all())

    async def count_active_with_role(self, role: str) -> int:
        return sum(m.status is Status.ACTIVE and role in m.roles for m in self._all())

    async def search(
        self, query: DirectoryQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Member], str | None]:
        found = [m for m in self._all() if query.matches(m)]
        return page_in_memory(found, key=_name_key, fields=2, cursor=cursor, limit=limit)

    async def candidates_for(self, member: Member, limit: int) -> list[Member]:
        interests, skills = set(member.profile.interests), set(member.profile.skills)
        found = [
            m
            for m in self._all()
            if m.status is Status.ACTIVE
            and m.id != member.id
            and (
                interests & (set(m.profile.interests) | set(m.profile.skills))
                or skills & set(m.profile.interests)
            )
        ]
        return found[:limit]

    async def key_players(self, region: str) -> list[Member]:
        found = [
            m
            for m in self._all()
            if m.region == region and m.status is Status.ACTIVE and m.roles & set(KEY_ROLES)
        ]
        return sorted(found, key=_name_key)[:KEY_PLAYERS_BOUND]

    async def moves_waiting(
        self, region: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Member], str | None]:
        found = [m for m in self._all() if m.move and m.move.pending and m.move.region == region]
        return page_in_memory(
            found,
            key=lambda m: [m.move.requested_at if m.move else None, m.id],
            fields=2,
            cursor=cursor,
            limit=limit,
        )

    async def active_per_region(self) -> dict[str, int]:
        return dict(Counter(m.region for m in self._all() if m.status is Status.ACTIVE))

    async def count_active(self, region: str) -> int:
        return sum(m.region == region and m.status is Status.ACTIVE for m in self._all())

    async def count_active_among(self, member_ids: set[str]) -> int:
        return sum(m.id in member_ids and m.status is Status.ACTIVE for m in self._all())

    async def movements(self) -> list[Movement]:
        approved = (Status.ACTIVE, Status.LEFT, Status.ERASED)
        joined = Counter(
            (m.region, month_label(m.decided_at))
            for m in self._all()
            if m.status in approved and m.decided_at
        )
        left = Counter((m.region, month_label(m.left_at)) for m in self._all() if m.left_at)
        return [Movement(region, month, joined=n) for (region, month), n in joined.items()] + [
            Movement(region, month, left=n) for (region, month), n in left.items()
        ]


class InMemoryOrganisations:
    def __init__(self) -> None:
        self.organisations: dict[str, Organisation] = {}
        self.published: list[Any] = []  # the facts the outbox would publish, in order

    def document(self, organisation: Organisation) -> dict[str, Any]:
        return organisation_document(organisation)

    def _refuse_taken_code(self, organisation: Organisation) -> None:
        if organisation.ods_code and any(
            o.ods_code == organisation.ods_code and o.id != organisation.id
            for o in self.organisations.values()
        ):
            raise Conflict("ods_code_taken", f"ODS code {organisation.ods_code} is registered")

    async def add(self, organisation: Organisation) -> None:
        self._refuse_taken_code(organisation)
        self.organisations[organisation.id] = replace(organisation, facts=[])
        self.published += organisation.facts
        organisation.facts.clear()

    async def save(self, organisation: Organisation) -> None:
        stored = self.organisations.get(organisation.id)
        if stored is None or stored.version != organisation.version:
            raise Stale(f"organisation {organisation.id} changed")
        self._refuse_taken_code(organisation)
        organisation.version += 1
        self.published += organisation.facts
        organisation.facts.clear()
        self.organisations[organisation.id] = replace(organisation, facts=[])

    async def get(self, organisation_id: str) -> Organisation | None:
        found = self.organisations.get(organisation_id)
        return replace(found, facts=[]) if found else None

    async def by_ods_codes(self, codes: Sequence[str]) -> dict[str, Organisation]:
        wanted = set(codes)
        return {
            o.ods_code: replace(o, facts=[])
            for o in self.organisations.values()
            if o.ods_code in wanted
        }

    async def named(self, organisation_ids: Sequence[str]) -> list[Organisation]:
        return [
            replace(self.organisations[i], facts=[])
            for i in set(organisation_ids)
            if i in self.organisations
        ]

    async def page(
        self, query: OrganisationQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Organisation], str | None]:
        found = [replace(o, facts=[]) for o in self.organisations.values() if query.matches(o)]
        return page_in_memory(
            found, key=lambda o: [o.name.lower(), o.id], fields=2, cursor=cursor, limit=limit
        )


class InMemoryContributions:
    def __init__(self) -> None:
        self.records: dict[str, tuple[str, str]] = {}  # event id -> (member, kind)
        self.times: dict[str, datetime] = {}

    async def record(
        self, *, event_id: str, member_id: str, kind: str, ref: str, at: datetime
    ) -> bool:
        if event_id in self.records:
            return False
        self.records[event_id] = (member_id, kind)
        self.times[event_id] = at
        return True

    async def withdraw(self, key: str) -> None:
        self.records.pop(key, None)
        self.times.pop(key, None)

    async def counts(self, member_id: str) -> dict[str, int]:
        return dict(Counter(kind for who, kind in self.records.values() if who == member_id))

    async def contributors_since(self, since: datetime) -> set[str]:
        return {self.records[e][0] for e, at in self.times.items() if at >= since}
