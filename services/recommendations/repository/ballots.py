"""Members' ballots and the rankings snapshot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.recommendations.repository.common import NO_OUTBOX, RANKINGS_ID, SOURCE
from services.recommendations.stores import Ballot
from shared.aggregates import AggregateStore
from shared.clock import Clock
from shared.cloudevents import Fact
from shared.errors import Stale
from shared.mongo import Db


class Ballots:
    """Members' ballots. A withdrawn ballot stays, empty, so that its unpublished events and the
    time of the change survive it; `updated_at` tells the rankings scheduler whether anything
    moved since its last round."""

    def __init__(self, db: Db, clock: Clock) -> None:
        self.store = AggregateStore(db, "ballots", source=SOURCE, clock=clock)
        self.collection = self.store.collection

    async def changed_since(self, moment: datetime) -> dict[str, datetime]:
        """The ballots changed at or after `moment`, with when."""
        cursor = self.collection.find({"updated_at": {"$gte": moment}}, {"updated_at": 1})
        return {d["_id"]: d["updated_at"] async for d in cursor}

    async def get(self, member_id: str) -> Ballot | None:
        d = await self.collection.find_one({"_id": member_id}, NO_OUTBOX)
        if d is None:
            return None
        return Ballot(d["_id"], tuple(d["ranking"]), d.get("region"), d["updated_at"], d["version"])

    async def save(self, ballot: Ballot, facts: list[Fact], *, new: bool) -> None:
        state = {
            "ranking": list(ballot.ranking),
            "region": ballot.region,
            "updated_at": ballot.updated_at,
        }
        if new:
            try:
                await self.store.insert({"_id": ballot.member_id, **state, "version": 0}, facts)
            except DuplicateKeyError as exc:
                raise Stale(ballot.member_id) from exc
        else:
            await self.store.update(ballot.member_id, ballot.version, {"$set": state}, facts)

    async def all(self) -> list[tuple[tuple[str, ...], str | None]]:
        """Every ballot's (ranking, region), withdrawn (empty) ones left out: what the
        rankings are computed from. `to_list`, not `async for`: at 100,000 ballots the
        per-document step of an async iteration cost about half a second."""
        documents = await self.collection.find({}, {"_id": 0, "ranking": 1, "region": 1}).to_list()
        return [(tuple(d["ranking"]), d.get("region")) for d in documents if d["ranking"]]


class Rankings:
    """One snapshot document: the latest standings per scope (`national` or a region code) and
    the order last announced, with when."""

    def __init__(self, db: Db, clock: Clock) -> None:
        self.store = AggregateStore(db, "rankings", source=SOURCE, clock=clock)
        self.collection = self.store.collection

    async def get(self) -> dict[str, Any] | None:
        return await self.collection.find_one({"_id": RANKINGS_ID}, NO_OUTBOX)

    async def save(self, snapshot: dict[str, Any], version: int | None, facts: list[Fact]) -> None:
        if version is None:
            try:
                await self.store.insert({"_id": RANKINGS_ID, **snapshot, "version": 0}, facts)
            except DuplicateKeyError as exc:
                raise Stale(RANKINGS_ID) from exc
        else:
            await self.store.update(RANKINGS_ID, version, {"$set": snapshot}, facts)
