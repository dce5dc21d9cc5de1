"""Kafka subscribers: the members read model, and organisations' plans following a merge,
from knet.membership.v1. A member's region and
organisation come from here, never from calling membership. Each reader declares only the
fields it uses (tolerant reader); updates apply only if newer than what is recorded, so a
redelivered batch changes nothing."""

from __future__ import annotations

from services.recommendations.stores import Stores
from services.recommendations.usecases import plans, resonance
from shared import topics
from shared.cloudevents import CloudEvent, ReaderModel
from shared.consumer import ConsumerFactory, EventConsumer


class MemberApproved(ReaderModel):
    member_id: str
    region: str
    organisation_id: str | None = None


class MemberProfileUpdated(ReaderModel):
    member_id: str
    region: str
    organisation_id: str | None = None


class MemberLeft(ReaderModel):
    member_id: str
    erased: bool = False


class OrganisationMerged(ReaderModel):
    organisation_id: str
    into_organisation_id: str


def members_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    consumer = make("members", [topics.MEMBERSHIP])

    @consumer.on("uk.nhs.knet.member.approved.v1", MemberApproved)
    async def approved(event: CloudEvent, data: MemberApproved) -> None:
        changes = {"region": data.region, "organisation_id": data.organisation_id, "active": True}
        await resonance.member_changed(
            stores, member_id=data.member_id, as_of=event.time, changes=changes
        )

    @consumer.on("uk.nhs.knet.member.profile_updated.v1", MemberProfileUpdated)
    async def profile_updated(event: CloudEvent, data: MemberProfileUpdated) -> None:
        changes = {"region": data.region, "organisation_id": data.organisation_id}
        await resonance.member_changed(
            stores, member_id=data.member_id, as_of=event.time, changes=changes
        )

    @consumer.on("uk.nhs.knet.organisation.merged.v1", OrganisationMerged)
    async def organisation_merged(event: CloudEvent, data: OrganisationMerged) -> None:
        await plans.follow_merge(
            stores,
            organisation_id=data.organisation_id,
            into_organisation_id=data.into_organisation_id,
        )

    @consumer.on("uk.nhs.knet.member.left.v1", MemberLeft)
    async def left(event: CloudEvent, data: MemberLeft) -> None:
        await resonance.member_left(
            stores, member_id=data.member_id, as_of=event.time, erased=data.erased
        )

    return consumer
