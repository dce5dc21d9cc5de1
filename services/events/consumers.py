"""Kafka subscribers: regional nodes' event submissions; membership's word on who may keep
node keys."""

from __future__ import annotations

from aiokafka import ConsumerRecord
from pydantic import ConfigDict

from services.events.domain.submission import SUBMITTED
from services.events.stores import Stores
from services.events.usecases import node_keys, submissions
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
            stores, submission_id=event.id, source=event.source, data=data.model_dump()
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


class MemberRegion(ReaderModel):
    """Where a member is: what a profile update (a move) and a departure say of them."""

    member_id: str
    region: str | None = None


class MemberRoles(MemberRegion):
    """An approval and a role change: where the member is, and the roles they now hold."""

    roles: list[str]


MEMBERSHIP = "uk.nhs.knet.member."
STANDING: dict[str, type[MemberRegion]] = {
    "approved": MemberRoles,
    "role_changed": MemberRoles,
    "profile_updated": MemberRegion,
    "left": MemberRegion,
}


def members_consumer(make: ConsumerFactory, stores: Stores) -> EventConsumer:
    """Node keys stop when their issuer's role (or membership) goes: approvals and role
    changes carry the roles, profile updates the region (a move), a departure ends all."""
    consumer = make("members", [topics.MEMBERSHIP])
    for name, reader in STANDING.items():

        @consumer.on(f"{MEMBERSHIP}{name}.v1", reader)
        async def changed(event: CloudEvent, data: MemberRegion, name: str = name) -> None:
            changes: dict[str, object] = {"region": data.region} if data.region else {}
            if isinstance(data, MemberRoles):
                changes["roles"] = data.roles
            if name == "approved":
                changes["active"] = True
            elif name == "left":
                changes["active"] = False
            stopped = await node_keys.member_changed(
                stores, member_id=data.member_id, changes=changes, at=event.time
            )
            if stopped:
                log.info("node keys stopped with their issuer's role", keys=stopped)

    return consumer
