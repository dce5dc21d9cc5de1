"""Kafka subscribers. `sources`: the other services' facts (membership, events,
recommendations, conversations) keep the read model and become per-member jobs by the rule
table. `jobs`: the workers, a batch of jobs at a time (bulk inbox writes). Unknown types are
skipped and counted by the consumer; the reader models are tolerant and declare only what
they use."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from services.notifications.domain.rules import RULES
from services.notifications.facts import NotificationJob
from services.notifications.stores import Stores
from services.notifications.usecases import deliver, fanout, readmodel
from shared import topics
from shared.cloudevents import CloudEvent, ReaderModel
from shared.consumer import ConsumerFactory, EventConsumer

MEMBER_FACTS = (
    "member.applied",
    "member.approved",
    "member.declined",
    "member.profile_updated",
    "member.role_changed",
    "member.left",
)
ATTACHMENT_FACTS = (
    "registration.confirmed",
    "registration.waitlisted",
    "registration.promoted",
    "registration.cancelled",
    "follow.started",
    "follow.stopped",
    "plan.created",
    "thread.started",
    "post.added",
    "thread.followed",
)


class MemberFact(ReaderModel):
    member_id: str


class EventFact(ReaderModel):
    event_id: str


class PlanFact(ReaderModel):
    plan_id: str


class FollowFact(ReaderModel):
    member_id: str
    kind: str
    target: str


class CaseStudyFact(ReaderModel):
    case_study_id: str


class ThreadFact(ReaderModel):
    thread_id: str


class Job(ReaderModel):
    """The worker's reading of a job: all of it (its own service wrote it)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    source_id: str
    source_type: str
    member_id: str
    message: dict[str, Any]


def _reader(name: str) -> type[ReaderModel]:
    if name == "member.mentioned" or name.startswith(("thread.", "post.", "answer.")):
        return ThreadFact
    if name.startswith("member."):
        return MemberFact
    if name.startswith(("event.", "registration.")):
        return EventFact
    if name.startswith("plan."):
        return PlanFact
    if name.startswith("follow."):
        return FollowFact
    return CaseStudyFact


def sources_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    consumer = make(
        "sources",
        [topics.MEMBERSHIP, topics.EVENTS, topics.RECOMMENDATIONS, topics.CONVERSATIONS],
    )
    names = {
        *MEMBER_FACTS,
        *ATTACHMENT_FACTS,
        *(t.removeprefix(readmodel.PREFIX).removesuffix(".v1") for t in RULES),
    }
    for name in sorted(names):
        event_type = f"{readmodel.PREFIX}{name}.v1"

        async def handle(event: CloudEvent, _: ReaderModel, name: str = name) -> None:
            data = dict(event.data or {})
            # The read model first: an approval's welcome goes to an address it just learned.
            if name in MEMBER_FACTS:
                await readmodel.member_fact(stores, event.type, data, event.time)
                await deliver.release(stores, data["member_id"])
            if name in ATTACHMENT_FACTS:
                await readmodel.attachment_fact(stores, event.type, data, event.time)
            await fanout.notify(stores, source_id=event.id, source_type=event.type, data=data)

        consumer.on(event_type, _reader(name))(handle)
    return consumer


def jobs_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    consumer = make("jobs", [topics.NOTIFICATION_JOBS])

    @consumer.on_batch(NotificationJob.event_type, Job)
    async def work(batch: list[tuple[CloudEvent, Job]]) -> None:
        await deliver.deliver(stores, [NotificationJob(**job.model_dump()) for _, job in batch])

    return consumer
