"""The notifications use cases' test bench: in-memory stores on a manual clock, and facts
that make members and fan out an event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.notifications import readers
from services.notifications.facts import NotificationJob
from services.notifications.stores import Stores
from services.notifications.usecases import fanout, readmodel
from shared.clock import ManualClock
from tests.fakes.notifications import (
    InMemoryAudiences,
    InMemoryDeliveries,
    InMemoryDirectory,
    InMemoryFanouts,
    InMemoryInbox,
    InMemoryMailer,
    InMemoryWaiting,
    InMemoryWebhooks,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
P = "uk.nhs.knet."


def in_memory_stores(fanout_chunk: int = 500) -> Stores:
    return Stores(
        directory=InMemoryDirectory(),
        audiences=InMemoryAudiences(),
        fanouts=InMemoryFanouts(),
        waiting=InMemoryWaiting(),
        inbox=InMemoryInbox(),
        deliveries=InMemoryDeliveries(),
        mailer=InMemoryMailer(),
        webhooks=InMemoryWebhooks(),
        clock=ManualClock(NOW),
        unsubscribe_secret="a-test-unsubscribe-secret-of-32-bytes-or-more",
        site_url="https://knet.example.nhs.uk",
        fanout_chunk=fanout_chunk,
    )


def reading(event_type: str, data: dict[str, Any]) -> Any:
    """A fact's data as the consumer hands it over: read through the type's reader model."""
    return readers.read(event_type, data)


async def member_fact(
    stores: Stores, event_type: str, data: dict[str, Any], as_of: datetime
) -> None:
    await readmodel.member_fact(stores, reading(event_type, data), as_of)


async def attachment_fact(
    stores: Stores, event_type: str, data: dict[str, Any], as_of: datetime
) -> None:
    await readmodel.attachment_fact(stores, event_type, reading(event_type, data), as_of)


async def notify(stores: Stores, *, source_id: str, source_type: str, data: dict[str, Any]) -> int:
    return await fanout.notify(
        stores, source_id=source_id, source_type=source_type, fact=reading(source_type, data)
    )


def mailer(stores: Stores) -> InMemoryMailer:
    assert isinstance(stores.mailer, InMemoryMailer)
    return stores.mailer


def jobs_of(stores: Stores) -> list[NotificationJob]:
    assert isinstance(stores.fanouts, InMemoryFanouts)
    return [j for j in stores.fanouts.published if isinstance(j, NotificationJob)]


async def join(stores: Stores, member_id: str, region: str = "LDN", **extra: Any) -> None:
    data = {
        "member_id": member_id,
        "region": region,
        "name": f"Member {member_id}",
        "email": f"{member_id}@nhs.net",
        "roles": ["member", *extra.pop("roles", [])],
        "interests": extra.pop("interests", []),
    }
    await member_fact(stores, P + "member.approved.v1", data, NOW)


async def published(stores: Stores, source_id: str, **data: Any) -> int:
    event = {
        "event_id": "e1",
        "region": "LDN",
        "scope": "regional",
        "title": "Peer assist <clinic>",
        "starts_at": "2027-01-12T14:00:00Z",
        "tags": ["Peer Assist"],
        "capacity": 30,
        **data,
    }
    return await notify(
        stores, source_id=source_id, source_type=P + "event.published.v1", data=event
    )


def webhooks(stores: Stores) -> InMemoryWebhooks:
    assert isinstance(stores.webhooks, InMemoryWebhooks)
    return stores.webhooks


def clock(stores: Stores) -> ManualClock:
    assert isinstance(stores.clock, ManualClock)
    return stores.clock
