"""MongoDB persistence of network events and their registrations (knet_events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import IndexModel, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from services.events.domain.details import EventDetails, Kind, Mode, Scope
from services.events.domain.listing import Listing
from services.events.domain.network_event import NetworkEvent, Registration, Seat, Status
from services.events.domain.node_keys import NodeKey, Standing
from services.events.stores import FEED_BOUND, ROUND_BOUND
from shared.aggregates import AggregateStore
from shared.clock import Clock
from shared.mongo import Db
from shared.pagination import fetch_page

SOURCE = "/services/events"
LISTING_SORT = ["starts_at", "_id"]
NO_OUTBOX = {"outbox": 0}

INDEXES: dict[str, list[IndexModel]] = {
    "network_events": [
        IndexModel([("status", 1), ("starts_at", 1), ("_id", 1)], name="upcoming"),
        IndexModel([("region", 1), ("status", 1), ("starts_at", 1), ("_id", 1)], name="by_region"),
        IndexModel([("tags", 1), ("status", 1), ("starts_at", 1), ("_id", 1)], name="by_tag"),
        IndexModel([("registrations.member_id", 1), ("starts_at", 1)], name="by_registrant"),
        IndexModel([("status", 1), ("ends_at", 1)], name="ended"),
    ],
    "node_keys": [
        IndexModel([("region", 1), ("_id", 1)], name="by_region"),
        IndexModel([("created_by", 1), ("revoked_at", 1)], name="by_issuer"),
    ],
}


class SubmissionRecords:
    """One record per regional submission handled (its `_id` is the submission's CloudEvent
    id): a redelivered submission is a duplicate insert, so it is answered once."""

    def __init__(self, db: Db, clock: Clock) -> None:
        self.store = AggregateStore(db, "submissions", source=SOURCE, clock=clock)

    async def record(
        self,
        *,
        submission_id: str,
        node: str,
        external_id: str | None,
        outcome: str,
        facts: list[Any],
    ) -> bool:
        document = {
            "_id": submission_id,
            "node": node,
            "external_id": external_id,
            "outcome": outcome,
        }
        return await self.store.insert_once(document, facts)


class ReminderClaims:
    """A reminder is claimed by inserting its key: the unique `_id` lets exactly one replica
    send it, and the claim carries the `event.reminder_due` fact to the outbox."""

    def __init__(self, db: Db, clock: Clock) -> None:
        self.store = AggregateStore(db, "reminders", source=SOURCE, clock=clock)

    async def claim(self, key: str, fact: Any) -> bool:
        return await self.store.insert_once({"_id": key}, [fact], subject=fact.event_id)


class NodeKeyRepository:
    """Regional nodes' API keys, by key id; only the hash of each secret is kept."""

    def __init__(self, db: Db) -> None:
        self.collection: AsyncCollection[dict[str, Any]] = db["node_keys"]

    async def add(self, key: NodeKey) -> None:
        await self.collection.insert_one({"_id": key.id, **_key_fields(key)})

    async def get(self, key_id: str) -> NodeKey | None:
        document = await self.collection.find_one({"_id": key_id})
        return _key_of(document) if document else None

    async def page(
        self, region: str, *, cursor: str | None, limit: int
    ) -> tuple[list[NodeKey], str | None]:
        documents, next_cursor = await fetch_page(
            self.collection, {"region": region}, sort=["_id"], cursor=cursor, limit=limit
        )
        return [_key_of(d) for d in documents], next_cursor

    async def revoke(self, key_id: str, at: datetime, reason: str) -> None:
        # Fields set once: no read-modify-write to lose, so no lock needed.
        await self.collection.update_one(
            {"_id": key_id, "revoked_at": None},
            {"$set": {"revoked_at": at, "revoked_reason": reason}},
        )

    async def issued_by(self, member_id: str) -> list[NodeKey]:
        found = self.collection.find({"created_by": member_id, "revoked_at": None})
        return [_key_of(d) async for d in found]


