"""Helpers for the messaging tests: a probe event and a consumer that records its effects."""

from __future__ import annotations

from typing import Any, ClassVar

from pymongo.asynchronous.collection import AsyncCollection

from shared.cloudevents import CloudEvent, Fact, ReaderModel
from shared.consumer import EventConsumer
from shared.idempotency import insert_once

PROBE_TYPE = "uk.nhs.knet.test.probed.v1"


class Probed(Fact):
    """A test event."""

    event_type: ClassVar[str] = PROBE_TYPE
    topic: ClassVar[str] = "test"
    n: int
    padding: str = ""


class ProbedReader(ReaderModel):
    n: int


def recording_consumer(
    group: str,
    topic: str,
    effects: AsyncCollection[dict[str, Any]],
    calls: list[str] | None = None,
    deliveries: tuple[AsyncCollection[dict[str, Any]], str] | None = None,
    **options: Any,
) -> EventConsumer:
    """Each event's effect is one document keyed by the event id: redeliveries add nothing.
    `calls` (in process) or `deliveries` (a counter document) see every delivery, duplicates
    included."""
    consumer = EventConsumer(group=group, topics=[topic], **options)

    @consumer.on(PROBE_TYPE, ProbedReader)
    async def record(event: CloudEvent, data: ProbedReader) -> None:
        if calls is not None:
            calls.append(event.id)
        if deliveries is not None:
            counter, run = deliveries
            await counter.update_one({"_id": run}, {"$inc": {"n": 1}}, upsert=True)
        await insert_once(effects, {"_id": event.id, "n": data.n})

    return consumer
