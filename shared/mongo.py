"""MongoDB access: one AsyncMongoClient per process, one database per service, indexes
created at start (idempotent)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from shared.settings import PlatformSettings

Db = AsyncDatabase[dict[str, Any]]


def connect(settings: PlatformSettings) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(
        settings.mongodb_uri,
        serverSelectionTimeoutMS=5000,
        tz_aware=True,
        uuidRepresentation="standard",
    )


def service_database(client: AsyncMongoClient[dict[str, Any]], service: str) -> Db:
    return client[f"knet_{service}"]


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
