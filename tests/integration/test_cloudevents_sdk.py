"""What the platform produces, read with a CloudEvents SDK the project did not write (the
`cloudevents` package's Kafka binding), for every fact type; and a regional node built on that
SDK, submitting in binary mode (the SDK's default) and in structured mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cloudevents.core.bindings.kafka import (
    KafkaMessage,
    from_kafka_event,
    to_binary_event,
    to_structured_event,
)
from cloudevents.core.v1.event import CloudEvent as SdkEvent
from pymongo import AsyncMongoClient

from services.events.app import create_app
from shared import topics
from shared.broker import make_broker
from shared.clock import new_id
from shared.cloudevents import make_event
from shared.outbox import OUTBOX_INDEX, OutboxRelay, outbox_entry
from shared.settings import PlatformSettings
from tests.integration.published import events_where
from tools.contracts import published_events


async def test_every_fact_type_reads_as_a_valid_cloudevent_with_a_standard_sdk(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]], topic: str
) -> None:
    models = published_events()
    db = mongo[f"knet_test_{new_id()}"]
    await db["aggregates"].create_indexes([OUTBOX_INDEX])
    made = {}
    for model in models:
        fact = model.model_validate(model.examples()[0])
        event = make_event(fact, source="/services/test", subject=f"agg-{model.__name__}")
        made[event.id] = (model, event)
        await db["aggregates"].insert_one(
            {"_id": event.subject, "outbox": [outbox_entry(event, topic)]}
        )
    broker = make_broker(infra, "test-sdk", consumer_only=False)
    await broker.start()
    try:

        async def send(t: str, key: bytes, value: bytes, headers: dict[str, str]) -> Any:
            return await broker.publish(value, t, key=key, headers=headers, no_confirm=True)

        assert await OutboxRelay(db, ["aggregates"], send).run_once() == len(models)
    finally:
        await broker.stop()

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=infra.kafka_bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    read: list[Any] = []
    try:
        while len(read) < len(models):
            batch = await consumer.getmany(timeout_ms=1000)
            read += [r for records in batch.values() for r in records]
    finally:
        await consumer.stop()
    for record in read:
        message = KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)
        sdk_event = from_kafka_event(message)  # raises on anything not a valid CloudEvent
        model, ours = made[sdk_event.get_id()]
        assert dict(record.headers)["content-type"] == b"application/cloudevents+json"
        assert not any(name.startswith("ce_") for name, _ in record.headers), "structured mode"
        assert sdk_event.get_type() == model.event_type
        assert sdk_event.get_specversion() == "1.0"
        assert sdk_event.get_source() == "/services/test"
        assert sdk_event.get_subject() == ours.subject == record.key.decode()
        assert urlparse(sdk_event.get_dataschema() or "").scheme, "an absolute URI"
        assert sdk_event.get_data() == ours.data
    assert {made[e][0].event_type for e in made} == {m.event_type for m in models}


@pytest.mark.parametrize("mode", ["binary", "structured"])
async def test_a_node_on_the_sdk_submits_in_either_mode(infra: PlatformSettings, mode: str) -> None:
    app = create_app(infra.model_copy(update={"database_suffix": f"_sdk_{new_id()}"}))
    external_id = f"sdk-{mode}-{new_id()}"
    start = datetime.now(UTC) + timedelta(days=20)
    event = SdkEvent(
        attributes={
            "id": new_id(),
            "source": "/regions/LDN",
            "type": "uk.nhs.knet.event.submitted.v1",
            "subject": external_id,
            "datacontenttype": "application/json",
        },
        data={
            "external_id": external_id,
            "title": "SDK community call",
            "kind": "community_call",
            "mode": "online",
            "scope": "regional",
            "region": "LDN",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "join_url": "https://meet.example/sdk",
            "capacity": 20,
        },
    )
    message = to_binary_event(event) if mode == "binary" else to_structured_event(event)
    async with app.router.lifespan_context(app):
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(
                topics.REGIONAL_SUBMISSIONS,
                message.value,
                key=b"LDN",
                headers=[(k, v) for k, v in message.headers.items()],
            )
        finally:
            await producer.stop()
        published = await events_where(
            infra,
            topics.EVENTS,
            lambda e: (
                e["type"] == "uk.nhs.knet.event.published.v1"
                and e["subject"] == f"node-LDN-{external_id}"
            ),
            expected=1,
            timeout=30,
        )
    assert published[0]["data"]["title"] == "SDK community call"
