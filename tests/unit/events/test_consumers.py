"""The events service's submissions consumer, fed real Kafka records without a broker: a
node's submission is published once, and one too broken to read is dead-lettered and still
answered when its external id can be read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.events import facts as fact
from services.events.consumers import submission_consumer
from services.events.domain.submission import SUBMITTED
from services.events.stores import Stores
from shared.clock import SystemClock
from tests.fakes.events import (
    InMemoryEvents,
    InMemoryFeeds,
    InMemoryIssuers,
    InMemoryNodeKeys,
    InMemoryReminders,
    InMemorySubmissions,
)
from tests.unit.records import consumer_for, envelope, record


async def test_submissions_are_published_once_and_broken_ones_answered() -> None:
    stores = Stores(
        events=InMemoryEvents(),
        submissions=InMemorySubmissions(),
        reminders=InMemoryReminders(),
        node_keys=InMemoryNodeKeys(),
        issuers=InMemoryIssuers(),
        feeds=InMemoryFeeds(),
        clock=SystemClock(),
    )
    consumer, dead = consumer_for(submission_consumer, stores)
    start = datetime.now(UTC) + timedelta(days=30)
    data = {
        "external_id": "ldn-1",
        "title": "Community call",
        "kind": "community_call",
        "mode": "online",
        "scope": "regional",
        "region": "LDN",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "join_url": "https://meet.example/c",
        "capacity": 50,
    }
    submitted = envelope(SUBMITTED, data, source="/regions/LDN", subject="ldn-1")
    good = record(submitted.to_json(), topic="knet.regional-submissions.v1", key=b"LDN")
    broken = record(b'{"external_id": "ldn-2", "title": ', topic="knet.regional-submissions.v1")
    await consumer.handle_batch([good, good, broken])
    assert isinstance(stores.events, InMemoryEvents)
    assert [type(f) for f in stores.events.published] == [fact.EventPublished]
    assert [d["knet-dlq-reason"] for d in dead] == ["malformed"]
    assert isinstance(stores.submissions, InMemorySubmissions)
    (rejected,) = stores.submissions.published
    assert isinstance(rejected, fact.SubmissionRejected)
    assert rejected.external_id == "ldn-2"
