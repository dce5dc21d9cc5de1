"""Idempotent consumers: dedupe on the CloudEvent id with a unique index.

Without multi-document transactions a separate "seen" marker can't be written atomically with
the effect, so the marker *is* the effect's record: the handler's write is an insert whose `_id`
is derived from the event id. A redelivered event hits the unique `_id` and is skipped.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

DUPLICATE_KEY = 11000


async def insert_once(
    collection: AsyncCollection[dict[str, Any]], document: dict[str, Any]
) -> bool:
    """Inserts the document unless one with its `_id` exists; True when this call inserted it."""
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True


async def insert_many_once(
    collection: AsyncCollection[dict[str, Any]], documents: list[dict[str, Any]]
) -> int:
    """Bulk form of `insert_once`, for fan-out: returns how many were new."""
    if not documents:
        return 0
    try:
        result = await collection.insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return int(exc.details.get("nInserted", len(documents) - len(errors)))
    return len(result.inserted_ids)
