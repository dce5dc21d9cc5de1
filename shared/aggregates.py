"""Writing aggregates: the state change and the events it causes in one single-document write,
conditional on the version that was read (optimistic concurrency). The events wait in the
document's outbox until the relay publishes them (shared/outbox.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.clock import Clock
from shared.cloudevents import Fact
from shared.errors import Stale
from shared.mongo import Db
from shared.outbox import OUTBOX_FIELD, facts_outbox, push_to_outbox


class Aggregate(Protocol):
    """What every aggregate has: an id, the version it was read at, and the facts its
    changes recorded since (published with the write that saves them)."""

    id: str
    version: int
    facts: list[Any]


class AggregateStore:
    def __init__(self, db: Db, name: str, *, source: str, clock: Clock) -> None:
        self.collection: AsyncCollection[dict[str, Any]] = db[name]
        self.source = source
        self.clock = clock

    async def insert(
        self, document: dict[str, Any], events: Sequence[Fact], *, subject: str | None = None
    ) -> None:
        """Inserts a new aggregate with its events. DuplicateKeyError is the caller's to map.
        `subject` (the events' subject and Kafka key) defaults to the document's `_id`; a
        record that speaks for another aggregate, like a reminder, names that one."""
        await self.collection.insert_one(
            {**document, OUTBOX_FIELD: self._entries(subject or document["_id"], events)}
        )

    async def insert_once(
        self, document: dict[str, Any], events: Sequence[Fact], *, subject: str | None = None
    ) -> bool:
        """`insert` for records keyed by what they answer (a message id, a reminder's key):
        True when this call wrote it, False when it was already there (nothing written)."""
        try:
            await self.insert(document, events, subject=subject)
        except DuplicateKeyError:
            return False
        return True

    async def update(
        self, document_id: Any, version: int, update: dict[str, Any], events: Sequence[Fact]
    ) -> None:
        """Applies `update` and bumps the version if the aggregate is still at `version`;
        `Stale` when someone changed it since it was read (reload and decide again)."""
        update = {**update, "$inc": {**update.get("$inc", {}), "version": 1}}
        if events:
            update["$push"] = push_to_outbox(self._entries(document_id, events))
        result = await self.collection.update_one({"_id": document_id, "version": version}, update)
        if not result.matched_count:
            raise Stale(f"{self.collection.name} {document_id} changed since version {version}")

    async def save(self, aggregate: Aggregate, document: dict[str, Any]) -> None:
        """Writes an aggregate read at `aggregate.version` as `document`, with its facts, in one
        conditional update; then it is at the next version with no facts pending."""
        state = {k: v for k, v in document.items() if k not in ("_id", "version")}
        await self.update(aggregate.id, aggregate.version, {"$set": state}, aggregate.facts)
        aggregate.version += 1
        aggregate.facts.clear()

    def _entries(self, subject: Any, events: Sequence[Fact]) -> list[dict[str, Any]]:
        return facts_outbox(
            ((e, str(subject)) for e in events), source=self.source, clock=self.clock
        )
