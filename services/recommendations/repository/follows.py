"""What members follow: recommendations and plans."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.recommendations.stores import Follow
from shared.idempotency import insert_once
from shared.mongo import Db
from shared.pagination import fetch_page


class Follows:
    def __init__(self, db: Db) -> None:
        self.collection: AsyncCollection[dict[str, Any]] = db["follows"]

    async def follow(self, member_id: str, kind: str, target: str, at: datetime) -> bool:
        document = {
            "_id": f"{member_id}|{kind}|{target}",
            "member_id": member_id,
            "kind": kind,
            "target": target,
            "at": at,
        }
        return await insert_once(self.collection, document)

    async def unfollow(self, member_id: str, kind: str, target: str) -> bool:
        result = await self.collection.delete_one({"_id": f"{member_id}|{kind}|{target}"})
        return bool(result.deleted_count)

    async def page(
        self, member_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Follow], str | None]:
        documents, next_cursor = await fetch_page(
            self.collection, {"member_id": member_id}, sort=["_id"], cursor=cursor, limit=limit
        )
        return [
            Follow(d["member_id"], d["kind"], d["target"], d["at"]) for d in documents
        ], next_cursor

    async def forget_member(self, member_id: str) -> None:
        await self.collection.delete_many({"member_id": member_id})
