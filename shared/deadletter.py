"""The dead-letter topic: what a message carries there, and how operators list and replay it.

A dead letter is the original record as it came (its value, a null one too; its key; its
headers, byte for byte) with the knet-* headers the contract names (contracts/asyncapi.json)
added. It is written with a plain aiokafka producer: FastStream's publish adds an empty
`content-type` header and turns a null value into an empty one. A replay sends the original
back as it came, with only `knet-replayed-from` added."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared import topics
from shared.clock import new_id

REASON = "knet-dlq-reason"
ERROR = "knet-dlq-error"
ORIGINAL_TOPIC = "knet-original-topic"
ORIGINAL_PARTITION = "knet-original-partition"
ORIGINAL_OFFSET = "knet-original-offset"
ATTEMPTS = "knet-attempts"
CONSUMER_GROUP = "knet-consumer-group"
FAILED_AT = "knet-failed-at"
REPLAYED_FROM = "knet-replayed-from"

# What the dead-letter topic adds to a record; a replay takes these off again.
ADDED = frozenset(
    {REASON, ERROR, ORIGINAL_TOPIC, ORIGINAL_PARTITION, ORIGINAL_OFFSET, ATTEMPTS}
    | {CONSUMER_GROUP, FAILED_AT}
)

Headers = list[tuple[str, bytes]]

MALFORMED = "malformed"
SCHEMA_INVALID = "schema-invalid"
REJECTED = "rejected"
HANDLER_FAILED = "handler-failed"


def dead_letter_headers(
    record: ConsumerRecord[bytes, bytes],
    *,
    group: str,
    reason: str,
    error: str,
    attempts: int,
    failed_at: datetime,
) -> Headers:
    """The record's own headers as they came, then why it is here."""
    added = {
        REASON: reason,
        ERROR: error[:2000],
        ORIGINAL_TOPIC: record.topic,
        ORIGINAL_PARTITION: str(record.partition),
        ORIGINAL_OFFSET: str(record.offset),
        ATTEMPTS: str(attempts),
        CONSUMER_GROUP: group,
        FAILED_AT: failed_at.isoformat(),
    }
    return [*_originals(record.headers), *((k, v.encode()) for k, v in added.items())]


def _originals(headers: Sequence[tuple[str, bytes]]) -> Headers:
    return [(name, value) for name, value in headers if name not in ADDED]


class DeadLetterProducer:
    """Writes dead letters as they came. Started on the first one: most processes never
    write any, and need no second connection for it."""

    def __init__(self, kafka: Mapping[str, Any]) -> None:
        self._kafka = dict(kafka)
        self._producer: AIOKafkaProducer | None = None
        self._starting = asyncio.Lock()

    async def send(self, value: bytes | None, key: bytes | None, headers: Headers) -> None:
        async with self._starting:
            if self._producer is None:
                producer = AIOKafkaProducer(**self._kafka, enable_idempotence=True, acks="all")
                await producer.start()
                self._producer = producer
        await self._producer.send_and_wait(
            topics.DEAD_LETTERS, value, key=key, headers=list(headers)
        )

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    # As they came, for a replay; `headers` is the same read as text, for people.
    raw_headers: tuple[tuple[str, bytes], ...]

    @property
    def headers(self) -> dict[str, str]:
        return {k: v.decode(errors="replace") for k, v in self.raw_headers}

    @property
    def original_topic(self) -> str:
        return self.headers.get(ORIGINAL_TOPIC, "")

    def original(self) -> Headers:
        """The headers the original record carried (what the dead-letter topic added, off)."""
        return _originals(self.raw_headers)


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


def _as_dead_letter(record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
    return DeadLetter(
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        raw_headers=tuple(record.headers),
    )


async def _partitions(kafka: Mapping[str, Any]) -> list[int]:
    admin = AIOKafkaAdminClient(**kafka)
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topics.DEAD_LETTERS])
    finally:
        await admin.close()
    return sorted(p["partition"] for p in description.get("partitions", []))


def _reader(kafka: Mapping[str, Any]) -> AIOKafkaConsumer:
    """A consumer that assigns partitions itself and never commits, so reading moves nobody's
    offsets. It still has a (throwaway) group id: aiokafka's group-less consumer raises
    CancelledError when stopped soon after start (aio-libs/aiokafka#647)."""
    return AIOKafkaConsumer(
        **kafka,
        group_id=f"knet-dlq-reader-{new_id()}",
        enable_auto_commit=False,
    )


async def list_dead_letters(
    kafka: Mapping[str, Any], *, limit: int = 100, newest: bool = False, scan: int = 10_000
) -> list[DeadLetter]:
    """`kafka`: the connection (shared.broker.client_options)."""
    """Reads the DLQ from the start (listing moves no offsets): the oldest `limit`, or with
    `newest` the latest `limit` of at most `scan` read. The topic is small by design: every
    entry in it is a fault an operator answers."""
    tps = [TopicPartition(topics.DEAD_LETTERS, p) for p in await _partitions(kafka)]
    if not tps:
        return []
    consumer = _reader(kafka)
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        entries: list[DeadLetter] = []
        wanted = scan if newest else limit
        while len(entries) < wanted and await _behind(consumer, ends):
            batch = await consumer.getmany(timeout_ms=1000, max_records=min(wanted, 1000))
            for records in batch.values():
                entries.extend(_as_dead_letter(r) for r in records)
        entries.sort(key=lambda e: (e.headers.get(FAILED_AT, ""), e.partition, e.offset))
        return entries[-limit:] if newest else entries[:limit]
    finally:
        await consumer.stop()


async def replay_dead_letter(
    kafka: Mapping[str, Any], *, partition: int, offset: int
) -> DeadLetter:
    """Publishes one dead letter back to its original topic as it came (its own headers too:
    a binary-mode CloudEvent is in them), with a header saying where it came from. Consumers
    dedupe on the CloudEvent id, so a replay of a message that did get handled has no second
    effect."""
    consumer = _reader(kafka)
    await consumer.start()
    try:
        tp = TopicPartition(topics.DEAD_LETTERS, partition)
        consumer.assign([tp])
        consumer.seek(tp, offset)
        batch = await consumer.getmany(tp, timeout_ms=5000, max_records=1)
        records = batch.get(tp, [])
        if not records or records[0].offset != offset:
            raise LookupError(f"no dead letter at partition {partition} offset {offset}")
        entry = _as_dead_letter(records[0])
    finally:
        await consumer.stop()
    if not entry.original_topic:
        raise LookupError("the dead letter does not name its original topic")
    producer = AIOKafkaProducer(**kafka, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            entry.original_topic,
            entry.value,
            key=entry.key,
            headers=[*entry.original(), (REPLAYED_FROM, f"{partition}:{offset}".encode())],
        )
    finally:
        await producer.stop()
    return entry
