"""What conversations keeps of members and for them: the read model of membership's facts,
each member's place in the threads they read or follow (with the follows' facts) and flags."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.conversations.repository.common import outbox_for
from services.conversations.stores import Flag, MemberView, Reading
from shared.clock import Clock
from shared.mongo import Db
from shared.outbox import push_to_outbox


class Members:
    def __init__(self, db: Db) -> None:
        self.collection = db["members"]

    async def apply(self, member_id: str, as_of: datetime, changes: dict[str, Any]) -> None:
        with contextlib.suppress(DuplicateKeyError):  # what is recorded is as new or newer
            await self.collection.update_one(
                {"_id": member_id, "as_of": {"$lt": as_of}},
                {"$set": {**changes, "as_of": as_of}},
                upsert=True,
            )

    async def get_many(self, member_ids: list[str]) -> dict[str, MemberView]:
        found = self.collection.find({"_id": {"$in": member_ids}})
        return {
            d["_id"]: MemberView(
                member_id=d["_id"],
                name=d.get("name", ""),
                region=d.get("region"),
                active=d.get("status") == "active",
                approved_at=d.get("approved_at"),
            )
            async for d in found
        }


class Readers:
    """`readers`: a member's read marker and follow choice for a thread, one document each
    (`member|thread`), the follow's facts in its outbox."""

    def __init__(self, db: Db, clock: Clock) -> None:
        self.collection = db["readers"]
        self.clock = clock

    async def get(self, member_id: str, thread_id: str) -> Reading:
        found = await self.collection.find_one(
            {"_id": f"{member_id}|{thread_id}"}, {"at": 1, "following": 1}
        )
        if found is None:
            return Reading()
        return Reading(read_up_to=found.get("at"), following=bool(found.get("following")))

    async def read_up_to(self, member_id: str, thread_ids: list[str]) -> dict[str, datetime]:
        ids = [f"{member_id}|{t}" for t in thread_ids]
        found = self.collection.find({"_id": {"$in": ids}}, {"at": 1})
        # A follow of a thread never opened has no marker.
        return {d["_id"].split("|", 1)[1]: d["at"] async for d in found if d.get("at")}

    async def mark(self, member_id: str, thread_id: str, at: datetime) -> None:
        key = f"{member_id}|{thread_id}"
        update = {
            "$max": {"at": at},
            "$setOnInsert": {"member_id": member_id, "thread_id": thread_id},
        }
        try:
            await self.collection.update_one({"_id": key}, update, upsert=True)
        except DuplicateKeyError:
            # Another upsert (a second tab, a follow) inserted it first: it exists now.
            await self.collection.update_one({"_id": key}, update)

    async def follow(self, member_id: str, thread_id: str, following: bool, fact: Any) -> bool:
        key = f"{member_id}|{thread_id}"
        update = {
            "$set": {"following": following, "member_id": member_id, "thread_id": thread_id},
            "$push": push_to_outbox(outbox_for([fact], thread_id, self.clock)),
        }
        # Matches only a record in the other state (or with no choice yet: a reader's); a
        # missing one is inserted.
        changed = {"_id": key, "following": {"$ne": following}}
        try:
            result = await self.collection.update_one(changed, update, upsert=True)
        except DuplicateKeyError:
            # It exists: so already, or inserted just now by another upsert (a read marker's),
            # which this update then changes.
            result = await self.collection.update_one(changed, update)
        return bool(result.modified_count or result.upserted_id is not None)


class Flags:
    def __init__(self, db: Db) -> None:
        self.collection = db["flags"]

    async def add(self, flag: Flag) -> bool:
        try:
            await self.collection.insert_one(
                {
                    "_id": f"{flag.post_id}|{flag.member_id}",
                    "post_id": flag.post_id,
                    "thread_id": flag.thread_id,
                    "member_id": flag.member_id,
                    "reason": flag.reason,
                    "region": flag.region,
                    "at": flag.at,
                    "open": True,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def open_in(self, region: str | None, *, limit: int) -> list[Flag]:
        criteria: dict[str, Any] = {"open": True}
        if region is not None:
            criteria["region"] = region
        found = self.collection.find(criteria).sort("at", 1).limit(limit)
        return [
            Flag(d["post_id"], d["thread_id"], d["member_id"], d["reason"], d["region"], d["at"])
            async for d in found
        ]

    async def close(self, post_id: str) -> None:
        await self.collection.update_many(
            {"post_id": post_id, "open": True}, {"$set": {"open": False}}
        )
