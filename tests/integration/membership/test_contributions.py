"""The contribution record is kept from other services' events: each contributing event counts
once, however often it is delivered."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY

from services.events.events import EventPublished
from shared import topics
from shared.clock import new_id
from shared.cloudevents import CloudEvent
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.membership.conftest import MembershipClient


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
    labels = {
        "group": "knet-membership-contributions",
        "event_type": EventPublished.event_type,
        "outcome": "ok",
    }
    handled_before = REGISTRY.get_sample_value("knet_messages_handled_total", labels) or 0.0
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for _ in range(2):  # redelivered
            await producer.send_and_wait(topics.EVENTS, fact.to_json(), key=data.event_id.encode())
    finally:
        await producer.stop()

    async def both_deliveries_handled() -> bool:
        handled = REGISTRY.get_sample_value("knet_messages_handled_total", labels) or 0.0
        return handled - handled_before >= 2

    # Wait for the second delivery too: counting after the first alone would prove nothing.
    await eventually(both_deliveries_handled, what="the consumer to handle both deliveries")
    record = (
        await membership.http.get(f"/v1/members/{host['id']}/contributions", headers=headers)
    ).json()
    assert record == {
        "events_hosted": 1,
        "case_studies_shared": 0,
        "plans_led": 0,
        "endorsements": 0,
    }
    stored = await membership.app.state.stores.contributions.collection.count_documents(
        {"member_id": host["id"]}
    )
    assert stored == 1
