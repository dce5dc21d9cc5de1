"""Kafka subscribers: the members read model, from knet.membership.v1: names for mentions,
regions, and when a member was approved (the new-member posting rate). Each reader declares
only the fields it uses; updates apply only if newer than what is recorded, so a redelivered
batch changes nothing."""

from __future__ import annotations

from services.conversations.stores import Stores
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
        changes = {
            "name": data.name,
            "region": data.region,
            "status": "active",
            "approved_at": event.time,
        }
        await stores.members.apply(data.member_id, event.time, changes)

    @consumer.on("uk.nhs.knet.member.profile_updated.v1", MemberProfileUpdated)
    async def profile_updated(event: CloudEvent, data: MemberProfileUpdated) -> None:
        changes = {k: v for k, v in (("name", data.name), ("region", data.region)) if v}
        await stores.members.apply(data.member_id, event.time, changes)

    @consumer.on("uk.nhs.knet.member.left.v1", MemberLeft)
    async def left(event: CloudEvent, data: MemberLeft) -> None:
        # Their posts stay (the conversation would not make sense without them); a mention
        # of them is plain text from now on, and an erased member's name is not kept.
        changes: dict[str, object] = {"status": "left"}
        if data.erased:
            changes["name"] = "A former member"
        await stores.members.apply(data.member_id, event.time, changes)

    return consumer
