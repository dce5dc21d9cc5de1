"""Transactional outbox without transactions (FerretDB has none).

An aggregate document carries its own pending events in an `outbox` array, so a state change
and the events it causes are one document write. The relay publishes what it finds, waits for
Kafka to confirm, and only then removes exactly those entries (`$pullAll` of the documents it
read, so events appended meanwhile stay), holding the aggregate's write lock like every other
writer of it (see shared/locks.py for why). A crash between publish and removal re-publishes:
at least once, never lost; consumers dedupe on the CloudEvent id.

Several relay replicas may publish the same entry twice; that is the same at-least-once case.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import structlog
from pymongo import IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from shared.cloudevents import CloudEvent, EventData
from shared.locks import DocumentLocks
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_FAILURES, OUTBOX_PUBLISHED

log = structlog.get_logger()

OUTBOX_FIELD = "outbox"
OUTBOX_INDEX = IndexModel([(f"{OUTBOX_FIELD}.event.id", 1)], name="outbox_pending")

# publish(topic, key, value, headers) -> an awaitable that completes when Kafka confirmed
SendEvent = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[Awaitable[Any]]]


def outbox_entry(event: CloudEvent, topic: str) -> dict[str, Any]:
    return {"topic": topic, "event": event.model_dump(mode="json", exclude_none=True)}


def outbox_entries(
    events: Iterable[tuple[CloudEvent, type[EventData] | str]],
) -> list[dict[str, Any]]:
    """Entries for an aggregate's `outbox` array, each with the topic it goes to."""
    return [
        outbox_entry(event, target if isinstance(target, str) else target.topic)
        for event, target in events
    ]


def push_to_outbox(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The `$push` clause to merge into the aggregate's own update."""
    return {OUTBOX_FIELD: {"$each": entries}}


class OutboxRelay:
    def __init__(
        self,
        collections: Sequence[AsyncCollection[dict[str, Any]]],
        send: SendEvent,
        locks: DocumentLocks,
        *,
        poll_seconds: float = 0.5,
        batch_size: int = 200,
        before_remove: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.collections = list(collections)
        self.send = send
        self.locks = locks
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        # A seam for the crash test: runs after Kafka confirmed and before the removal.
        self.before_remove = before_remove

    async def run_once(self) -> int:
        published = 0
        for collection in self.collections:
            published += await self._relay(collection)
        return published

    async def run_forever(self) -> None:
        while True:
            try:
                published = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                OUTBOX_FAILURES.inc()
                log.warning("outbox relay round failed", error=repr(exc))
                published = 0
            if published == 0:
                await asyncio.sleep(self.poll_seconds)

    async def _relay(self, collection: AsyncCollection[dict[str, Any]]) -> int:
        cursor = collection.find(_PENDING, {OUTBOX_FIELD: 1}).limit(self.batch_size)
        documents = await cursor.to_list()
        OUTBOX_BACKLOG.labels(collection.name).set(len(documents))
        if not documents:
            return 0
        confirmations = []
        for document in documents:
            key = str(document["_id"]).encode()
            # Sends are queued in order and the producer is idempotent, so one aggregate's
            # events keep their order on its partition while all the sends are in flight.
            for entry in document[OUTBOX_FIELD]:
                event = CloudEvent.model_validate(entry["event"])
                headers = {"ce_id": event.id, "ce_type": event.type}
                confirmations.append(await self.send(entry["topic"], key, event.to_json(), headers))
        await asyncio.gather(*confirmations)
        if self.before_remove is not None:
            await self.before_remove()
        await asyncio.gather(*(self._remove(collection, d) for d in documents))
        for document in documents:
            for entry in document[OUTBOX_FIELD]:
                OUTBOX_PUBLISHED.labels(entry["topic"]).inc()
        return sum(len(d[OUTBOX_FIELD]) for d in documents)

    async def _remove(
        self, collection: AsyncCollection[dict[str, Any]], document: dict[str, Any]
    ) -> None:
        async with self.locks.hold(collection.name, document["_id"]):
            await collection.update_one(
                {"_id": document["_id"]}, {"$pullAll": {OUTBOX_FIELD: document[OUTBOX_FIELD]}}
            )


_PENDING = {f"{OUTBOX_FIELD}.0": {"$exists": True}}
