"""MongoDB access: one AsyncMongoClient per process, one database per service, indexes
created at start (idempotent)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient, IndexModel, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from shared.settings import PlatformSettings

Db = AsyncDatabase[dict[str, Any]]


def connect(
    settings: PlatformSettings, listeners: Sequence[monitoring.CommandListener] = ()
) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(
        settings.mongodb_uri,
        serverSelectionTimeoutMS=5000,
        tz_aware=True,
        uuidRepresentation="standard",
        event_listeners=list(listeners),
    )


def service_database(
    client: AsyncMongoClient[dict[str, Any]], service: str, suffix: str = ""
) -> Db:
    return client[f"knet_{service}{suffix}"]


async def ensure_indexes(db: Db, indexes: Mapping[str, Sequence[IndexModel]]) -> None:
    """Creates each collection's indexes in one command; existing ones are left as they are."""
    for collection, models in indexes.items():
        await db[collection].create_indexes(list(models))


async def ping(client: AsyncMongoClient[dict[str, Any]]) -> bool:
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    return True