class FeedGenerations:
    """One document per member who renewed their calendar link: the live generation."""

    def __init__(self, db: Db) -> None:
        self.collection: AsyncCollection[dict[str, Any]] = db["calendar_feeds"]

    async def generation(self, member_id: str) -> int:
        document = await self.collection.find_one({"_id": member_id})
        return int(document["generation"]) if document else 0

    async def renew(self, member_id: str) -> int:
        # One $inc: two renewals at once give two generations, the later one live.
        document = await self.collection.find_one_and_update(
            {"_id": member_id},
            {"$inc": {"generation": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert document is not None  # upserted
        return int(document["generation"])


class IssuerRepository:
    """Members as membership's facts say they stand now (one document each)."""

    def __init__(self, db: Db) -> None:
        self.collection: AsyncCollection[dict[str, Any]] = db["issuers"]

    async def record(self, member_id: str, changes: dict[str, Any]) -> None:
        await self.collection.update_one({"_id": member_id}, {"$set": changes}, upsert=True)

    async def get(self, member_id: str) -> Standing | None:
        document = await self.collection.find_one({"_id": member_id})
        return standing_of(document) if document else None


def standing_of(document: dict[str, Any]) -> Standing:
    active = document.get("active", True)
    return Standing(
        member_id=document["_id"],
        region=document.get("region"),
        roles=frozenset(document.get("roles", ())) if active else frozenset(),
        lost_at=document.get("lost_at"),
    )


def _key_fields(key: NodeKey) -> dict[str, Any]:
    return {
        "region": key.region,
        "label": key.label,
        "secret_hash": key.secret_hash,
        "created_at": key.created_at,
        "created_by": key.created_by,
        "revoked_at": key.revoked_at,
        "revoked_reason": key.revoked_reason,
    }


def _key_of(doc: dict[str, Any]) -> NodeKey:
    return NodeKey(
        id=doc["_id"],
        region=doc["region"],
        label=doc["label"],
        secret_hash=doc["secret_hash"],
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        revoked_at=doc.get("revoked_at"),
        revoked_reason=doc.get("revoked_reason"),
    )


class EventRepository:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.store = AggregateStore(db, "network_events", source=SOURCE, clock=clock)
        self.collection = self.store.collection

    async def add(self, event: NetworkEvent) -> bool:
        if not await self.store.insert_once(to_document(event), event.facts):
            return False
        event.facts.clear()
        return True

    def document(self, event: NetworkEvent) -> dict[str, Any]:
        return to_document(event)

    async def save(self, event: NetworkEvent) -> None:
        await self.store.save(event, to_document(event))

    async def get(self, event_id: str) -> NetworkEvent | None:
        document = await self.collection.find_one({"_id": event_id}, NO_OUTBOX)
        return from_document(document) if document else None

    async def registered(self, member_id: str, *, since: datetime) -> list[NetworkEvent]:
        query = {"registrations.member_id": member_id, "starts_at": {"$gte": since}}
        cursor = self.collection.find(query, NO_OUTBOX).sort("starts_at", 1)
        return [from_document(d) for d in await cursor.to_list(FEED_BOUND)]

    async def starting_between(self, start: datetime, end: datetime) -> list[NetworkEvent]:
        query = {"status": Status.PUBLISHED.value, "starts_at": {"$gte": start, "$lt": end}}
        cursor = self.collection.find(query, NO_OUTBOX).sort("starts_at", 1)
        return [from_document(d) for d in await cursor.to_list(ROUND_BOUND)]

    async def upcoming_per_region(self, now: datetime) -> dict[str | None, int]:
        """Published events yet to start, per region (None: national events)."""
        pipeline: list[dict[str, Any]] = [
            {"$match": {"status": Status.PUBLISHED.value, "starts_at": {"$gte": now}}},
            {"$group": {"_id": "$region", "n": {"$sum": 1}}},
        ]
        cursor = await self.collection.aggregate(pipeline)
        return {d["_id"]: d["n"] async for d in cursor}

    async def held_since(self, since: datetime) -> list[NetworkEvent]:
        query = {"status": Status.COMPLETED.value, "starts_at": {"$gte": since}}
        cursor = self.collection.find(query, NO_OUTBOX).sort("starts_at", 1)
        return [from_document(d) for d in await cursor.to_list(ROUND_BOUND)]

    async def ended_but_open(self, now: datetime) -> list[NetworkEvent]:
        query = {"status": Status.PUBLISHED.value, "ends_at": {"$lt": now}}
        documents = await self.collection.find(query, NO_OUTBOX).to_list(ROUND_BOUND)
        return [from_document(d) for d in documents]

    async def upcoming(
        self, listing: Listing, *, cursor: str | None, limit: int
    ) -> tuple[list[NetworkEvent], str | None]:
        documents, next_cursor = await fetch_page(
            self.collection,
            listing_filter(listing),
            sort=LISTING_SORT,
            cursor=cursor,
            limit=limit,
            projection=NO_OUTBOX,
        )
        return [from_document(d) for d in documents], next_cursor


def listing_filter(listing: Listing) -> dict[str, Any]:
    window: dict[str, datetime] = {"$gte": listing.starts_from}
    if listing.starts_before:
        window["$lt"] = listing.starts_before
    found: dict[str, Any] = {"status": Status.PUBLISHED.value, "starts_at": window}
    if listing.region:
        found["region"] = listing.region
    if listing.scope:
        found["scope"] = listing.scope.value
    if listing.tag:
        found["tags"] = listing.tag
    return found


def to_document(event: NetworkEvent) -> dict[str, Any]:
    d = event.details
    return {
        "_id": event.id,
        "title": d.title,
        "summary": d.summary,
        "description": d.description,
        "kind": d.kind.value,
        "mode": d.mode.value,
        "scope": d.scope.value,
        "region": d.region,
        "starts_at": d.starts_at,
        "ends_at": d.ends_at,
        "timezone": d.timezone,
        "venue": d.venue,
        "join_url": d.join_url,
        "tags": list(d.tags),
        "capacity": event.capacity,
        "organiser_member_id": event.organiser_member_id,
        "organiser_node": event.organiser_node,
        "status": event.status.value,
        "cancel_reason": event.cancel_reason,
        "registrations": [
            {
                "member_id": r.member_id,
                "seat": r.seat.value,
                "at": r.at,
                "attended": r.attended,
                "member_region": r.member_region,
            }
            for r in event.registrations
        ],
        "version": event.version,
    }


def from_document(doc: dict[str, Any]) -> NetworkEvent:
    details = EventDetails(
        title=doc["title"],
        summary=doc["summary"],
        description=doc["description"],
        kind=Kind(doc["kind"]),
        mode=Mode(doc["mode"]),
        scope=Scope(doc["scope"]),
        region=doc["region"],
        starts_at=doc["starts_at"],
        ends_at=doc["ends_at"],
        timezone=doc["timezone"],
        venue=doc.get("venue"),
        join_url=doc.get("join_url"),
        tags=tuple(doc.get("tags", ())),
    )
    return NetworkEvent(
        id=doc["_id"],
        details=details,
        capacity=doc["capacity"],
        organiser_member_id=doc.get("organiser_member_id"),
        organiser_node=doc.get("organiser_node"),
        status=Status(doc["status"]),
        cancel_reason=doc.get("cancel_reason"),
        registrations=[
            Registration(
                r["member_id"],
                Seat(r["seat"]),
                r["at"],
                r.get("attended", False),
                r.get("member_region"),
            )
            for r in doc.get("registrations", [])
        ],
        version=doc.get("version", 0),
    )
