"""Transactional outbox without transactions (FerretDB has none).

An aggregate document carries its own pending events in an `outbox` array, so a state change
and the events it causes are one document write (shared/aggregates.py), which also leaves a
marker in `outbox_pending`. The relay reads the markers, publishes each marked aggregate's
events, waits for Kafka to confirm, then under the aggregate's write lock removes exactly
those entries (`$pullAll` of what it read, so events appended meanwhile stay) and drops the
marker if nothing is left. A crash between publish and removal re-publishes: at least once,
never lost; consumers dedupe on the CloudEvent id. A crash between an aggregate's write and
its marker leaves unmarked events, which the periodic sweep finds.

Several relay replicas may publish the same entry twice; that is the same at-least-once case.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import structlog
from pymongo import IndexModel, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from shared.cloudevents import CloudEvent, EventData
from shared.errors import Conflict
from shared.inbox import insert_many_once
from shared.locks import DocumentLocks
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_FAILURES, OUTBOX_PUBLISHED

log = structlog.get_logger()

OUTBOX_FIELD = "outbox"
PENDING_COLLECTION = "outbox_pending"
# Serves the sweep on MongoDB (FerretDB scans either way).
OUTBOX_INDEX = IndexModel([(f"{OUTBOX_FIELD}.event.id", 1)], name="outbox_events")

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


def pending_marker(collection: str, document_id: Any) -> dict[str, Any]:
    return {
        "_id": f"{collection}:{document_id}",
        "collection": collection,
        "document_id": document_id,
    }


class OutboxRelay:
    def __init__(
        self,
        db: Any,
        collections: Sequence[str],
        send: SendEvent,
        locks: DocumentLocks,
        *,
        poll_seconds: float = 0.5,
        sweep_seconds: float = 60.0,
        batch_size: int = 200,
        before_remove: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.collections: dict[str, AsyncCollection[dict[str, Any]]] = {
            n: db[n] for n in collections
        }
        self.pending: AsyncCollection[dict[str, Any]] = db[PENDING_COLLECTION]
        self.send = send
        self.locks = locks
        self.poll_seconds = poll_seconds
        self.sweep_seconds = sweep_seconds
        self.batch_size = batch_size
        # A seam for the crash test: runs after Kafka confirmed and before the removal.
        self.before_remove = before_remove

    async def run_once(self) -> int:
        """Publishes what the markers point to; returns how many events went out."""
        markers = await self.pending.find({}).limit(self.batch_size).to_list()
        OUTBOX_BACKLOG.set(len(markers))
        marked = [m for m in markers if m["collection"] in self.collections]
        if not marked:
            return 0
        documents = await asyncio.gather(
            *(
                self.collections[m["collection"]].find_one(
                    {"_id": m["document_id"]}, {OUTBOX_FIELD: 1}
                )
                for m in marked
            )
        )
        work = [(m, d) for m, d in zip(marked, documents, strict=True)]
        confirmations = []
        for _, document in work:
            # Sends are queued in order and the producer is idempotent, so one aggregate's
            # events keep their order on its partition while all the sends are in flight.
            for entry in (document or {}).get(OUTBOX_FIELD, []):
                event = CloudEvent.model_validate(entry["event"])
                # The key is the aggregate the event is about (its subject), so that one
                # aggregate's events share a partition and keep their order.
                key = (event.subject or str(document["_id"])).encode()  # type: ignore[index]
                headers = {"ce_id": event.id, "ce_type": event.type}
                confirmations.append(await self.send(entry["topic"], key, event.to_json(), headers))
        await asyncio.gather(*confirmations)
        if self.before_remove is not None:
            await self.before_remove()
        # One after another: SQLite serialises writes anyway, and two hundred concurrent
        # writers only turn into SQLITE_BUSY errors. An aggregate whose lock is busy keeps its
        # marker and is published again next round (at least once, readers dedupe); the
        # others are removed regardless, so one busy aggregate does not re-send the round.
        busy = 0
        for marker, document in work:
            try:
                await self._remove(marker, document)
            except Conflict:
                busy += 1
        if busy:
            log.info("outbox removal deferred: aggregates busy", count=busy)
        for _, document in work:
            for entry in (document or {}).get(OUTBOX_FIELD, []):
                OUTBOX_PUBLISHED.labels(entry["topic"]).inc()
        return len(confirmations)

    async def sweep(self) -> int:
        """Marks aggregates whose events have no marker (a crash between the two writes).
        It scans the collections, so it runs rarely."""
        markers = []
        for name, collection in self.collections.items():
            async for document in collection.find(
                {f"{OUTBOX_FIELD}.0": {"$exists": True}}, {"_id": 1}
            ):
                markers.append(pending_marker(name, document["_id"]))
        return await insert_many_once(self.pending, markers)

    async def run_forever(self) -> None:
        loop = asyncio.get_running_loop()
        next_sweep = 0.0
        while True:
            try:
                if loop.time() >= next_sweep:
                    if swept := await self.sweep():
                        log.warning("outbox sweep marked unmarked aggregates", count=swept)
                    next_sweep = loop.time() + self.sweep_seconds
                published = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                OUTBOX_FAILURES.inc()
                log.warning("outbox relay round failed", error=repr(exc))
                published = 0
            if published == 0:
                await asyncio.sleep(self.poll_seconds)

    async def _remove(self, marker: dict[str, Any], document: dict[str, Any] | None) -> None:
        collection = self.collections[marker["collection"]]
        sent = (document or {}).get(OUTBOX_FIELD, [])
        async with self.locks.hold(collection.name, marker["document_id"]):
            remaining = await collection.find_one_and_update(
                {"_id": marker["document_id"]},
                {"$pullAll": {OUTBOX_FIELD: sent}},
                return_document=ReturnDocument.AFTER,  # (FerretDB refuses a projection here)
            )
            # Inside the lock no writer can add events, so "nothing left" is exact; a writer
            # after us marks again.
            if not (remaining or {}).get(OUTBOX_FIELD):
                await self.pending.delete_one({"_id": marker["_id"]})
