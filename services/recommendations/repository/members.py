"""The members read model, kept from knet.membership.v1."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from services.recommendations.stores import MemberView
from shared.mongo import Db


class Members:
    def __init__(self, db: Db) -> None:
        self.collection: AsyncCollection[dict[str, Any]] = db["members"]

    async def apply(self, member_id: str, as_of: datetime, changes: dict[str, Any]) -> bool:
        """Applies what an event says of a member unless a later event was applied already
        (a redelivered batch replays older events). True when it changed the record."""
        try:
            result = await self.collection.update_one(
                {"_id": member_id, "as_of": {"$lte": as_of}},
                {"$set": {**changes, "as_of": as_of}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the record is newer than this event
        return bool(result.modified_count or result.upserted_id)

    async def get(self, member_id: str) -> MemberView | None:
        d = await self.collection.find_one({"_id": member_id})
        if d is None:
            return None
        return MemberView(
            d["_id"], d.get("region"), d.get("organisation_id"), d.get("active", True)
        )
