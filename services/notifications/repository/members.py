"""The members read model (with each one's preferences and opted-in categories) and who is
attached to what (followers, registrants): whom a fact reaches."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.notifications.domain.preferences import Preferences
from services.notifications.stores import MemberRecord
from shared.mongo import Db
from shared.sealed import Sealer


def _member(d: dict[str, Any], sealer: Sealer) -> MemberRecord:
    return MemberRecord(
        member_id=d["_id"],
        name=d.get("name", ""),
        email=d.get("email"),
        region=d.get("region"),
        roles=frozenset(d.get("roles", ())),
        interests=frozenset(d.get("interests", ())),
        status=d.get("status", "pending"),
        preferences=_unsealed(Preferences.of(d.get("preferences")), sealer),
    )


def _sealed(preferences: Preferences, sealer: Sealer) -> dict[str, Any]:
    """Preferences as stored: the webhook's secret sealed, never in the clear."""
    document = preferences.as_dict()
    if preferences.webhook_secret:
        document["webhook_secret"] = sealer.seal(preferences.webhook_secret)
    return document


def _unsealed(preferences: Preferences, sealer: Sealer) -> Preferences:
    secret = preferences.webhook_secret
    if not secret or secret.startswith("whsec_"):  # none, or kept before secrets were sealed
        return preferences
    return replace(preferences, webhook_secret=sealer.unseal(secret))


def opted_in(preferences: Preferences) -> list[str]:
    """The categories a member takes on some channel: a national event goes to those who
    take events (indexed, so "everyone who opted in" is a range, not a scan)."""
    return sorted(c.value for c, channels in preferences.channels.items() if channels)


class Directory:
    def __init__(self, db: Db, sealer: Sealer) -> None:
        self.collection = db["members"]
        self.sealer = sealer

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
        return _member(document, self.sealer) if document else None

    async def get_many(self, member_ids: list[str]) -> dict[str, MemberRecord]:
        found = self.collection.find({"_id": {"$in": member_ids}})
        return {d["_id"]: _member(d, self.sealer) async for d in found}

    async def set_preferences(self, member_id: str, preferences: Preferences) -> bool:
        result = await self.collection.update_one(
            {"_id": member_id},
            {
                "$set": {
                    "preferences": _sealed(preferences, self.sealer),
                    "opted_in": opted_in(preferences),
                }
            },
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
