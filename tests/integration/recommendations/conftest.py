"""The recommendations service in-process (its real lifespan: seeding, indexes, broker, relay,
members consumer) against the session's Kafka and store, with a controllable clock, and
membership's real events published to knet.membership.v1 to feed its members read model."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from services.membership import facts as membership
from services.recommendations.app import RecommendationsSettings, create_app
from services.recommendations.stores import Stores
from shared import topics
from shared.clock import ManualClock, new_id
from shared.cloudevents import Fact, make_event
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.callers import as_member


@dataclass
class Recs:
    http: httpx.AsyncClient
    settings: RecommendationsSettings
    app: FastAPI
    clock: ManualClock

    @property
    def stores(self) -> Stores:
        stores: Stores = self.app.state.stores
        return stores

    def member(self, member_id: str, *roles: str, region: str = "LDN") -> dict[str, str]:
        return as_member(self.settings, member_id, *roles, region=region)

    def operator(self) -> dict[str, str]:
        return as_member(self.settings, "op", "operator", region="LDN")

    async def seat(
        self, member_id: str, region: str = "LDN", organisation_id: str | None = None
    ) -> None:
        """A member in the members read model, as membership's facts would put them."""
        changes = {"region": region, "organisation_id": organisation_id, "active": True}
        await self.stores.members.apply(member_id, self.clock.now(), changes)


def recommendations_settings(infra: PlatformSettings, suffix: str) -> RecommendationsSettings:
    # The schedulers are driven by the tests; the loops' own rounds would race them.
    return RecommendationsSettings(
        **{
            **infra.model_dump(),
            "database_suffix": suffix,
            "ranking_poll_seconds": 3600,
            "overdue_poll_seconds": 3600,
        }
    )


@contextlib.asynccontextmanager
async def running(infra: PlatformSettings, suffix: str, clock: ManualClock) -> AsyncIterator[Recs]:
    settings = recommendations_settings(infra, suffix)
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://recs") as http:
            recs = Recs(http, settings, app, clock)
            # The rankings loop's first round runs at start: let it finish before tests drive it.
            await eventually(_snapshot_exists(recs), what="the first rankings round")
            yield recs


def _snapshot_exists(recs: Recs) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await recs.stores.rankings.get() is not None

    return check


@pytest.fixture(scope="module")
async def recs(infra: PlatformSettings) -> AsyncIterator[Recs]:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    async with running(infra, f"_recs_{new_id()}", clock) as found:
        yield found


@pytest.fixture(scope="module")
async def membership_topic(infra: PlatformSettings) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    yield producer
    await producer.stop()


async def publish(producer: AIOKafkaProducer, data: Fact, *, member_id: str) -> bytes:
    """One of membership's facts, as membership's outbox relay would publish it; returns the
    message, to deliver again."""
    event = make_event(data, source="/services/membership", subject=member_id, region=None)
    await producer.send_and_wait(topics.MEMBERSHIP, event.to_json(), key=member_id.encode())
    return event.to_json()


def approved(member_id: str, region: str, organisation_id: str | None = None) -> Fact:
    return membership.MemberApproved(
        member_id=member_id,
        region=region,
        name=f"Member {member_id}",
        email=f"{member_id}@nhs.net",
        organisation_id=organisation_id,
        roles=["member"],
        interests=[],
        approved_by="op",
    )


async def known(recs: Recs, *member_ids: str, region: str | None = None) -> None:
    """Waits until the read model has these members (in `region`, if given)."""

    async def check() -> bool:
        for member_id in member_ids:
            found = await recs.stores.members.get(member_id)
            if found is None or (region is not None and found.region != region):
                return False
        return True

    await eventually(check, what=f"members {member_ids} in the read model")


def body(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, response.text
    return response.json()
