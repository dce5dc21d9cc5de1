"""Idempotent consumers: dedupe on the CloudEvent id with a unique index.

Without multi-document transactions a separate "seen" marker can't be written atomically with
the effect, so the marker *is* the effect's record: the handler's write is an insert whose `_id`
is derived from the event id. A redelivered event hits the unique `_id` and is skipped.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


async def insert_once(
    collection: AsyncCollection[dict[str, Any]], document: dict[str, Any]
) -> bool:
    """Inserts the document unless one with its `_id` exists; True when this call inserted it."""
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True
