"""A regional node's submission, end to end from Kafka: accepted ones become event.published
(and, repeated, one event); changed ones event.updated; bad ones submission.rejected with
every reason; a node can't publish for another region; non-CloudEvents go to the DLQ."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from services.events.app import create_app
from services.events.domain.submission import SUBMITTED, event_id_for
from shared import deadletter, topics
from shared.broker import client_options
from shared.clock import new_id
from shared.cloudevents import CloudEvent
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.published import assert_valid, events_about, events_where

REJECTED = "uk.nhs.knet.submission.rejected.v1"
START = datetime.now(UTC) + timedelta(days=20)


@pytest.fixture(scope="module")
async def events_app(infra: PlatformSettings) -> AsyncIterator[FastAPI]:
    app = create_app(infra.model_copy(update={"database_suffix": f"_subs_{new_id()}"}))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def node(infra: PlatformSettings) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    yield producer
    await producer.stop()


def submission(external_id: str, **change: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "title": "Peer assist clinic",
        "kind": "workshop",
        "mode": "online",
        "scope": "regional",
        "region": "LDN",
        "starts_at": START.isoformat(),
        "ends_at": (START + timedelta(hours=2)).isoformat(),
        "join_url": "https://meet.example/pa",
        "tags": ["R4"],
        "capacity": 30,
        **change,
    }


async def send(
    producer: AIOKafkaProducer,
    data: dict[str, Any],
    *,
    region: str = "LDN",
    event_id: str | None = None,
) -> str:
    envelope = CloudEvent(
        id=event_id or new_id(),
        source=f"/regions/{region}",
        type=SUBMITTED,
        subject=data.get("external_id"),
        time=datetime.now(UTC),
        data=data,
        region=region,
    )
    await producer.send_and_wait(
        topics.REGIONAL_SUBMISSIONS, envelope.to_json(), key=region.encode()
    )
    return envelope.id


async def test_submission_publishes_once_and_updates(
    events_app: FastAPI, node: AIOKafkaProducer, infra: PlatformSettings
) -> None:
    external_id = f"ldn-{new_id()}"
    event_id = event_id_for("LDN", external_id)
    first = await send(node, submission(external_id))
    await send(node, submission(external_id), event_id=first)  # the same message delivered twice
    await send(node, submission(external_id))  # the node sends it again
    await send(node, submission(external_id, title="Peer assist clinic (moved online)"))
    published = await events_about(infra, topics.EVENTS, {event_id}, expected=2)
    assert [e["type"] for e in published] == [
        "uk.nhs.knet.event.published.v1",
        "uk.nhs.knet.event.updated.v1",
    ]
    assert published[0]["data"]["organiser_node"] == "LDN"
    assert published[1]["data"]["changed"] == ["title"]
    for event in published:
        assert_valid(event)
    stored = await events_app.state.stores.events.get(event_id)
    assert stored.title == "Peer assist clinic (moved online)"


async def test_bad_submissions_are_rejected_with_every_reason(
    events_app: FastAPI, node: AIOKafkaProducer, infra: PlatformSettings
) -> None:
    wrong_region = await send(node, submission(f"x-{new_id()}", region="NW"))
    backwards = await send(
        node,
        submission(f"y-{new_id()}", ends_at=(START - timedelta(hours=1)).isoformat(), capacity=0),
    )
    rejections = await events_about(infra, topics.EVENTS, {wrong_region, backwards}, expected=2)
    by_submission = {e["data"]["submission_id"]: e for e in rejections}
    assert by_submission[wrong_region]["type"] == "uk.nhs.knet.submission.rejected.v1"
    assert by_submission[wrong_region]["data"]["reasons"] == [
        "region: the LDN node can only submit events for LDN"
    ]
    assert sorted(by_submission[backwards]["data"]["reasons"]) == [
        "capacity: between 1 and 10,000 for a regional node's event",
        "ends_at: must be after starts_at",
    ], "every reason, the details' own rules too"
    for event in rejections:
        assert_valid(event)


async def test_a_message_that_is_not_a_cloudevent_goes_to_the_dlq(
    events_app: FastAPI, node: AIOKafkaProducer, infra: PlatformSettings
) -> None:
    marker = new_id()
    await node.send_and_wait(
        topics.REGIONAL_SUBMISSIONS, f'{{"external_id": "{marker}", oops'.encode(), key=b"LDN"
    )

    async def dead_lettered() -> bool:
        entries = await deadletter.list_dead_letters(client_options(infra), limit=10_000)
        return any(
            marker.encode() in (e.value or b"")
            and e.headers[deadletter.REASON] == deadletter.MALFORMED
            for e in entries
        )

    await eventually(dead_lettered, what="the malformed submission in the DLQ")


async def test_a_malformed_submission_whose_external_id_can_be_read_is_also_rejected(
    events_app: FastAPI, node: AIOKafkaProducer, infra: PlatformSettings
) -> None:
    readable, unreadable = f"ldn-{new_id()}", new_id()
    truncated = f'{{"source": "/regions/LDN", "data": {{"external_id": "{readable}", "title": '
    not_an_object = {"source": "/regions/LDN", "data": [unreadable]}
    await node.send_and_wait(topics.REGIONAL_SUBMISSIONS, truncated.encode(), key=b"LDN")
    await node.send_and_wait(
        topics.REGIONAL_SUBMISSIONS, json.dumps(not_an_object).encode(), key=b"LDN"
    )
    # The one whose external id can't be read is dead-lettered and nothing more; waiting for
    # it proves the consumer is past both.
    await eventually(
        lambda: _dead_lettered(infra, unreadable), what="the unreadable submission in the DLQ"
    )
    assert await _dead_lettered(infra, readable)
    rejections = await events_where(
        infra,
        topics.EVENTS,
        lambda e: e["type"] == REJECTED and e["data"]["external_id"] in {readable, unreadable},
        expected=1,
    )
    assert len(rejections) == 1
    rejection = rejections[0]["data"]
    assert (rejection["node"], rejection["external_id"]) == ("LDN", readable)
    assert rejection["reasons"][0].startswith("malformed: ")
    assert_valid(rejections[0])


async def _dead_lettered(infra: PlatformSettings, marker: str) -> bool:
    entries = await deadletter.list_dead_letters(client_options(infra), limit=10_000)
    return any(
        marker.encode() in (e.value or b"") and e.headers[deadletter.REASON] == deadletter.MALFORMED
        for e in entries
    )
