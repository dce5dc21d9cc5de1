"""Composition root: settings, database, broker, repository, routes."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from prometheus_client import Gauge

from services.events import api, node_api
from services.events.consumers import members_consumer, submission_consumer
from services.events.repository import (
    INDEXES,
    EventRepository,
    FeedGenerations,
    IssuerRepository,
    NodeKeyRepository,
    ReminderClaims,
    SubmissionRecords,
)
from services.events.stores import Stores
from services.events.usecases import schedules
from shared.body_limit import KIB
from shared.clock import Clock
from shared.reference import region_codes
from shared.service import ServiceContext, create_service_app, every
from shared.settings import PlatformSettings

UPCOMING = Gauge("knet_events_upcoming", "Published events yet to start, per region", ["region"])


class EventsSettings(PlatformSettings):
    reminder_poll_seconds: float = 60.0
    gauge_refresh_seconds: float = 30.0


def create_app(settings: PlatformSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = EventsSettings(**(settings or PlatformSettings()).model_dump())
    ctx = ServiceContext.create("events", settings, clock)
    stores = Stores(
        events=EventRepository(ctx.db, ctx.clock),
        submissions=SubmissionRecords(ctx.db, ctx.clock),
        reminders=ReminderClaims(ctx.db, ctx.clock),
        node_keys=NodeKeyRepository(ctx.db),
        issuers=IssuerRepository(ctx.db),
        feeds=FeedGenerations(ctx.db),
        clock=ctx.clock,
        role_refresh=timedelta(seconds=settings.role_refresh_seconds),
        feed_secret=settings.internal_token_secret,
    )

    async def schedule() -> None:
        await schedules.send_due_reminders(stores)
        await schedules.complete_ended_events(stores)

    async def refresh_gauges() -> None:
        counts = await stores.events.upcoming_per_region(ctx.clock.now())
        for region in [*sorted(region_codes()), None]:
            UPCOMING.labels(region or "national").set(counts.get(region, 0))

    app = create_service_app(
        ctx,
        http=[api.router, node_api.router],
        indexes=INDEXES,
        outbox_collections=["network_events", "submissions", "reminders"],
        background=[
            every(settings.reminder_poll_seconds, "reminders", schedule),
            every(settings.gauge_refresh_seconds, "gauges", refresh_gauges),
        ],
        consumers=[
            submission_consumer(ctx.consumer, stores),
            members_consumer(ctx.consumer, stores),
        ],
        title="KM Network events",
        # A node's submission is one event's details.
        body_limits={"/v1/node/": 64 * KIB},
    )
    app.state.stores = stores
    return app
