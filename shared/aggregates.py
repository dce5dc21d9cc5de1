"""Writing aggregates: the state change and the events it causes in one document write, under
the document's write lock (shared/locks.py), plus a pending marker for the outbox relay.

The marker lets the relay read only the aggregates that have something to publish, where
polling the aggregates themselves would scan the whole collection on FerretDB (it pushes down
only `_id` equality). It is a second write, after the aggregate's: a crash in between leaves
events without a marker, which the relay's periodic sweep finds (shared/outbox.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.clock import Clock
from shared.cloudevents import EventData, make_event
from shared.locks import DocumentLocks
from shared.mongo import Db
from shared.outbox import (
    OUTBOX_FIELD,
    PENDING_COLLECTION,
    outbox_entries,
    pending_marker,
    push_to_outbox,
)


class AggregateStore:
    def __init__(
        self, db: Db, name: str, locks: DocumentLocks, *, source: str, clock: Clock
    ) -> None:
        self.collection: AsyncCollection[dict[str, Any]] = db[name]
        self.pending = db[PENDING_COLLECTION]
        self.locks = locks
        self.source = source
        self.clock = clock

    async def insert(
        self, document: dict[str, Any], events: Sequence[EventData], *, subject: str | None = None
    ) -> None:
        """Inserts a new aggregate with its events. DuplicateKeyError is the caller's to map.
        `subject` (the events' subject and Kafka key) defaults to the document's `_id`; a
        record that speaks for another aggregate, like a reminder, names that one."""
        await self.collection.insert_one(
            {**document, OUTBOX_FIELD: self._entries(subject or document["_id"], events)}
        )
        await self._mark(document["_id"], events)

    async def insert_once(
        self, document: dict[str, Any], events: Sequence[EventData], *, subject: str | None = None
    ) -> bool:
        """`insert` for records keyed by what they answer (a message id, a reminder's key):
        True when this call wrote it, False when it was already there (nothing written)."""
        try:
            await self.insert(document, events, subject=subject)
        except DuplicateKeyError:
            return False
        return True

    async def update(
        self, document_id: Any, version: int, update: dict[str, Any], events: Sequence[EventData]
    ) -> bool:
        """Applies `update` and bumps the version if the aggregate is still at `version`.
        False: someone changed it since it was read; reload and retry."""
        update = {**update, "$inc": {**update.get("$inc", {}), "version": 1}}
        if events:
            update["$push"] = push_to_outbox(self._entries(document_id, events))
        async with self.locks.hold(self.collection.name, document_id):
            result = await self.collection.update_one(
                {"_id": document_id, "version": version}, update
            )
        if not result.matched_count:
            return False
        await self._mark(document_id, events)
        return True

    def _entries(self, subject: Any, events: Sequence[EventData]) -> list[dict[str, Any]]:
        return outbox_entries(
            (
                make_event(
                    e,
                    source=self.source,
                    subject=str(subject),
                    region=getattr(e, "region", None),
                    clock=self.clock,
                ),
                e.topic,
            )
            for e in events
        )

    async def _mark(self, document_id: Any, events: Sequence[EventData]) -> None:
        if events:
            # Already marked: the relay will see all of its events.
            with contextlib.suppress(DuplicateKeyError):
                await self.pending.insert_one(pending_marker(self.collection.name, document_id))
