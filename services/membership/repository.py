"""MongoDB persistence of members, organisations and contribution records (knet_membership)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from services.membership.domain.credentials import PasswordReset
from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member, MoveRequest, Status
from services.membership.domain.organisation import (
    Kind,
    Organisation,
    OrganisationQuery,
    OrganisationStatus,
)
from services.membership.domain.profile import Profile
from services.membership.domain.statistics import Movement
from services.membership.stores import KEY_PLAYERS_BOUND, KEY_ROLES
from shared.aggregates import AggregateStore
from shared.clock import Clock
from shared.errors import Conflict
from shared.idempotency import insert_once
from shared.mongo import Db
from shared.pagination import fetch_page
from shared.text import folded_words

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SOURCE = "/services/membership"
DIRECTORY_SORT = ["name_lower", "_id"]
NO_OUTBOX = {"outbox": 0}
# Lists never carry what only signing in needs.
SECRETS_LEFT_OUT = {"outbox": 0, "password_hash": 0, "reset": 0}

INDEXES: dict[str, list[IndexModel]] = {
    # Each directory filter has an index that serves it and its (name, id) order: equality
    # fields first, then the sort (the integration tests check the queries really sent).
    "members": [
        IndexModel([("email", ASCENDING)], unique=True, name="email_unique"),
        IndexModel([("status", 1), ("name_lower", 1), ("_id", 1)], name="directory"),
        IndexModel([("region", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="by_region"),
        IndexModel(
            [("organisation_id", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="by_org"
        ),
        IndexModel(
            [("interests", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="by_interest"
        ),
        IndexModel([("skills", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="by_skill"),
        IndexModel([("roles", 1), ("status", 1), ("name_lower", 1), ("_id", 1)], name="by_role"),
        IndexModel([("left_at", 1)], name="by_left_at"),
        # A reset link finds its member by the token's hash (sparse: few are waiting).
        IndexModel([("reset.token_hash", 1)], sparse=True, name="by_reset_token"),
        # A single sign-on finds its member by the account it links ("issuer#subject").
        IndexModel([("identities", 1)], sparse=True, name="by_identity"),
        # The moves waiting for a region's facilitators: sparse, as few members ask to move.
        IndexModel(
            [("move.pending_region", 1), ("move.requested_at", 1), ("_id", 1)],
            sparse=True,
            name="moves_waiting",
        ),
        # The moves asking for an organisation (a merge takes them along).
        IndexModel(
            [("move.organisation_id", 1), ("_id", 1)], sparse=True, name="moves_to_organisation"
        ),
    ],
    "organisations": [
        # Sparse: organisations without an ODS code leave the field out and are not in it.
        IndexModel([("ods_code", 1)], unique=True, sparse=True, name="ods_code_unique"),
        IndexModel([("region", 1), ("name_lower", 1), ("_id", 1)], name="by_region"),
        IndexModel([("name_lower", 1), ("_id", 1)], name="by_name"),
        # The list by status (active ones unless asked), in name order.
        IndexModel([("status", 1), ("name_lower", 1), ("_id", 1)], name="by_status"),
        # The unique index only refuses twins; this one finds codes (an import's `$in`).
        IndexModel([("ods_code", 1), ("_id", 1)], name="by_ods_code"),
        # The picker: each word typed is a range of the folded words of names.
        IndexModel([("name_words", 1), ("_id", 1)], name="by_name_word"),
    ],
    "contributions": [
        IndexModel([("member_id", 1), ("kind", 1)], name="by_member"),
        IndexModel([("at", 1)], name="by_at"),
    ],
}


class MemberRepository:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.store = AggregateStore(db, "members", source=SOURCE, clock=clock)
        self.collection = self.store.collection

    def document(self, member: Member) -> dict[str, Any]:
        return to_document(member)

    async def add(self, member: Member) -> None:
        try:
            await self.store.insert(to_document(member), member.facts)
        except DuplicateKeyError as exc:
            raise Conflict("email_taken", "An account with this email already exists") from exc
        member.facts.clear()

    async def save(self, member: Member) -> None:
        """The change and its facts in one conditional write (optimistic concurrency)."""
        await self.store.save(member, to_document(member))

    async def get(self, member_id: str) -> Member | None:
        document = await self.collection.find_one({"_id": member_id}, NO_OUTBOX)
        return from_document(document) if document else None

    async def names(self, member_ids: list[str]) -> dict[str, str]:
        # Those who are or were members: not the erased, nor applicants (their names are
        # seen only by those who decide on them).
        shown = [Status.ACTIVE.value, Status.LEFT.value]
        found = self.collection.find(
            {"_id": {"$in": member_ids}, "status": {"$in": shown}}, {"name": 1}
        )
        return {d["_id"]: d["name"] async for d in found}

    async def by_identity(self, identity: str) -> Member | None:
        document = await self.collection.find_one({"identities": identity}, NO_OUTBOX)
        return from_document(document) if document else None

    async def by_reset_token(self, token_hash: str) -> Member | None:
        document = await self.collection.find_one({"reset.token_hash": token_hash}, NO_OUTBOX)
        return from_document(document) if document else None

    async def by_email(self, email: str) -> Member | None:
        document = await self.collection.find_one({"email": email}, NO_OUTBOX)
        return from_document(document) if document else None

    async def of_organisation(self, organisation_id: str, *, limit: int) -> list[Member]:
        query = {
            "$or": [
                {"organisation_id": organisation_id},
                {"move.organisation_id": organisation_id},
            ],
            "status": {"$ne": Status.ERASED.value},
        }
        found = self.collection.find(query, NO_OUTBOX).sort("_id", 1).limit(limit)
        return [from_document(d) async for d in found]

    async def any_with_role(self, role: str) -> bool:
        query = {"roles": role, "status": Status.ACTIVE.value}
        return await self.collection.find_one(query, {"_id": 1}) is not None

    async def count_active_with_role(self, role: str) -> int:
        return await self.collection.count_documents({"roles": role, "status": Status.ACTIVE.value})

    async def search(
        self, query: DirectoryQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Member], str | None]:
        documents, next_cursor = await fetch_page(
            self.collection,
            directory_filter(query),
            sort=DIRECTORY_SORT,
            cursor=cursor,
            limit=limit,
            projection=SECRETS_LEFT_OUT,
        )
        return [from_document(d) for d in documents], next_cursor

    async def candidates_for(self, member: Member, limit: int) -> list[Member]:
        interests, skills = list(member.profile.interests), list(member.profile.skills)
        if not interests and not skills:
            return []
        clauses: list[dict[str, Any]] = []
        if interests:
            clauses += [{"interests": {"$in": interests}}, {"skills": {"$in": interests}}]
        if skills:
            clauses.append({"interests": {"$in": skills}})
        query = {"status": Status.ACTIVE.value, "_id": {"$ne": member.id}, "$or": clauses}
        documents = await self.collection.find(query, NO_OUTBOX).limit(limit).to_list()
        return [from_document(d) for d in documents]

    async def key_players(self, region: str) -> list[Member]:
        query = {
            "region": region,
            "status": Status.ACTIVE.value,
            "roles": {"$in": list(KEY_ROLES)},
        }
        cursor = self.collection.find(query, NO_OUTBOX).sort("name_lower", 1)
        return [from_document(d) for d in await cursor.to_list(KEY_PLAYERS_BOUND)]

    async def active_per_region(self) -> dict[str, int]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"status": Status.ACTIVE.value}},
            {"$group": {"_id": "$region", "n": {"$sum": 1}}},
        ]
        rows = await (await self.collection.aggregate(pipeline)).to_list()
        return {row["_id"]: row["n"] for row in rows}

    async def moves_waiting(
        self, region: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Member], str | None]:
        documents, next_cursor = await fetch_page(
            self.collection,
            {"move.pending_region": region},
            sort=["move.requested_at", "_id"],
            cursor=cursor,
            limit=limit,
            projection=SECRETS_LEFT_OUT,
        )
        return [from_document(d) for d in documents], next_cursor

    async def count_active(self, region: str) -> int:
        return await self.collection.count_documents(
            {"region": region, "status": Status.ACTIVE.value}
        )

    async def count_active_among(self, member_ids: set[str]) -> int:
        query = {"_id": {"$in": sorted(member_ids)}, "status": Status.ACTIVE.value}
        return await self.collection.count_documents(query)

    async def movements(self) -> list[Movement]:
        approved = [s.value for s in (Status.ACTIVE, Status.LEFT, Status.ERASED)]
        joined = await self._per_month({"status": {"$in": approved}}, "decided_at")
        left = await self._per_month({"left_at": {"$gte": EPOCH}}, "left_at")
        return [Movement(region, month, joined=n) for (region, month), n in joined.items()] + [
            Movement(region, month, left=n) for (region, month), n in left.items()
        ]

    async def _per_month(self, match: dict[str, Any], field: str) -> dict[tuple[str, str], int]:
        pipeline: list[dict[str, Any]] = [
            {"$match": match},
            {
                "$group": {
                    "_id": {
                        "r": "$region",
                        "y": {"$year": f"${field}"},
                        "m": {"$month": f"${field}"},
                    },
                    "n": {"$sum": 1},
                }
            },
        ]
        rows = await (await self.collection.aggregate(pipeline)).to_list()
        return {(r["_id"]["r"], f"{r['_id']['y']:04d}-{r['_id']['m']:02d}"): r["n"] for r in rows}


def directory_filter(query: DirectoryQuery) -> dict[str, Any]:
    """The directory query as a MongoDB filter: equality fields, and the name as a range of
    the lower-case name (an index range scan, not a regex)."""
    found: dict[str, Any] = {"status": query.status.value}
    if query.name_prefix:
        found["name_lower"] = {"$gte": query.name_prefix, "$lt": query.name_prefix + "\uffff"}
    if query.region:
        found["region"] = query.region
    if query.organisation_id:
        found["organisation_id"] = query.organisation_id
    if query.interest:
        found["interests"] = query.interest
    if query.skill:
        found["skills"] = query.skill
    if query.role:
        found["roles"] = query.role
    return found


class OrganisationRepository:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.store = AggregateStore(db, "organisations", source=SOURCE, clock=clock)
        self.collection = self.store.collection

    def document(self, organisation: Organisation) -> dict[str, Any]:
        return organisation_document(organisation)

    async def add(self, organisation: Organisation) -> None:
        try:
            await self.store.insert(organisation_document(organisation), organisation.facts)
        except DuplicateKeyError as exc:
            raise _ods_code_taken(organisation) from exc
        organisation.facts.clear()

    async def save(self, organisation: Organisation) -> None:
        try:
            await self.store.save(organisation, organisation_document(organisation))
        except DuplicateKeyError as exc:
            raise _ods_code_taken(organisation) from exc

    async def get(self, organisation_id: str) -> Organisation | None:
        document = await self.collection.find_one({"_id": organisation_id}, NO_OUTBOX)
        return _organisation(document) if document else None

    async def by_ods_codes(self, codes: Sequence[str]) -> dict[str, Organisation]:
        found = self.collection.find({"ods_code": {"$in": list(codes)}}, NO_OUTBOX)
        return {d["ods_code"]: _organisation(d) async for d in found}

    async def named(self, organisation_ids: Sequence[str]) -> list[Organisation]:
        found = self.collection.find({"_id": {"$in": list(organisation_ids)}}, NO_OUTBOX)
        return [_organisation(d) async for d in found]

    async def page(
        self, query: OrganisationQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Organisation], str | None]:
        documents, next_cursor = await fetch_page(
            self.collection,
            organisation_filter(query),
            sort=["name_lower", "_id"],
            cursor=cursor,
            limit=limit,
            projection=NO_OUTBOX,
        )
        return [_organisation(d) for d in documents], next_cursor


def organisation_filter(query: OrganisationQuery) -> dict[str, Any]:
    found: dict[str, Any] = {"status": {"$in": [s.value for s in query.statuses]}}
    if query.words:
        # Each word typed begins some word of the name (`name_words` holds them folded).
        found["$and"] = [{"name_words": {"$regex": f"^{re.escape(w)}"}} for w in query.words]
    if query.region:
        found["region"] = query.region
    if query.kind:
        found["kind"] = query.kind.value
    return found


def _ods_code_taken(organisation: Organisation) -> Conflict:
    return Conflict("ods_code_taken", f"ODS code {organisation.ods_code} is registered")


class ContributionRepository:
    """One document per contributing event (its `_id` is the event id): a redelivered event
    is one contribution, and the counts are exact."""

    def __init__(self, db: Db) -> None:
        self.collection = db["contributions"]

    async def record(
        self, *, event_id: str, member_id: str, kind: str, ref: str, at: datetime
    ) -> bool:
        document = {"_id": event_id, "member_id": member_id, "kind": kind, "ref": ref, "at": at}
        return await insert_once(self.collection, document)

    async def withdraw(self, key: str) -> None:
        await self.collection.delete_one({"_id": key})

    async def counts(self, member_id: str) -> dict[str, int]:
        pipeline: Sequence[dict[str, Any]] = [
            {"$match": {"member_id": member_id}},
            {"$group": {"_id": "$kind", "count": {"$sum": 1}}},
        ]
        rows = await (await self.collection.aggregate(list(pipeline))).to_list()
        return {row["_id"]: row["count"] for row in rows}

    async def contributors_since(self, since: datetime) -> set[str]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"at": {"$gte": since}}},
            {"$group": {"_id": "$member_id"}},
        ]
        rows = await (await self.collection.aggregate(pipeline)).to_list()
        return {row["_id"] for row in rows}


def to_document(member: Member) -> dict[str, Any]:
    p = member.profile
    return {
        "_id": member.id,
        "email": member.email,
        "region": member.region,
        "status": member.status.value,
        "roles": sorted(member.roles),
        "name": p.name,
        "name_lower": p.name.lower(),
        "organisation_id": p.organisation_id,
        "job_title": p.job_title,
        "interests": list(p.interests),
        "skills": list(p.skills),
        "bio": p.bio,
        "links": list(p.links),
        "password_hash": member.password_hash,
        "applied_at": member.applied_at,
        "decided_by": member.decided_by,
        "decided_at": member.decided_at,
        "decline_reason": member.decline_reason,
        "left_at": member.left_at,
        "move": _move_document(member.move),
        "credentials_changed_at": member.credentials_changed_at,
        "reset": {"token_hash": member.reset.token_hash, "expires_at": member.reset.expires_at}
        if member.reset
        else None,
        "applied_again_at": member.applied_again_at,
        "identities": list(member.identities),
        "version": member.version,
    }


def _move_document(move: MoveRequest | None) -> dict[str, Any] | None:
    if move is None:
        return None
    document: dict[str, Any] = {
        "region": move.region,
        "organisation_id": move.organisation_id,
        "requested_at": move.requested_at,
        "declined_reason": move.declined_reason,
    }
    if move.pending:  # only a pending move is in the index its region's queue reads
        document["pending_region"] = move.region
    return document


def _move(d: dict[str, Any] | None) -> MoveRequest | None:
    if not d:
        return None
    return MoveRequest(
        region=d["region"],
        organisation_id=d.get("organisation_id"),
        requested_at=d["requested_at"],
        declined_reason=d.get("declined_reason"),
    )


def from_document(d: dict[str, Any]) -> Member:
    return Member(
        id=d["_id"],
        email=d["email"],
        region=d["region"],
        profile=Profile(
            name=d["name"],
            organisation_id=d.get("organisation_id"),
            job_title=d.get("job_title", ""),
            interests=tuple(d.get("interests", ())),
            skills=tuple(d.get("skills", ())),
            bio=d.get("bio", ""),
            links=tuple(d.get("links", ())),
        ),
        password_hash=d.get("password_hash"),
        applied_at=d["applied_at"],
        status=Status(d["status"]),
        roles=frozenset(d.get("roles", ())),
        decided_by=d.get("decided_by"),
        decided_at=d.get("decided_at"),
        decline_reason=d.get("decline_reason"),
        left_at=d.get("left_at"),
        move=_move(d.get("move")),
        credentials_changed_at=d.get("credentials_changed_at"),
        reset=PasswordReset(**d["reset"]) if d.get("reset") else None,
        applied_again_at=d.get("applied_again_at"),
        identities=tuple(d.get("identities", ())),
        version=d.get("version", 0),
    )


def organisation_document(o: Organisation) -> dict[str, Any]:
    document: dict[str, Any] = {
        "_id": o.id,
        "name": o.name,
        "name_lower": o.name.lower(),
        "name_words": folded_words(o.name),
        "region": o.region,
        "kind": o.kind.value,
        "status": o.status.value,
        "merged_into": o.merged_into,
        "proposed_by": o.proposed_by,
        "version": o.version,
    }
    # Sparse unique index: organisations without a code leave the field out.
    if o.ods_code:
        document["ods_code"] = o.ods_code
    return document


def _organisation(d: dict[str, Any]) -> Organisation:
    return Organisation(
        id=d["_id"],
        name=d["name"],
        region=d["region"],
        kind=Kind(d.get("kind", Kind.OTHER)),
        ods_code=d.get("ods_code"),
        status=OrganisationStatus(d.get("status", OrganisationStatus.ACTIVE)),
        merged_into=d.get("merged_into"),
        proposed_by=d.get("proposed_by"),
        version=d.get("version", 0),
    )
