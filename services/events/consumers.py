"""Kafka subscribers: regional nodes' event submissions."""

from __future__ import annotations

from pydantic import ConfigDict

from services.events import usecases
from services.events.domain.submission import SUBMITTED
from services.events.usecases import Stores
from shared import topics
from shared.cloudevents import CloudEvent, ReaderModel
from shared.consumer import EventConsumer
from shared.logs import log
from shared.service import ServiceContext


class AnySubmission(ReaderModel):
    """Read as it comes: the use case checks it and answers a bad one with its reasons."""

    model_config = ConfigDict(extra="allow", frozen=True)


def submission_consumer(ctx: ServiceContext, stores: Stores) -> EventConsumer:
    consumer = ctx.consumer("submissions", [topics.REGIONAL_SUBMISSIONS])

    @consumer.on(SUBMITTED, AnySubmission)
    async def submitted(event: CloudEvent, data: AnySubmission) -> None:
        outcome = await usecases.handle_submission(
            stores, submission_id=event.id, source=event.source, data=event.data
        )
        log.info("regional submission handled", outcome=outcome, node=event.source)

    return consumer
