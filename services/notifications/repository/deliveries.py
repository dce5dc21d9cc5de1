"""The delivery log of email and webhook calls: leases, retries, digests held and gathered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.notifications.domain.messages import Channel, Message
from services.notifications.domain.notifications import Delivery
from services.notifications.facts import DeliveryFailed, NotificationDelivered
from services.notifications.repository.common import outbox_for
from shared.clock import Clock
from shared.cloudevents import Fact
from shared.mongo import Db
from shared.outbox import OUTBOX_FIELD, push_to_outbox
from shared.pagination import fetch_page


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
                "$push": push_to_outbox(outbox_for([(fact, subject)], self.clock)),
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
