"""Reminders 24 h and 1 h before the start, each exactly once per member, and completion once
the event has ended, even with two replicas running the scheduler at the same moment
(controllable clock; counted by ids)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from services.events.app import create_app
from services.events.usecases.schedules import complete_ended_events, send_due_reminders
from shared import topics
from shared.clock import ManualClock, new_id
from shared.settings import PlatformSettings
from tests.integration.events.conftest import as_member, event_body
from tests.integration.published import assert_valid, events_about


async def test_reminders_go_once_each_across_two_replicas(infra: PlatformSettings) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    settings = infra.model_copy(update={"database_suffix": f"_rem_{new_id()}"})
    replica_a, replica_b = create_app(settings, clock=clock), create_app(settings, clock=clock)
    async with (
        replica_a.router.lifespan_context(replica_a),
        replica_b.router.lifespan_context(replica_b),
    ):
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=replica_a), base_url="http://events"
        )
        start = clock.now() + timedelta(hours=48)
        body = event_body(
            capacity=2,
            starts_at=start.isoformat(),
            ends_at=(start + timedelta(hours=1)).isoformat(),
        )
        event_id = (
            await http.post("/v1/events", json=body, headers=as_member(infra, "org"))
        ).json()["id"]
        for member in ("m1", "m2", "m3"):  # m3 is waitlisted: no reminders
            await http.post(
                f"/v1/events/{event_id}/registrations", headers=as_member(infra, member)
            )
        await http.aclose()

        async def both_replicas() -> int:
            sent = await asyncio.gather(
                send_due_reminders(replica_a.state.stores),
                send_due_reminders(replica_b.state.stores),
            )
            return sum(sent)

        upcoming = replica_a.state.stores.events.upcoming_per_region
        assert await upcoming(clock.now()) == {"LDN": 1}  # the knet_events_upcoming gauge
        clock.set(start - timedelta(hours=25))
        assert await both_replicas() == 0
        clock.set(start - timedelta(hours=23))
        assert await both_replicas() == 2
        assert await both_replicas() == 0, "already sent"
        clock.set(start - timedelta(minutes=30))
        assert await both_replicas() == 2
        clock.set(start - timedelta(minutes=10))
        assert await both_replicas() == 0

        async def both_complete() -> int:
            done = await asyncio.gather(
                complete_ended_events(replica_a.state.stores),
                complete_ended_events(replica_b.state.stores),
            )
            return sum(done)

        clock.set(start + timedelta(minutes=59))
        assert await both_complete() == 0, "not ended yet"
        clock.set(start + timedelta(hours=2))
        assert await both_complete() == 1
        assert await both_complete() == 0, "already completed"
        assert await upcoming(clock.now()) == {}

        published = await events_about(infra, topics.EVENTS, {event_id}, expected=1 + 3 + 4 + 1)
        completed = {e["id"]: e for e in published if e["type"].endswith("event.completed.v1")}
        assert [(c["data"]["seats_taken"], c["data"]["attended"]) for c in completed.values()] == [
            (2, 0)
        ]
        # Two replicas run two outbox relays, which may both publish an entry (at least once);
        # readers dedupe on the CloudEvent id, so "once" is one id per member and window.
        reminders = {e["id"]: e for e in published if e["type"].endswith("event.reminder_due.v1")}
        assert sorted(
            (r["data"]["member_id"], r["data"]["window"]) for r in reminders.values()
        ) == [
            ("m1", "1h"),
            ("m1", "24h"),
            ("m2", "1h"),
            ("m2", "24h"),
        ]
        for reminder in reminders.values():
            assert_valid(reminder)
            assert reminder["subject"] == event_id
