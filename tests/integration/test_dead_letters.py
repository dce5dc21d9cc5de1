"""Dead letters: a handler that always fails and a malformed message each end in knet.dlq.v1
with their headers, after bounded retries for the former and at once for the latter; later
messages are still processed."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from shared import deadletter
from shared.broker import client_options, make_broker
from shared.clock import new_id
from shared.cloudevents import CloudEvent, make_event
from shared.consumer import EventConsumer
from shared.deadletter import DeadLetterProducer
from shared.errors import Invalid
from shared.idempotency import insert_once
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.messaging import PROBE_TYPE, Probed, ProbedReader

MAX_ATTEMPTS = 3


async def test_failing_malformed_invalid_and_rejected_messages_are_dead_lettered_and_the_rest_flow(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]], topic: str
) -> None:
    effects = mongo[f"knet_test_{new_id()}"]["effects"]
    group = f"g-dlq-{new_id()}"
    attempts: dict[int, int] = {}
    consumer = EventConsumer(
        group=group, topics=[topic], max_attempts=MAX_ATTEMPTS, backoff_seconds=0.01
    )

    @consumer.on(PROBE_TYPE, ProbedReader)
    async def handle(event: CloudEvent, data: ProbedReader) -> None:
        attempts[data.n] = attempts.get(data.n, 0) + 1
        if data.n == 13:
            raise RuntimeError("database on fire")
        if data.n == 14:
            raise Invalid("not_allowed", "a rule said no")
        await insert_once(effects, {"_id": event.id, "n": data.n})

    broker = make_broker(infra, "test-dlq")
    dead_letters = DeadLetterProducer(client_options(infra))
    consumer.attach(broker, dead_letters.send)
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap, acks="all", enable_idempotence=True
    )
    await broker.start()
    await producer.start()
    key = b"same-partition"  # one key: one partition, so order tells "later messages" apart
    try:

        async def send(value: bytes | None, headers: list[tuple[str, bytes]] | None = None) -> int:
            metadata = await producer.send_and_wait(topic, value, key=key, headers=headers)
            return int(metadata.offset)

        good = [make_event(Probed(n=i), source="/t", subject="s") for i in range(5)]
        offsets = {}
        for event in good[:2]:
            await send(event.to_json())
        offsets["failing"] = await send(
            make_event(Probed(n=13), source="/t", subject="s").to_json()
        )
        offsets["malformed"] = await send(b"{this is not json")
        # A null value, and headers of the sender's own (one not even UTF-8): all kept as
        # they came, and no header added but the dead-letter topic's own.
        offsets["null"] = await send(None)
        own = [("x-trace", b"abc"), ("x-binary", b"\xff\x00"), ("x-empty", b"")]
        offsets["headed"] = await send(b"not json either", own)
        schema_bad = make_event(Probed(n=1), source="/t", subject="s").model_dump(mode="json")
        schema_bad["data"] = {"n": "thirteen"}
        offsets["schema"] = await send(CloudEvent.model_validate(schema_bad).to_json())
        offsets["rejected"] = await send(
            make_event(Probed(n=14), source="/t", subject="s").to_json()
        )
        for event in good[2:]:
            await send(event.to_json())

        async def good_ones_done() -> bool:
            return await effects.count_documents({}) == len(good)

        await eventually(good_ones_done, what="the good messages after the bad ones")

        async def mine() -> list[deadletter.DeadLetter]:
            entries = await deadletter.list_dead_letters(client_options(infra), limit=10_000)
            return [e for e in entries if e.headers.get(deadletter.CONSUMER_GROUP) == group]

        async def six_dead_letters() -> bool:
            return len(await mine()) >= 6

        await eventually(six_dead_letters, what="six dead letters")
        by_offset = {int(e.headers[deadletter.ORIGINAL_OFFSET]): e for e in await mine()}
        assert len(by_offset) == 6
        added = sorted(deadletter.ADDED)
        null = by_offset[offsets["null"]]
        assert null.value is None, "a null value stays null"
        assert sorted(name for name, _ in null.raw_headers) == added, "no empty content-type"
        headed = by_offset[offsets["headed"]]
        assert headed.original() == own
        assert list(headed.raw_headers[: len(own)]) == own
        assert sorted(name for name, _ in headed.raw_headers[len(own) :]) == added

        failing = by_offset[offsets["failing"]]
        assert failing.headers[deadletter.REASON] == deadletter.HANDLER_FAILED
        assert failing.headers[deadletter.ATTEMPTS] == str(MAX_ATTEMPTS)
        assert "database on fire" in failing.headers[deadletter.ERROR]
        assert failing.headers[deadletter.ORIGINAL_TOPIC] == topic
        assert failing.headers[deadletter.ORIGINAL_PARTITION].isdigit()
        assert failing.key == key
        assert attempts[13] == MAX_ATTEMPTS

        malformed = by_offset[offsets["malformed"]]
        assert malformed.headers[deadletter.REASON] == deadletter.MALFORMED
        assert malformed.headers[deadletter.ATTEMPTS] == "1"
        assert malformed.value == b"{this is not json"

        assert by_offset[offsets["schema"]].headers[deadletter.REASON] == deadletter.SCHEMA_INVALID
        assert by_offset[offsets["schema"]].headers[deadletter.ERROR].startswith("n:")
        rejected = by_offset[offsets["rejected"]]
        assert rejected.headers[deadletter.REASON] == deadletter.REJECTED
        assert rejected.headers[deadletter.ERROR].startswith("not_allowed")
        assert attempts[14] == 1, "a domain rejection is not retried"
    finally:
        await producer.stop()
        await broker.stop()
        await dead_letters.stop()
