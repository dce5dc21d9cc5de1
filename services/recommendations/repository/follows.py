"""What members follow: recommendations and plans. A follow's document stays when it stops
(`active: false`), so that its `follow.stopped` fact waits in its outbox like any other; the
change and its fact are one conditional single-document write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from services.recommendations.facts import FollowStarted, FollowStopped
from services.recommendations.repository.common import SOURCE
from services.recommendations.stores import Follow
from shared.clock import Clock
from shared.mongo import Db
from shared.outbox import facts_outbox, push_to_outbox
from shared.pagination import fetch_page


class Follows:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.collection: AsyncCollection[dict[str, Any]] = db["follows"]
        self.clock = clock

    def _outbox(self, key: str, fact: FollowStarted | FollowStopped) -> dict[str, Any]:
        entries = facts_outbox([(fact, key)], source=SOURCE, clock=self.clock)
        return push_to_outbox(entries)  # the `$push` clause

    async def follow(self, started: FollowStarted, at: datetime) -> bool:
        key = f"{started.member_id}|{started.kind}|{started.target}"
        fields = {
            "member_id": started.member_id,
            "kind": started.kind,
            "target": started.target,
            "at": at,
            "active": True,
        }
        try:
            # Matches a stopped follow (or none: inserted); an active one fails the filter, and
            # its upsert then meets the `_id` already there.
            await self.collection.update_one(
                {"_id": key, "active": {"$ne": True}},
                {"$set": fields, "$push": self._outbox(key, started)},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True

    async def unfollow(self, stopped: FollowStopped) -> bool:
        key = f"{stopped.member_id}|{stopped.kind}|{stopped.target}"
        result = await self.collection.update_one(
            {"_id": key, "active": True},
            {"$set": {"active": False}, "$push": self._outbox(key, stopped)},
        )
        return bool(result.modified_count)

    async def page(
        self, member_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Follow], str | None]:
        documents, next_cursor = await fetch_page(
            self.collection,
            {"member_id": member_id, "active": True},
            sort=["_id"],
            cursor=cursor,
            limit=limit,
        )
        return [
            Follow(d["member_id"], d["kind"], d["target"], d["at"]) for d in documents
        ], next_cursor

    async def forget_member(self, member_id: str) -> None:
        await self.collection.delete_many({"member_id": member_id})
