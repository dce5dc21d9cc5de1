"""Transactional outbox without multi-document transactions.

An aggregate document carries its own pending events in an `outbox` array, so a state change
and the events it causes are one atomic document write (shared/aggregates.py). The relay
finds the aggregates with pending events through a sparse index on the events' ids (an
aggregate whose outbox is empty has no entry in it), publishes their events, waits for Kafka
to confirm, then removes exactly those entries (`$pullAll` of what it read, so events appended
meanwhile stay). A crash between publish and removal re-publishes: at least once, never lost;
consumers dedupe on the CloudEvent id. Several relay replicas may publish the same entry
twice; that is the same at-least-once case.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

import structlog
from pymongo import IndexModel, UpdateOne, monitoring
from pymongo.asynchronous.collection import AsyncCollection

from shared.clock import Clock
from shared.cloudevents import STRUCTURED, CloudEvent, Fact, make_event
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_FAILURES, OUTBOX_PUBLISHED

log = structlog.get_logger()

OUTBOX_FIELD = "outbox"
PENDING = {f"{OUTBOX_FIELD}.event.id": {"$exists": True}}
# Sparse: only aggregates with something to publish are in it, so the relay's poll reads the
# backlog, not the collection (0.5 ms a poll at 100,000 documents on the local store).
OUTBOX_INDEX = IndexModel([(f"{OUTBOX_FIELD}.event.id", 1)], name="outbox_pending", sparse=True)

# publish(topic, key, value, headers) -> an awaitable that completes when Kafka confirmed
SendEvent = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[Awaitable[Any]]]

Pending = tuple[AsyncCollection[dict[str, Any]], dict[str, Any]]
# Outboxes longer than this are cleared by one comparison before `$pullAll` (see `remove`).
LONG_OUTBOX = 8


def outbox_entry(event: CloudEvent, topic: str) -> dict[str, Any]:
    return {"topic": topic, "event": event.model_dump(mode="json", exclude_none=True)}


def facts_outbox(
    facts: Iterable[tuple[Fact, str]], *, source: str, clock: Clock
) -> list[dict[str, Any]]:
    """Entries for facts, each made an event with its subject (the Kafka key); a fact that
    names a region carries it as the event's `region`."""
    return [
        outbox_entry(
            make_event(
                fact,
                source=source,
                subject=subject,
                region=getattr(fact, "region", None),
                clock=clock,
            ),
            fact.topic,
        )
        for fact, subject in facts
    ]


