"""Kafka subscribers: the contribution record, kept from other services' events; and members
following their organisation's merge.

Each reader declares every field it reads and no more (tolerant reader). A contribution is stored
under the event's id, so a redelivered event counts once; posts and accepted answers under
the post's id, so that hiding a post, or accepting another answer, takes its count back
(one thread's facts arrive in order: a replayed batch ends where it ended before)."""

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


class PostWritten(ReaderModel):
    """thread.started (its first post) and post.added."""

    post_id: str
    author_member_id: str


class PostHidden(ReaderModel):
    post_id: str
    author_member_id: str
    hidden: bool


class AnswerAccepted(ReaderModel):
    post_id: str
    answerer_member_id: str
    previous_post_id: str | None = None


def contribution_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    consumer = make("contributions", [topics.EVENTS, topics.RECOMMENDATIONS, topics.CONVERSATIONS])

    async def record(
        event: CloudEvent, member_id: str, kind: str, ref: str, key: str | None = None
    ) -> None:
        """Once per `key` (the event's id unless given: a post's or an answer's own key lets
        a restored post or a replaced answer be taken back and counted again)."""
        await usecases.record_contribution(
            stores, event_id=key or event.id, member_id=member_id, kind=kind, ref=ref, at=event.time
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

    async def posted(event: CloudEvent, data: PostWritten) -> None:
        key = f"post|{data.post_id}"
        await record(event, data.author_member_id, "posts", data.post_id, key)

    consumer.on("uk.nhs.knet.thread.started.v1", PostWritten)(posted)
    consumer.on("uk.nhs.knet.post.added.v1", PostWritten)(posted)

    @consumer.on("uk.nhs.knet.post.hidden.v1", PostHidden)
    async def hidden(event: CloudEvent, data: PostHidden) -> None:
        if data.hidden:
            await usecases.withdraw_contribution(stores, key=f"post|{data.post_id}")
        else:
            await posted(
                event, PostWritten(post_id=data.post_id, author_member_id=data.author_member_id)
            )

    @consumer.on("uk.nhs.knet.answer.accepted.v1", AnswerAccepted)
    async def answered(event: CloudEvent, data: AnswerAccepted) -> None:
        if data.previous_post_id:
            await usecases.withdraw_contribution(stores, key=f"answer|{data.previous_post_id}")
        key = f"answer|{data.post_id}"
        await record(event, data.answerer_member_id, "answers_accepted", data.post_id, key)

    return consumer


class OrganisationMerged(ReaderModel):
    organisation_id: str
    into_organisation_id: str


def organisation_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    """Membership's own facts, read back: a merge's members move in their own writes, each
    once, after the merge is saved (a crash part-way is finished by the redelivery)."""
    consumer = make("organisations", [topics.MEMBERSHIP])

    @consumer.on("uk.nhs.knet.organisation.merged.v1", OrganisationMerged)
    async def merged(event: CloudEvent, data: OrganisationMerged) -> None:
        await usecases.follow_merge(
            stores,
            organisation_id=data.organisation_id,
            into_organisation_id=data.into_organisation_id,
        )

    return consumer
