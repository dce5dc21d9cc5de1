"""The outbox relay: publish then remove; a crash in between re-publishes, never loses; with
the consumer's dedupe, N state changes give exactly N effects."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient, UpdateOne

from shared.broker import client_options, make_broker
from shared.clock import new_id
from shared.cloudevents import make_event
from shared.deadletter import DeadLetterProducer
from shared.metrics import OUTBOX_BACKLOG
from shared.outbox import (
    OUTBOX_FIELD,
    OUTBOX_INDEX,
    PENDING,
    OutboxRelay,
    OutboxWakeup,
    outbox_entry,
    push_to_outbox,
)
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.messaging import Probed, recording_consumer

N = 40


async def _read_all(bootstrap: str, topic: str, expected: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=f"reader-{new_id()}",
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        for _ in range(100):
            batch = await consumer.getmany(timeout_ms=300)
            values.extend(r.value for records in batch.values() for r in records)
            if len(values) >= expected:
                # one more poll to see anything beyond what we expect
                batch = await consumer.getmany(timeout_ms=500)
                values.extend(r.value for records in batch.values() for r in records)
                break
    finally:
        await consumer.stop()
    return values


async def test_relay_crash_between_publish_and_removal_republishes_and_dedupe_gives_n_effects(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]], topic: str
) -> None:
    db = mongo[f"knet_test_{new_id()}"]
    aggregates = db["aggregates"]
    effects = db["effects"]
    # N state changes, each with its event written in the same document update.
    event_ids = []
    for i in range(N):
        aggregate_id = f"agg-{i % 7}"
        event = make_event(Probed(n=i), source="/tests", subject=aggregate_id)
        event_ids.append(event.id)
        await aggregates.update_one(
            {"_id": aggregate_id},
            {"$inc": {"changes": 1}, "$push": push_to_outbox([outbox_entry(event, topic)])},
            upsert=True,
        )

    broker = make_broker(infra, "test-relay", consumer_only=False)
    calls: list[str] = []
    consumer = recording_consumer(f"g-{new_id()}", topic, effects, calls)
    dead_letters = DeadLetterProducer(client_options(infra))
    consumer.attach(broker, dead_letters.send)
    await broker.start()
    try:

        async def send(t: str, key: bytes, value: bytes, headers: dict[str, str]) -> Any:
            return await broker.publish(value, t, key=key, headers=headers, no_confirm=True)

        await aggregates.create_indexes([OUTBOX_INDEX])
        relay = OutboxRelay(db, ["aggregates"], send)
        # A relay that crashes once Kafka confirmed, before it removed anything.
        assert await relay.publish(await relay.read_pending()) == N
        assert await aggregates.count_documents(PENDING) == 7, "the outbox still has them all"

        assert await relay.run_once() == N
        assert await aggregates.count_documents(PENDING) == 0
        assert await relay.run_once() == 0

        published = await _read_all(infra.kafka_bootstrap, topic, 2 * N)
        assert len(published) == 2 * N, (
            "each event was published twice (before and after the crash)"
        )

        async def all_delivered() -> bool:
            return len(calls) >= 2 * N

        await eventually(all_delivered, what="both copies of every event delivered")
        assert sorted(set(calls)) == sorted(event_ids)
        ids = sorted(d["_id"] for d in await effects.find({}).to_list())
        assert ids == sorted(event_ids), "exactly one effect per state change"
    finally:
        await broker.stop()
        await dead_letters.stop()


@pytest.mark.parametrize("entries", [1, 20], ids=["short outbox", "long outbox"])
async def test_events_appended_while_relaying_stay_in_the_outbox(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]], topic: str, entries: int
) -> None:
    """Also for a long outbox, which the relay clears on condition before `$pullAll`."""
    db = mongo[f"knet_test_{new_id()}"]
    aggregates = db["aggregates"]
    first = [make_event(Probed(n=i), source="/tests", subject="a") for i in range(entries)]
    await aggregates.insert_one({"_id": "a", "outbox": [outbox_entry(e, topic) for e in first]})
    broker = make_broker(infra, "test-relay-2", consumer_only=False)
    await broker.start()
    try:
        late = make_event(Probed(n=-1), source="/tests", subject="a")
        appended: list[str] = []

        async def send(t: str, key: bytes, value: bytes, headers: dict[str, str]) -> Any:
            # a state change lands on the aggregate while its first events are in flight
            if not appended:
                appended.append(late.id)
                await aggregates.update_one(
                    {"_id": "a"}, {"$push": push_to_outbox([outbox_entry(late, topic)])}
                )
            return await broker.publish(value, t, key=key, headers=headers, no_confirm=True)

        relay = OutboxRelay(db, ["aggregates"], send)
        assert await relay.run_once() == entries
        document = await aggregates.find_one({"_id": "a"})
        assert document is not None
        assert [e["event"]["id"] for e in document["outbox"]] == [late.id]
        assert await relay.run_once() == 1, "the late one goes out in the next round"
        document = await aggregates.find_one({"_id": "a"})
        assert document is not None
        assert document["outbox"] == []
        untouched = [make_event(Probed(n=i), source="/tests", subject="b") for i in range(entries)]
        await aggregates.insert_one(
            {"_id": "b", "outbox": [outbox_entry(e, topic) for e in untouched]}
        )
        assert await relay.run_once() == entries
        assert await aggregates.count_documents(PENDING) == 0
    finally:
        await broker.stop()


async def test_a_backlog_beyond_one_batch_is_gauged_whole_and_drained(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]], topic: str
) -> None:
    db = mongo[f"knet_test_{new_id()}"]
    aggregates = db["aggregates"]
    await aggregates.create_indexes([OUTBOX_INDEX])
    await aggregates.insert_many(
        [
            {
                "_id": f"a{i}",
                "outbox": [
                    outbox_entry(make_event(Probed(n=i), source="/t", subject=f"a{i}"), topic)
                ],
            }
            for i in range(25)
        ]
        + [{"_id": f"quiet{i}", "outbox": []} for i in range(5)]
    )
    broker = make_broker(infra, "test-relay-3", consumer_only=False)
    await broker.start()
    try:

        async def send(t: str, key: bytes, value: bytes, headers: dict[str, str]) -> Any:
            return await broker.publish(value, t, key=key, headers=headers, no_confirm=True)

        relay = OutboxRelay(db, ["aggregates"], send, batch_size=10)
        assert await relay.run_once() == 10
        assert OUTBOX_BACKLOG.labels("aggregates")._value.get() == 25, "the whole backlog"
        assert await relay.run_once() == 10
        assert await relay.run_once() == 5
        assert OUTBOX_BACKLOG.labels("aggregates")._value.get() == 5
        assert await relay.run_once() == 0
        assert OUTBOX_BACKLOG.labels("aggregates")._value.get() == 0
    finally:
        await broker.stop()


async def test_a_round_reads_at_most_max_events_however_long_the_outboxes(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]], topic: str
) -> None:
    """Fan-out chunks carry hundreds of events each: a round stops reading at `max_events`
    (past it by at most one document), so a worker never holds a whole fan-out at once."""
    db = mongo[f"knet_test_{new_id()}"]
    chunks = db["chunks"]
    await chunks.insert_many(
        [
            {
                "_id": f"c{i}",
                "outbox": [
                    outbox_entry(make_event(Probed(n=j), source="/t", subject=f"c{i}"), topic)
                    for j in range(6)
                ],
            }
            for i in range(5)
        ]
    )
    broker = make_broker(infra, "test-relay-4", consumer_only=False)
    await broker.start()
    try:

        async def send(t: str, key: bytes, value: bytes, headers: dict[str, str]) -> Any:
            return await broker.publish(value, t, key=key, headers=headers, no_confirm=True)

        relay = OutboxRelay(db, ["chunks"], send, max_events=10)
        assert [await relay.run_once() for _ in range(4)] == [12, 12, 6, 0]
    finally:
        await broker.stop()


async def test_a_write_wakes_the_relay_before_its_poll(infra: PlatformSettings, topic: str) -> None:
    """With the client's command listener, the relay publishes a fact as soon as its write
    succeeds, not at its next poll (here a minute away)."""
    wakeup = OutboxWakeup()
    wakeup.collections = {"aggregates"}
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infra.mongodb_uri, event_listeners=[wakeup]
    )
    db = client[f"knet_test_{new_id()}"]
    broker = make_broker(infra, "test-relay-5", consumer_only=False)
    await broker.start()
    published: list[bytes] = []

    async def send(t: str, key: bytes, value: bytes, headers: dict[str, str]) -> Any:
        published.append(value)
        return await broker.publish(value, t, key=key, headers=headers, no_confirm=True)

    relay = OutboxRelay(db, ["aggregates"], send, poll_seconds=60, wakeup=wakeup)
    task = asyncio.create_task(relay.run_forever())
    try:
        await asyncio.sleep(0.5)  # the relay has found nothing and waits
        event = make_event(Probed(n=1), source="/t", subject="a")
        started = time.perf_counter()
        await db["aggregates"].insert_one({"_id": "a", "outbox": [outbox_entry(event, topic)]})

        async def out() -> bool:
            return len(published) == 1

        await eventually(out, timeout=10, what="the fact published")
        assert time.perf_counter() - started < 5, "woken, not polled"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await broker.stop()
        await client.close()


async def test_only_writes_that_add_facts_wake_the_relay(infra: PlatformSettings) -> None:
    """Read by PyMongo's command monitoring as the store gets them: inserts, updates (one or
    a bulk), findAndModify; the relay's own clearing and writes without facts wake nothing."""
    wakeup = OutboxWakeup()
    wakeup.collections = {"aggregates"}
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infra.mongodb_uri, event_listeners=[wakeup]
    )
    db = client[f"knet_test_{new_id()}"]
    entry = outbox_entry(make_event(Probed(n=1), source="/t", subject="a"), "t")
    aggregates, elsewhere = db["aggregates"], db["elsewhere"]
    writes: list[tuple[str, Callable[[], Awaitable[Any]], bool]] = [
        (
            "an insert with facts",
            lambda: aggregates.insert_one({"_id": "a", OUTBOX_FIELD: [entry]}),
            True,
        ),
        ("an insert without", lambda: aggregates.insert_one({"_id": "b", "n": 1}), False),
        (
            "facts elsewhere",
            lambda: elsewhere.insert_one({"_id": "a", OUTBOX_FIELD: [entry]}),
            False,
        ),
        ("a marker's $max", lambda: aggregates.update_one({"_id": "b"}, {"$max": {"n": 2}}), False),
        (
            "a $push of facts",
            lambda: aggregates.update_one({"_id": "b"}, {"$push": push_to_outbox([entry])}),
            True,
        ),
        (
            "the relay's clear",
            lambda: aggregates.bulk_write(
                [
                    UpdateOne({"_id": "b"}, {"$set": {OUTBOX_FIELD: []}}),
                    UpdateOne({"_id": "a"}, {"$pullAll": {OUTBOX_FIELD: [entry]}}),
                ]
            ),
            False,
        ),
        (
            "a bulk with facts",
            lambda: aggregates.insert_many([{"_id": "c"}, {"_id": "d", OUTBOX_FIELD: [entry]}]),
            True,
        ),
        (
            "findAndModify with facts",
            lambda: aggregates.find_one_and_update(
                {"_id": "c"}, {"$push": push_to_outbox([entry])}
            ),
            True,
        ),
        (
            "findAndModify without",
            lambda: aggregates.find_one_and_update({"_id": "c"}, {"$inc": {"n": 1}}),
            False,
        ),
    ]
    try:
        for what, write, wakes in writes:
            wakeup.clear()
            await write()
            try:
                await asyncio.wait_for(wakeup.wait(), 0.3)
                woken = True
            except TimeoutError:
                woken = False
            assert woken == wakes, what
    finally:
        await client.close()
