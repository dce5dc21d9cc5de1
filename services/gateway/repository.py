"""The gateway's MongoDB collections: sessions, sign-in failure counts and operators'
decisions about dead letters. Its only state; it never reads another service's database."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import IndexModel
from pymongo.errors import DuplicateKeyError

from services.gateway.domain.api_tokens import FORMER_SCOPES, MAX_PER_MEMBER, ApiToken
from services.gateway.domain.sessions import Session
from services.gateway.domain.sso import Attempt
from services.gateway.domain.throttle import Failures
from shared.mongo import Db

INDEXES: dict[str, list[IndexModel]] = {
    "sso_attempts": [IndexModel([("created_at", 1)], name="by_created_at")],
    "sessions": [
        IndexModel([("member_id", 1)], name="by_member"),
        IndexModel([("created_at", 1)], name="by_created_at"),
    ],
    "sign_in_failures": [IndexModel([("window", 1)], name="by_window")],
    "api_tokens": [IndexModel([("member_id", 1), ("created_at", -1)], name="by_member")],
}


def to_document(session: Session) -> dict[str, Any]:
    return {
        "_id": session.id_hash,
        "member_id": session.member_id,
        "name": session.name,
        "region": session.region,
        "roles": sorted(session.roles),
        "status": session.status,
        "created_at": session.created_at,
        "seen_at": session.seen_at,
        "refreshed_at": session.refreshed_at,
        "csrf_secret": session.csrf_secret,
    }


def from_document(document: dict[str, Any]) -> Session:
    return Session(
        id_hash=document["_id"],
        member_id=document["member_id"],
        name=document["name"],
        region=document["region"],
        roles=frozenset(document["roles"]),
        status=document["status"],
        created_at=document["created_at"],
        seen_at=document["seen_at"],
        refreshed_at=document["refreshed_at"],
        csrf_secret=document["csrf_secret"],
    )


class SessionRepository:
    def __init__(self, db: Db) -> None:
        self.collection = db["sessions"]

    async def add(self, session: Session) -> None:
        await self.collection.insert_one(to_document(session))

    async def get(self, id_hash: str) -> Session | None:
        document = await self.collection.find_one({"_id": id_hash})
        return from_document(document) if document else None

    async def save(self, session: Session) -> None:
        await self.collection.replace_one({"_id": session.id_hash}, to_document(session))

    async def remove(self, id_hash: str) -> None:
        await self.collection.delete_one({"_id": id_hash})

    async def remove_member(self, member_id: str) -> int:
        return (await self.collection.delete_many({"member_id": member_id})).deleted_count

    async def remove_older_than(self, created_before: datetime) -> int:
        result = await self.collection.delete_many({"created_at": {"$lt": created_before}})
        return result.deleted_count


class SignInFailureCounts:
    """One counter per key and fixed window, raised atomically ($inc, upsert), with the time
    of the last failure ($max: racing failures keep the latest)."""

    def __init__(self, db: Db) -> None:
        self.collection = db["sign_in_failures"]

    async def get(self, key: str, window: datetime) -> Failures:
        document = await self.collection.find_one({"_id": _id(key, window)})
        if document is None:
            return Failures()
        return Failures(int(document["failures"]), document.get("last_at"))

    async def add(self, key: str, window: datetime, at: datetime) -> None:
        await self.collection.update_one(
            {"_id": _id(key, window)},
            {"$inc": {"failures": 1}, "$max": {"last_at": at}, "$setOnInsert": {"window": window}},
            upsert=True,
        )

    async def clear(self, key: str, window: datetime) -> None:
        await self.collection.delete_one({"_id": _id(key, window)})

    async def remove_before(self, window: datetime) -> int:
        return (await self.collection.delete_many({"window": {"$lt": window}})).deleted_count


def _id(key: str, window: datetime) -> str:
    return f"{key}|{window.isoformat()}"


class SsoAttemptRecords:
    """One document per waiting attempt; taking it deletes it in the same command, so a
    state is answered once however often its callback comes."""

    def __init__(self, db: Db) -> None:
        self.collection = db["sso_attempts"]

    async def add(self, attempt: Attempt) -> None:
        await self.collection.insert_one({"_id": attempt.state_hash, **asdict(attempt)})

    async def take(self, state_hash: str) -> Attempt | None:
        document = await self.collection.find_one_and_delete({"_id": state_hash})
        if document is None:
            return None
        document.pop("_id")
        return Attempt(**document)

    async def remove_before(self, created_before: datetime) -> int:
        found = await self.collection.delete_many({"created_at": {"$lt": created_before}})
        return found.deleted_count


class DeadLetterDecisionRecords:
    """One document per decided entry, keyed by its place in the topic: the insert is the
    claim, so two operators acting at once take one action."""

    def __init__(self, db: Db) -> None:
        self.collection = db["dead_letter_decisions"]

    async def claim(self, entry: str, *, decision: str, by: str, at: datetime, note: str) -> bool:
        document = {"_id": entry, "decision": decision, "by": by, "at": at, "note": note}
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def release(self, entry: str) -> None:
        await self.collection.delete_one({"_id": entry})

    async def decided(self, entries: list[str]) -> dict[str, dict[str, Any]]:
        found = self.collection.find({"_id": {"$in": entries}})
        return {d.pop("_id"): d async for d in found}


class ApiTokenRepository:
    """A token's document is its identity (a session's fields) with its label, expiry and
    last use; its `_id` is the secret's hash."""

    def __init__(self, db: Db) -> None:
        self.collection = db["api_tokens"]

    @staticmethod
    def _document(token: ApiToken) -> dict[str, Any]:
        return {
            **to_document(token.identity),
            "label": token.label,
            "expires_at": token.expires_at,
            "last_used_at": token.last_used_at,
            "scopes": sorted(token.scopes),
        }

    @staticmethod
    def _token(document: dict[str, Any]) -> ApiToken:
        return ApiToken(
            label=document["label"],
            expires_at=document["expires_at"],
            identity=from_document(document),
            last_used_at=document.get("last_used_at"),
            scopes=frozenset(document.get("scopes", FORMER_SCOPES)),
        )

    async def add(self, token: ApiToken) -> None:
        await self.collection.insert_one(self._document(token))

    async def get(self, id_hash: str) -> ApiToken | None:
        document = await self.collection.find_one({"_id": id_hash})
        return self._token(document) if document else None

    async def save(self, token: ApiToken) -> None:
        await self.collection.replace_one({"_id": token.id_hash}, self._document(token))

    async def of_member(self, member_id: str) -> list[ApiToken]:
        found = self.collection.find({"member_id": member_id}).sort("created_at", -1)
        return [self._token(d) for d in await found.to_list(MAX_PER_MEMBER)]

    async def remove(self, member_id: str, id_hash: str) -> bool:
        result = await self.collection.delete_one({"_id": id_hash, "member_id": member_id})
        return result.deleted_count == 1

    async def remove_member(self, member_id: str) -> int:
        return (await self.collection.delete_many({"member_id": member_id})).deleted_count
