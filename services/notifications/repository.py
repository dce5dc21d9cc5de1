"""MongoDB persistence (knet_notifications): the members read model and who is attached to
what, fan-out chunks (their jobs in the outbox), the inbox (each item with its `delivered`
fact in the outbox), and deliveries by email and webhook (the delivery log)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pymongo import IndexModel, InsertOne, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.notifications.domain.messages import Channel, Message
from services.notifications.domain.notifications import Delivery, InboxItem
from services.notifications.domain.preferences import Preferences
from services.notifications.facts import DeliveryFailed, NotificationDelivered, NotificationJob
from services.notifications.stores import MemberRecord
from shared.clock import Clock
from shared.cloudevents import Fact, make_event
from shared.mongo import Db
from shared.outbox import OUTBOX_FIELD, outbox_entries, push_to_outbox
from shared.pagination import fetch_page

SOURCE = "/services/notifications"

INDEXES: dict[str, list[IndexModel]] = {
    "members": [
        IndexModel([("region", 1), ("roles", 1), ("status", 1)], name="by_region_role"),
        IndexModel([("interests", 1), ("status", 1), ("region", 1)], name="by_interest"),
        IndexModel([("opted_in", 1), ("status", 1), ("region", 1)], name="by_opt_in"),
    ],
    "audiences": [IndexModel([("kind", 1), ("target", 1), ("active", 1)], name="by_target")],
    "waiting": [IndexModel([("member_id", 1)], name="by_member")],
    "inbox": [
        IndexModel([("member_id", 1), ("created_at", -1), ("_id", -1)], name="by_member"),
        IndexModel([("member_id", 1), ("unread", 1)], name="unread"),
        # How far a fan-out has gone (operators, the benchmark): counted from the index.
        IndexModel([("source_id", 1)], name="by_source"),
    ],
    "deliveries": [
        # The retry loop's pending deliveries, and the emails held for digests, by time due.
        IndexModel([("status", 1), ("next_attempt_at", 1)], name="due"),
        IndexModel([("digest_id", 1), ("status", 1)], name="by_digest"),
        IndexModel([("member_id", 1), ("created_at", -1), ("_id", -1)], name="by_member"),
    ],
}


def _outbox(facts: list[tuple[Fact, str]], clock: Clock) -> list[dict[str, Any]]:
    """Outbox entries for facts, each with its subject (the Kafka key)."""
    return outbox_entries(
        (make_event(fact, source=SOURCE, subject=subject, clock=clock), fact.topic)
        for fact, subject in facts
    )


def _member(d: dict[str, Any]) -> MemberRecord:
    return MemberRecord(
        member_id=d["_id"],
        name=d.get("name", ""),
        email=d.get("email"),
        region=d.get("region"),
        roles=frozenset(d.get("roles", ())),
        interests=frozenset(d.get("interests", ())),
        status=d.get("status", "pending"),
        preferences=Preferences.of(d.get("preferences")),
    )


def opted_in(preferences: Preferences) -> list[str]:
    """The categories a member takes on some channel: a national event goes to those who
    take events (indexed, so "everyone who opted in" is a range, not a scan)."""
    return sorted(c.value for c, channels in preferences.channels.items() if channels)


class Directory:
    def __init__(self, db: Db) -> None:
        self.collection = db["members"]

    async def apply(self, member_id: str, as_of: datetime, changes: dict[str, Any]) -> None:
        defaults = Preferences()
        # Newer than what is recorded, or unknown (then inserted with the defaults); a
        # duplicate key means what is recorded is as new or newer: nothing changes.
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.update_one(
                {"_id": member_id, "as_of": {"$lt": as_of}},
                {
                    "$set": {**changes, "as_of": as_of},
                    "$setOnInsert": {
                        "preferences": defaults.as_dict(),
                        "opted_in": opted_in(defaults),
                    },
                },
                upsert=True,
            )

    async def get(self, member_id: str) -> MemberRecord | None:
        document = await self.collection.find_one({"_id": member_id})
        return _member(document) if document else None

    async def get_many(self, member_ids: list[str]) -> dict[str, MemberRecord]:
        found = self.collection.find({"_id": {"$in": member_ids}})
        return {d["_id"]: _member(d) async for d in found}

    async def set_preferences(self, member_id: str, preferences: Preferences) -> bool:
        result = await self.collection.update_one(
            {"_id": member_id},
            {"$set": {"preferences": preferences.as_dict(), "opted_in": opted_in(preferences)}},
        )
        return bool(result.matched_count)

    async def with_role(self, region: str, role: str) -> list[str]:
        query = {"region": region, "roles": role, "status": "active"}
        return [d["_id"] async for d in self.collection.find(query, {"_id": 1})]

    async def interested(
        self, *, region: str | None, tags: list[str], everyone: bool, category: str
    ) -> list[str]:
        query: dict[str, Any] = {"status": "active"}
        if everyone:
            query["opted_in"] = category
        elif tags:
            query["interests"] = {"$in": tags}
        else:
            return []
        if region:
            query["region"] = region
        return [d["_id"] async for d in self.collection.find(query, {"_id": 1})]


class Audiences:
    def __init__(self, db: Db) -> None:
        self.collection = db["audiences"]

    async def set(
        self, kind: str, target: str, member_id: str, *, active: bool, as_of: datetime
    ) -> None:
        fields = {"kind": kind, "target": target, "member_id": member_id, "active": active}
        with contextlib.suppress(DuplicateKeyError):  # a newer fact is recorded
            await self.collection.update_one(
                {"_id": f"{kind}|{target}|{member_id}", "as_of": {"$lt": as_of}},
                {"$set": {**fields, "as_of": as_of}},
                upsert=True,
            )

    async def members(self, kind: str, target: str) -> list[str]:
        query = {"kind": kind, "target": target, "active": True}
        return [d["member_id"] async for d in self.collection.find(query, {"member_id": 1})]


class Fanouts:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.collection = db["fanouts"]
        self.clock = clock

    async def add(self, key: str, jobs: list[NotificationJob]) -> bool:
        document = {
            "_id": key,
            "jobs": len(jobs),
            "at": self.clock.now(),
            OUTBOX_FIELD: _outbox([(job, job.member_id) for job in jobs], self.clock),
        }
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError:
            return False
        return True


def _job_id(job: NotificationJob) -> str:
    return f"{job.source_id}|{job.member_id}"


class Waiting:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.collection = db["waiting"]
        self.clock = clock

    async def add(self, jobs: list[NotificationJob]) -> None:
        writes = [
            UpdateOne(
                {"_id": _job_id(job)},
                {
                    "$setOnInsert": {
                        "member_id": job.member_id,
                        "job": job.model_dump(mode="json"),
                        "at": self.clock.now(),
                    }
                },
                upsert=True,
            )
            for job in jobs
        ]
        await self.collection.bulk_write(writes, ordered=False)

    async def of(self, member_id: str) -> list[NotificationJob]:
        found = self.collection.find({"member_id": member_id}).sort("at", 1)
        return [NotificationJob(**d["job"]) async for d in found]

    async def remove(self, jobs: list[NotificationJob]) -> None:
        await self.collection.delete_many({"_id": {"$in": [_job_id(job) for job in jobs]}})


def _item(d: dict[str, Any]) -> InboxItem:
    return InboxItem(
        id=d["_id"],
        member_id=d["member_id"],
        source_id=d["source_id"],
        message=Message.of(d["message"]),
        created_at=d["created_at"],
        read_at=d.get("read_at"),
    )


class Inbox:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.collection = db["inbox"]
        self.clock = clock

    async def add_many(self, items: list[InboxItem], delivered: list[NotificationDelivered]) -> int:
        facts = {fact.notification_id: fact for fact in delivered}
        writes = [
            InsertOne(
                {
                    "_id": item.id,
                    "member_id": item.member_id,
                    "source_id": item.source_id,
                    "message": item.message.as_dict(),
                    "created_at": item.created_at,
                    # A flag beside the time: "unread" is an equality an index serves at once.
                    "unread": True,
                    "read_at": None,
                    OUTBOX_FIELD: _outbox([(facts[item.id], item.member_id)], self.clock),
                }
            )
            for item in items
        ]
        try:
            result = await self.collection.bulk_write(writes, ordered=False)
        except BulkWriteError as error:
            # Only duplicates (a redelivered job) are expected; anything else is raised.
            details = error.details
            if any(e.get("code") != 11000 for e in details.get("writeErrors", [])):
                raise
            return int(details.get("nInserted", 0))
        return result.inserted_count

    async def page(
        self, member_id: str, *, cursor: str | None, limit: int, unread_only: bool = False
    ) -> tuple[list[InboxItem], str | None]:
        criteria: dict[str, Any] = {"member_id": member_id}
        if unread_only:
            criteria["unread"] = True
        documents, next_cursor = await fetch_page(
            self.collection,
            criteria,
            sort=["created_at", "_id"],
            cursor=cursor,
            limit=limit,
            projection={OUTBOX_FIELD: 0},
            descending=True,
        )
        return [_item(d) for d in documents], next_cursor

    async def unread(self, member_id: str) -> int:
        return await self.collection.count_documents({"member_id": member_id, "unread": True})

    async def mark_read(self, member_id: str, item_id: str, at: datetime) -> bool:
        found = await self.collection.find_one({"_id": item_id, "member_id": member_id}, {"_id": 1})
        if found is None:
            return False
        await self.collection.update_one(
            {"_id": item_id, "unread": True}, {"$set": {"read_at": at, "unread": False}}
        )
        return True

    async def mark_all_read(self, member_id: str, at: datetime) -> int:
        result = await self.collection.update_many(
            {"member_id": member_id, "unread": True}, {"$set": {"read_at": at, "unread": False}}
        )
        return result.modified_count


def _delivery(d: dict[str, Any]) -> Delivery:
    return Delivery(
        id=d["_id"],
        notification_id=d["notification_id"],
        member_id=d["member_id"],
        channel=Channel(d["channel"]),
        to=d["to"],
        name=d["name"],
        message=Message.of(d["message"]),
        created_at=d["created_at"],
        digest=tuple(Message.of(m) for m in d.get("digest", ())),
        digest_id=d.get("digest_id"),
        status=d["status"],
        attempts=d["attempts"],
        next_attempt_at=d.get("next_attempt_at"),
        last_error=d.get("last_error"),
        sent_at=d.get("sent_at"),
    )


class Deliveries:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.collection = db["deliveries"]
        self.clock = clock

    async def add(self, delivery: Delivery) -> bool:
        document = {
            "_id": delivery.id,
            "notification_id": delivery.notification_id,
            "member_id": delivery.member_id,
            "channel": delivery.channel.value,
            "to": delivery.to,
            "name": delivery.name,
            "message": delivery.message.as_dict(),
            "digest": [m.as_dict() for m in delivery.digest],
            "digest_id": delivery.digest_id,
            "created_at": delivery.created_at,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "next_attempt_at": delivery.next_attempt_at,
            "last_error": delivery.last_error,
        }
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        query = {"status": "pending", "next_attempt_at": {"$lte": now}}
        found = self.collection.find(query, {OUTBOX_FIELD: 0}).sort("next_attempt_at", 1)
        return [_delivery(d) for d in await found.to_list(limit)]

    async def claim(self, delivery_id: str, seen: datetime, until: datetime) -> bool:
        result = await self.collection.update_one(
            {"_id": delivery_id, "status": "pending", "next_attempt_at": seen},
            {"$set": {"next_attempt_at": until}},
        )
        return result.modified_count == 1

    async def sent(self, delivery_id: str, at: datetime, fact: NotificationDelivered) -> None:
        await self._finish(delivery_id, {"status": "sent", "sent_at": at}, fact)

    async def failed(self, delivery_id: str, reason: str, fact: DeliveryFailed) -> None:
        await self._finish(delivery_id, {"status": "failed", "last_error": reason[:500]}, fact)

    async def _finish(self, delivery_id: str, fields: dict[str, Any], fact: Fact) -> None:
        subject = getattr(fact, "member_id", delivery_id)
        await self.collection.update_one(
            {"_id": delivery_id, "status": "pending"},
            {
                "$set": {**fields, "next_attempt_at": None},
                "$push": push_to_outbox(_outbox([(fact, subject)], self.clock)),
            },
        )

    async def postpone(
        self, delivery_id: str, *, attempts: int, next_attempt_at: datetime, error: str
    ) -> None:
        await self.collection.update_one(
            {"_id": delivery_id, "status": "pending"},
            {
                "$set": {
                    "attempts": attempts,
                    "next_attempt_at": next_attempt_at,
                    "last_error": error[:500],
                }
            },
        )

    async def digests_due(self, now: datetime, limit: int) -> list[str]:
        query = {"status": "held", "next_attempt_at": {"$lte": now}}
        found = self.collection.find(query, {"digest_id": 1}).sort("next_attempt_at", 1)
        return list(dict.fromkeys(d["digest_id"] for d in await found.to_list(limit)))

    async def held_for(self, digest_id: str) -> list[Delivery]:
        found = self.collection.find({"digest_id": digest_id, "status": "held"}, {OUTBOX_FIELD: 0})
        return sorted((_delivery(d) for d in await found.to_list(None)), key=_oldest)

    async def digested(self, digest_id: str, at: datetime) -> None:
        await self.collection.update_many(
            {"digest_id": digest_id, "status": "held"},
            {"$set": {"status": "digested", "sent_at": at, "next_attempt_at": None}},
        )

    async def log(
        self, member_id: str, *, channel: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Delivery], str | None]:
        criteria: dict[str, Any] = {"member_id": member_id}
        if channel:
            criteria["channel"] = channel
        documents, next_cursor = await fetch_page(
            self.collection,
            criteria,
            sort=["created_at", "_id"],
            cursor=cursor,
            limit=limit,
            projection={OUTBOX_FIELD: 0},
            descending=True,
        )
        return [_delivery(d) for d in documents], next_cursor


def _oldest(delivery: Delivery) -> tuple[datetime, str]:
    return delivery.created_at, delivery.id
