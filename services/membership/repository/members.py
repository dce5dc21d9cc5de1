"""Members: the aggregate, the directory's queries, its documents."""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from services.membership.domain.credentials import PasswordReset
from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member, MoveRequest, Status
from services.membership.domain.profile import Profile
from services.membership.domain.statistics import Movement
from services.membership.repository.common import (
    DIRECTORY_SORT,
    EPOCH,
    NO_OUTBOX,
    SECRETS_LEFT_OUT,
    SOURCE,
)
from services.membership.stores import KEY_PLAYERS_BOUND, KEY_ROLES
from shared.aggregates import AggregateStore
from shared.clock import Clock
from shared.errors import Conflict
from shared.mongo import Db
from shared.pagination import fetch_page


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
