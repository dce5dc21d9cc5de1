"""The inbox: each item with its `delivered` fact in the outbox; unread counts and marks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import InsertOne
from pymongo.errors import BulkWriteError

from services.notifications.domain.messages import Message
from services.notifications.domain.notifications import InboxItem
from services.notifications.facts import NotificationDelivered
from services.notifications.repository.common import outbox_for
from shared.clock import Clock
from shared.mongo import Db
from shared.outbox import OUTBOX_FIELD
from shared.pagination import fetch_page


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
                    OUTBOX_FIELD: outbox_for([(facts[item.id], item.member_id)], self.clock),
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
