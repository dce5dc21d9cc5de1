"""The contribution record is kept from other services' events: each contributing event counts
once, however often it is delivered."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from services.events.facts import EventPublished
from shared import topics
from shared.clock import new_id
from shared.cloudevents import CloudEvent
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.membership.conftest import MembershipClient

GROUP = "knet-membership-contributions"


async def test_a_hosted_event_counts_once_even_delivered_twice(
    membership: MembershipClient, infra: PlatformSettings
) -> None:
    host, headers = await membership.member_with_roles("NW", ["member"])
    example = EventPublished.examples()[0]
    data = EventPublished.model_validate(
        {**example, "event_id": new_id(), "organiser_member_id": host["id"]}
    )
    fact = CloudEvent(
        id=new_id(),
        source="/services/events",
        type=EventPublished.event_type,
        subject=data.event_id,
        time=datetime.now(UTC),
        data=data.model_dump(mode="json"),
    )
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        deliveries = [  # the same fact twice: a redelivery
            await producer.send_and_wait(topics.EVENTS, fact.to_json(), key=data.event_id.encode())
            for _ in range(2)
        ]
    finally:
        await producer.stop()

    last = deliveries[-1]
    partition = TopicPartition(topics.EVENTS, last.partition)

    async def both_deliveries_handled() -> bool:
        # Offsets are committed only after handling: past the second copy means both were
        # handled. (A count of handled messages would also include the topic's older facts,
        # which a new consumer group reads first.)
        reader = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, group_id=GROUP)
        await reader.start()
        try:
            committed: int = await reader.committed(partition) or 0
            return committed > int(last.offset)
        finally:
            await reader.stop()

    await eventually(both_deliveries_handled, timeout=60, what="both deliveries handled")
    record = (
        await membership.http.get(f"/v1/members/{host['id']}/contributions", headers=headers)
    ).json()
    assert record == {
        "events_hosted": 1,
        "events_attended": 0,
        "case_studies_shared": 0,
        "plans_led": 0,
        "endorsements": 0,
        "posts": 0,
        "answers_accepted": 0,
    }
    stored = await membership.app.state.stores.contributions.collection.count_documents(
        {"member_id": host["id"]}
    )
    assert stored == 1
