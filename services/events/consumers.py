"""Kafka subscribers: regional nodes' event submissions."""

from __future__ import annotations

from aiokafka import ConsumerRecord
from pydantic import ConfigDict

from services.events.domain.submission import SUBMITTED
from services.events.stores import Stores
from services.events.usecases import submissions
from shared import topics
from shared.cloudevents import CloudEvent, ReaderModel
from shared.consumer import ConsumerFactory, EventConsumer
from shared.logs import log


class AnySubmission(ReaderModel):
    """Read as it comes: the use case checks it and answers a bad one with its reasons."""

    model_config = ConfigDict(extra="allow", frozen=True)


def submission_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    consumer = make("submissions", [topics.REGIONAL_SUBMISSIONS])

    @consumer.on(SUBMITTED, AnySubmission)
    async def submitted(event: CloudEvent, data: AnySubmission) -> None:
        result = await submissions.handle_submission(
            stores, submission_id=event.id, source=event.source, data=event.data
        )
        log.info("regional submission handled", outcome=result.outcome, node=event.source)

    @consumer.on_unreadable
    async def unreadable(record: ConsumerRecord[bytes, bytes], reason: str, problem: str) -> None:
        # Keyed by the record's position: a redelivered batch answers it once.
        position = f"{record.topic}:{record.partition}:{record.offset}"
        result = await submissions.reject_unreadable(
            stores, submission_id=f"unreadable:{position}", raw=record.value or b"", problem=problem
        )
        log.info("unreadable submission", reason=reason, answered=result is not None)

    return consumer
