"""Kafka records as a broker hands them to a consumer, for handler tests that need none."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord

from shared.clock import new_id
from shared.cloudevents import CloudEvent, Fact, make_event
from shared.consumer import EventConsumer
from shared.deadletter import Headers

_offsets = itertools.count()


def record(
    value: bytes, *, topic: str = "t", key: bytes | None = None
) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=topic,
        partition=0,
        offset=next(_offsets),
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value),
        headers=(),
    )


def fact_record(
    fact: Fact, *, subject: str, at: datetime | None = None
) -> ConsumerRecord[bytes, bytes]:
    event = make_event(fact, source="/tests", subject=subject)
    if at is not None:
        event = event.model_copy(update={"time": at})
    return record(event.to_json(), topic=fact.topic, key=subject.encode())


def envelope(event_type: str, data: dict[str, Any], *, source: str, subject: str) -> CloudEvent:
    return CloudEvent(
        id=new_id(),
        source=source,
        type=event_type,
        subject=subject,
        time=datetime.now(UTC),
        data=data,
    )


def consumer_for(make: Any, stores: Any) -> tuple[EventConsumer, list[dict[str, str]]]:
    """A service's consumer, built as its app builds it, with dead letters collected."""
    consumer: EventConsumer = make(
        lambda suffix, topics: EventConsumer(
            group=f"test-{suffix}", topics=topics, backoff_seconds=0
        ),
        stores,
    )
    dead: list[dict[str, str]] = []

    async def collect(value: bytes | None, key: bytes | None, headers: Headers) -> None:
        dead.append({name: raw.decode() for name, raw in headers})

    consumer.dead_letters_to(collect)
    return consumer, dead
