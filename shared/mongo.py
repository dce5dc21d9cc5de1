"""MongoDB access: one AsyncMongoClient per process, one database per service, indexes
created at start (idempotent)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect, OperationFailure

from shared.settings import PlatformSettings

Db = AsyncDatabase[dict[str, Any]]


def is_transient(error: BaseException) -> bool:
    """A failure that a retry can cure: FerretDB's SQLite write contention (a deferred
    transaction that must upgrade gets SQLITE_BUSY at once, whatever the busy timeout) or a
    dropped connection."""
    if isinstance(error, AutoReconnect):
        return True
    return isinstance(error, OperationFailure) and "SQLITE_BUSY" in str(error)


def connect(settings: PlatformSettings) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(
        settings.mongodb_uri,
        serverSelectionTimeoutMS=5000,
        tz_aware=True,
        uuidRepresentation="standard",
    )


def service_database(
    client: AsyncMongoClient[dict[str, Any]], service: str, suffix: str = ""
) -> Db:
    return client[f"knet_{service}{suffix}"]


async def ensure_indexes(db: Db, indexes: Mapping[str, Sequence[IndexModel]]) -> None:
    """Creates the missing indexes, one per command: FerretDB 1.24 drops the connection
    (a panic in its handler) when one createIndexes names several indexes that all exist."""
    for collection, models in indexes.items():
        existing = {index["name"] async for index in await db[collection].list_indexes()}
        for model in models:
            if model.document["name"] not in existing:
                await db[collection].create_indexes([model])


async def ping(client: AsyncMongoClient[dict[str, Any]]) -> bool:
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    return True
