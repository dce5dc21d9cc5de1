"""Membership's contribution consumer, fed real Kafka records without a broker: the record
counts each contributing fact once, redelivered or not."""

from __future__ import annotations

from services.events import facts as events_facts
from services.membership.consumers import contribution_consumer
from services.membership.memory import (
    InMemoryContributions,
    InMemoryMembers,
    InMemoryOrganisations,
)
from services.membership.stores import Stores
from services.membership.usecases import contribution_record
from services.recommendations import facts as recommendations_facts
from shared.clock import SystemClock
from tests.unit.membership.factories import member
from tests.unit.records import consumer_for, fact_record, record


async def test_contributions_are_counted_once_and_nodes_are_not_members() -> None:
    stores = Stores(
        members=InMemoryMembers(),
        organisations=InMemoryOrganisations(),
        contributions=InMemoryContributions(),
        clock=SystemClock(),
    )
    await stores.members.add(member("m"))
    consumer, dead = consumer_for(contribution_consumer, stores)
    endorsed = fact_record(
        recommendations_facts.RecommendationEndorsed(
            member_id="m", code="R4", rank=1, region="LDN"
        ),
        subject="m",
    )
    batch = [
        endorsed,
        endorsed,  # redelivered in the same batch
        fact_record(events_facts.EventPublished(**_published("e1", "m")), subject="e1"),
        fact_record(events_facts.EventPublished(**_published("e2", None)), subject="e2"),
        fact_record(
            events_facts.AttendanceRecorded(
                **{**events_facts.AttendanceRecorded.examples()[0], "member_id": "m"}
            ),
            subject="e1",
        ),
        record(b"not a cloudevent", topic="knet.events.v1"),
    ]
    await consumer.handle_batch(batch)
    await consumer.handle_batch(batch[:1])  # and again in a later batch
    counts = await contribution_record(stores, member_id="m")
    assert (counts["endorsements"], counts["events_hosted"], counts["events_attended"]) == (1, 1, 1)
    assert [d["knet-dlq-reason"] for d in dead] == ["malformed"]


def _published(event_id: str, organiser: str | None) -> dict[str, object]:
    example = dict(events_facts.EventPublished.examples()[0])
    return {
        **example,
        "event_id": event_id,
        "organiser_member_id": organiser,
        "organiser_node": None if organiser else "LDN",
    }
