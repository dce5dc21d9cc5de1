"""Contribution records: one document per contributing event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shared.idempotency import insert_once
from shared.mongo import Db


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
