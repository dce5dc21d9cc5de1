"""Operators list and replay dead letters: a replayed message reaches its consumer again, and
its CloudEvent id keeps the effect single."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from shared import deadletter
from shared.broker import client_options, make_broker
from shared.clock import new_id
from shared.cloudevents import CloudEvent, make_event
from shared.consumer import EventConsumer
from shared.deadletter import DeadLetterProducer
from shared.idempotency import insert_once
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.messaging import PROBE_TYPE, Probed, ProbedReader


async def test_a_replayed_dead_letter_is_handled_once_it_can_be(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]], topic: str
) -> None:
    effects = mongo[f"knet_test_{new_id()}"]["effects"]
    group = f"g-replay-{new_id()}"
    healthy = False
    consumer = EventConsumer(group=group, topics=[topic], max_attempts=2, backoff_seconds=0.01)

    @consumer.on(PROBE_TYPE, ProbedReader)
    async def handle(event: CloudEvent, data: ProbedReader) -> None:
        if not healthy:
            raise RuntimeError("dependency down")
        await insert_once(effects, {"_id": event.id})

    broker = make_broker(infra, "test-replay")
    dead_letters = DeadLetterProducer(client_options(infra))
    consumer.attach(broker, dead_letters.send)
    await broker.start()
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        event = make_event(Probed(n=7), source="/t", subject="s")
        own = [("x-trace", b"t-1"), ("x-binary", b"\xfe")]
        await producer.send_and_wait(topic, event.to_json(), key=b"s", headers=own)

        async def dead_lettered() -> list[deadletter.DeadLetter]:
            entries = await deadletter.list_dead_letters(client_options(infra), limit=10_000)
            return [e for e in entries if e.headers.get(deadletter.CONSUMER_GROUP) == group]

        async def one_dead_letter() -> bool:
            return len(await dead_lettered()) == 1

        await eventually(one_dead_letter, what="the failing message in the DLQ")
        (entry,) = await dead_lettered()
        assert await effects.count_documents({}) == 0

        healthy = True  # the operator fixed the dependency, then replays
        replayed = await deadletter.replay_dead_letter(
            client_options(infra), partition=entry.partition, offset=entry.offset
        )
        assert replayed.original_topic == topic

        async def handled() -> bool:
            return await effects.count_documents({"_id": event.id}) == 1

        await eventually(handled, what="the replayed message handled")
        # Replayed as it came: its own headers, and where it came from; nothing of the DLQ's.
        reader = AIOKafkaConsumer(
            topic, bootstrap_servers=infra.kafka_bootstrap, auto_offset_reset="earliest"
        )
        await reader.start()
        try:
            records = [r for rs in (await reader.getmany(timeout_ms=5000)).values() for r in rs]
        finally:
            await reader.stop()
        first, again = records[0], records[-1]
        assert list(first.headers) == own
        place = f"{entry.partition}:{entry.offset}".encode()
        assert list(again.headers) == [*own, (deadletter.REPLAYED_FROM, place)]
        assert (again.value, again.key) == (first.value, b"s")
        await deadletter.replay_dead_letter(
            client_options(infra), partition=entry.partition, offset=entry.offset
        )
        await eventually(handled, what="a second replay")
        assert await effects.count_documents({}) == 1, "a second replay has no second effect"
    finally:
        await producer.stop()
        await broker.stop()
        await dead_letters.stop()
