"""Per-document write locks, for a store whose updates are not atomic.

FerretDB 1.x on SQLite runs an update as a query, a filter and an unconditional write by
`_id` (internal/handler/msg_update.go): two writers of one document can interleave and one
update is silently lost, even with a version condition in the filter. The one atomic arbiter
it has is an insert against a unique `_id`, so a lock is a document: insert it to take the
lock, delete it to give it back. Every writer of an aggregate (its use cases' saves and the
outbox relay's removals) holds the lock, and inside it a conditional update on a version field
is exact. Locks expire, so a crashed holder does not block the aggregate for ever. On MongoDB,
where single-document updates are atomic, the lock is redundant and merely costs two writes.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from shared.clock import Clock, SystemClock, new_id
from shared.errors import Conflict
from shared.mongo import Db

LOCKS_COLLECTION = "locks"


class DocumentLocks:
    def __init__(
        self,
        db: Db,
        *,
        clock: Clock | None = None,
        ttl: timedelta = timedelta(seconds=10),
        wait_seconds: float = 5.0,
    ) -> None:
        self.collection = db[LOCKS_COLLECTION]
        self.clock = clock or SystemClock()
        self.ttl = ttl
        self.wait_seconds = wait_seconds

    @asynccontextmanager
    async def hold(self, collection: str, document_id: Any) -> AsyncIterator[None]:
        key = f"{collection}:{document_id}"
        token = new_id()
        await self._acquire(key, token)
        try:
            yield
        finally:
            await self.collection.delete_one({"_id": key, "token": token})

    async def _acquire(self, key: str, token: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        pause = 0.002
        while True:
            now = self.clock.now()
            try:
                await self.collection.insert_one(
                    {"_id": key, "token": token, "expires": now + self.ttl}
                )
                return
            except DuplicateKeyError:
                pass
            holder = await self.collection.find_one({"_id": key})
            if holder is not None and holder["expires"] <= now:
                # The holder died: free it; the next insert decides who gets it.
                await self.collection.delete_one({"_id": key, "token": holder["token"]})
                continue
            if loop.time() >= deadline:
                raise Conflict("busy", "Someone else is changing this right now; try again")
            await asyncio.sleep(pause * (1 + random.random()))
            pause = min(pause * 2, 0.05)
