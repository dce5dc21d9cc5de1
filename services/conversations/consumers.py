"""Kafka subscribers: the members read model, from knet.membership.v1: names for mentions,
regions, and when a member was approved (the new-member posting rate). Each reader declares
every field it reads; updates apply only if newer than what is recorded, so a redelivered
batch changes nothing."""

from __future__ import annotations

from services.conversations.stores import Stores
from services.conversations.usecases import members
from shared import topics
from shared.cloudevents import CloudEvent, ReaderModel
from shared.consumer import ConsumerFactory, EventConsumer


class MemberApproved(ReaderModel):
    member_id: str
    name: str
    region: str


class MemberProfileUpdated(ReaderModel):
    member_id: str
    name: str | None = None
    region: str | None = None


class MemberLeft(ReaderModel):
    member_id: str
    erased: bool = False


def members_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    consumer = make("members", [topics.MEMBERSHIP])

    @consumer.on("uk.nhs.knet.member.approved.v1", MemberApproved)
    async def approved(event: CloudEvent, data: MemberApproved) -> None:
        await members.member_approved(
            stores, member_id=data.member_id, name=data.name, region=data.region, at=event.time
        )

    @consumer.on("uk.nhs.knet.member.profile_updated.v1", MemberProfileUpdated)
    async def profile_updated(event: CloudEvent, data: MemberProfileUpdated) -> None:
        await members.profile_updated(
            stores, member_id=data.member_id, name=data.name, region=data.region, at=event.time
        )

    @consumer.on("uk.nhs.knet.member.left.v1", MemberLeft)
    async def left(event: CloudEvent, data: MemberLeft) -> None:
        await members.member_left(
            stores, member_id=data.member_id, erased=data.erased, at=event.time
        )

    return consumer