def push_to_outbox(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The `$push` clause to merge into the aggregate's own update."""
    return {OUTBOX_FIELD: {"$each": entries}}


def adds_facts(command: Mapping[str, Any]) -> bool:
    """Whether a write command puts facts into an outbox. Only those wake the relay: a thread
    page's read marker shares its collection with follows' facts, and the relay's own clearing
    writes there too; waking on every write cost a round of polls each."""
    if "insert" in command:
        return any(d.get(OUTBOX_FIELD) for d in command.get("documents", ()))
    if "update" in command and "updates" in command:
        return any(_update_adds_facts(u.get("u")) for u in command["updates"])
    return _update_adds_facts(command.get("update"))  # findAndModify


def _update_adds_facts(update: Any) -> bool:
    if not isinstance(update, Mapping):
        return False  # a pipeline update: not how facts are written
    if OUTBOX_FIELD in update:  # a replacement
        return bool(update[OUTBOX_FIELD])
    return any(
        bool(update.get(operator, {}).get(OUTBOX_FIELD))
        for operator in ("$push", "$set", "$setOnInsert", "$addToSet")
    )


class OutboxWakeup(monitoring.CommandListener):
    """Wakes the relay when a write to an outbox collection succeeds (PyMongo's command
    monitoring on the service's client), so a fact goes out at once rather than at the
    relay's next poll: a reply's mention reached the inbox after two relays' polls, half a
    second each (`python -m bench conversations`). The poll stays, for writes from elsewhere."""

    WRITES = frozenset({"insert", "update", "findAndModify"})

    def __init__(self) -> None:
        self.collections: set[str] = set()
        self._writes: set[int] = set()
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        command = event.command
        if name in self.WRITES and command.get(name) in self.collections and adds_facts(command):
            self._writes.add(event.request_id)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if event.request_id in self._writes:
            self._writes.discard(event.request_id)
            if self._loop is not None and self._event is not None:
                # Thread-safe, should a callback ever come from outside the loop.
                self._loop.call_soon_threadsafe(self._event.set)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._writes.discard(event.request_id)

    def clear(self) -> None:
        if self._event is None:
            self._loop, self._event = asyncio.get_running_loop(), asyncio.Event()
        self._event.clear()

    async def wait(self) -> None:
        """Until a write to an outbox collection (the caller bounds it with a timeout)."""
        if self._event is None:
            self.clear()
        assert self._event is not None
        await self._event.wait()


class OutboxRelay:
    def __init__(
        self,
        db: Any,
        collections: Sequence[str],
        send: SendEvent,
        *,
        poll_seconds: float = 0.5,
        batch_size: int = 200,
        max_events: int = 5000,
        wakeup: OutboxWakeup | None = None,
    ) -> None:
        self.collections: list[AsyncCollection[dict[str, Any]]] = [db[n] for n in collections]
        self.send = send
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        # A fan-out chunk carries 500 jobs: 200 of them in one round was 100,000 events held
        # in memory at once (400 MB in a notifications worker). A round stops reading at this.
        self.max_events = max_events
        self.wakeup = wakeup

    async def run_once(self) -> int:
        """One round: publish what is pending, then remove it; returns how many events went out."""
        pending = await self.read_pending()
        published = await self.publish(pending)
        await self.remove(pending)
        return published

    async def read_pending(self) -> list[Pending]:
        pending: list[Pending] = []
        events = 0
        for collection in self.collections:
            documents = []
            found = collection.find(PENDING, {OUTBOX_FIELD: 1}).limit(self.batch_size)
            async for document in found.batch_size(20):
                documents.append(document)
                events += len(document[OUTBOX_FIELD])
                if events >= self.max_events:
                    break
            await found.close()
            if len(documents) == self.batch_size or events >= self.max_events:
                OUTBOX_BACKLOG.labels(collection.name).set(
                    await collection.count_documents(PENDING)
                )
            else:
                OUTBOX_BACKLOG.labels(collection.name).set(len(documents))
            pending.extend((collection, document) for document in documents)
        return pending

    async def publish(self, pending: Sequence[Pending]) -> int:
        """Sends every pending event and waits until Kafka confirmed them all."""
        confirmations = []
        for _, document in pending:
            # Sends are queued in order and the producer is idempotent, so one aggregate's
            # events keep their order on its partition while all the sends are in flight.
            for entry in document[OUTBOX_FIELD]:
                # Stored as the CloudEvent's JSON form when it was made and validated; sent
                # as it is (re-validating each one was a tenth of the relay's time).
                event = entry["event"]
                # The key is the aggregate the event is about (its subject), so that one
                # aggregate's events share a partition and keep their order.
                key = (event.get("subject") or str(document["_id"])).encode()
                value = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
                # Structured mode, as the Kafka binding defines it: the whole event is the
                # value; `ce_` headers beside it would make a reader take it for binary mode.
                headers = {"content-type": STRUCTURED}
                confirmations.append(await self.send(entry["topic"], key, value, headers))
        await asyncio.gather(*confirmations)
        for _, document in pending:
            for entry in document[OUTBOX_FIELD]:
                OUTBOX_PUBLISHED.labels(entry["topic"]).inc()
                # A line per fact for people watching a terminal; skipped (not even built)
                # at the JSON logs' INFO level, where it would be a line per message at scale.
                log.debug(
                    "fact published",
                    type=entry["event"]["type"],
                    subject=entry["event"].get("subject"),
                )
        return len(confirmations)

    async def remove(self, pending: Sequence[Pending]) -> None:
        """Removes exactly the published entries: a single-document `$pullAll` is atomic, so
        events a writer appended since the read stay for the next round. One bulk write per
        collection: a round trip (and a store commit) per aggregate made the relay the
        bottleneck of regional submissions (`python -m bench events`).

        A long outbox (a fan-out chunk's 500 jobs) is first cleared on condition that it is
        still exactly what was read: one comparison, where `$pullAll` compares every entry
        with every other (the local store took 250,000 document comparisons a chunk, most of
        a fan-out's time). The `$pullAll` after it then finds nothing, unless a writer
        appended meanwhile."""
        by_collection: dict[str, list[UpdateOne]] = {}
        for collection, document in pending:
            entries = document[OUTBOX_FIELD]
            writes = by_collection.setdefault(collection.name, [])
            if len(entries) > LONG_OUTBOX:
                writes.append(
                    UpdateOne(
                        {"_id": document["_id"], OUTBOX_FIELD: entries},
                        {"$set": {OUTBOX_FIELD: []}},
                    )
                )
            writes.append(
                UpdateOne({"_id": document["_id"]}, {"$pullAll": {OUTBOX_FIELD: entries}})
            )
        for collection in self.collections:
            if removals := by_collection.get(collection.name):
                # Ordered: a document's conditional clear comes before its `$pullAll`.
                await collection.bulk_write(removals, ordered=True)

    async def run_forever(self) -> None:
        while True:
            if self.wakeup is not None:
                self.wakeup.clear()  # a write during the round below wakes the next at once
            try:
                published = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                OUTBOX_FAILURES.inc()
                log.warning("outbox relay round failed", error=repr(exc))
                published = 0
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError  # swallowed in the round: still, stop
            if published == 0:
                if self.wakeup is not None:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self.poll_seconds):
                            await self.wakeup.wait()
                else:
                    await asyncio.sleep(self.poll_seconds)
