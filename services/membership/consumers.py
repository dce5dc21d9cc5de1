"""Kafka subscribers: the contribution record, kept from other services' events.

Each reader declares only the fields it uses (tolerant reader). A contribution is stored
under the event's id, so a redelivered event counts once."""

from __future__ import annotations

from services.membership import usecases
from services.membership.stores import Stores
from shared import topics
from shared.cloudevents import CloudEvent, ReaderModel
from shared.consumer import ConsumerFactory, EventConsumer


class EventPublished(ReaderModel):
    event_id: str
    organiser_member_id: str | None = None


class CaseStudyShared(ReaderModel):
    case_study_id: str
    author_member_id: str


class PlanCreated(ReaderModel):
    plan_id: str
    owner_member_id: str


class AttendanceRecorded(ReaderModel):
    event_id: str
    member_id: str


class RecommendationEndorsed(ReaderModel):
    member_id: str
    code: str


def contribution_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    consumer = make("contributions", [topics.EVENTS, topics.RECOMMENDATIONS])

    async def record(event: CloudEvent, member_id: str, kind: str, ref: str) -> None:
        await usecases.record_contribution(
            stores, event_id=event.id, member_id=member_id, kind=kind, ref=ref, at=event.time
        )

    @consumer.on("uk.nhs.knet.event.published.v1", EventPublished)
    async def event_hosted(event: CloudEvent, data: EventPublished) -> None:
        if data.organiser_member_id:  # regional nodes organise too; they are not members
            await record(event, data.organiser_member_id, "events_hosted", data.event_id)

    @consumer.on("uk.nhs.knet.attendance.recorded.v1", AttendanceRecorded)
    async def attended(event: CloudEvent, data: AttendanceRecorded) -> None:
        await record(event, data.member_id, "events_attended", data.event_id)

    @consumer.on("uk.nhs.knet.case_study.shared.v1", CaseStudyShared)
    async def case_study(event: CloudEvent, data: CaseStudyShared) -> None:
        await record(event, data.author_member_id, "case_studies_shared", data.case_study_id)

    @consumer.on("uk.nhs.knet.plan.created.v1", PlanCreated)
    async def plan_led(event: CloudEvent, data: PlanCreated) -> None:
        await record(event, data.owner_member_id, "plans_led", data.plan_id)

    @consumer.on("uk.nhs.knet.recommendation.endorsed.v1", RecommendationEndorsed)
    async def endorsement(event: CloudEvent, data: RecommendationEndorsed) -> None:
        await record(event, data.member_id, "endorsements", data.code)

    return consumer
