"""Kafka subscribers. `sources`: the other services' facts (membership, events,
recommendations, conversations) keep the read model and become per-member jobs by the rule
table. `jobs`: the workers, a batch of jobs at a time (bulk inbox writes). Unknown types are
skipped and counted by the consumer. Each source fact is read through its reader model
(readers.py), which declares every field the service reads; each job through the job's own
model (it wrote it)."""

from __future__ import annotations

from services.notifications import readers as read
from services.notifications.facts import NotificationJob
from services.notifications.stores import Stores
from services.notifications.usecases import sources
from services.notifications.usecases.deliver import deliver
from shared import topics
from shared.cloudevents import CloudEvent
from shared.consumer import ConsumerFactory, EventConsumer


def sources_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    consumer = make(
        "sources",
        [topics.MEMBERSHIP, topics.EVENTS, topics.RECOMMENDATIONS, topics.CONVERSATIONS],
    )
    for event_type, reader in read.READERS.items():

        @consumer.on(event_type, reader)
        async def handle(event: CloudEvent, fact: read.Regional) -> None:
            await sources.source_fact(
                stores, event_id=event.id, event_type=event.type, fact=fact, as_of=event.time
            )

    return consumer


def jobs_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    consumer = make("jobs", [topics.NOTIFICATION_JOBS])

    @consumer.on_batch(NotificationJob.event_type, read.Job)
    async def work(batch: list[tuple[CloudEvent, read.Job]]) -> None:
        await deliver(stores, [job.job() for _, job in batch])

    return consumer
