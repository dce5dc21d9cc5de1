"""Composition root: settings, database, broker, repository, routes."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from services.events import api, node_api, usecases
from services.events.consumers import submission_consumer
from services.events.repository import (
    INDEXES,
    EventRepository,
    NodeKeys,
    ReminderClaims,
    SubmissionRecords,
)
from services.events.usecases import Stores
from shared.clock import Clock
from shared.logs import log
from shared.service import ServiceContext, create_service_app
from shared.settings import PlatformSettings


class EventsSettings(PlatformSettings):
    reminder_poll_seconds: float = 60.0


def create_app(settings: PlatformSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = EventsSettings(**(settings or PlatformSettings()).model_dump())
    ctx = ServiceContext.create("events", settings, clock)
    stores = Stores(
        events=EventRepository(ctx.db, ctx.locks, ctx.clock),
        submissions=SubmissionRecords(ctx.db, ctx.locks, ctx.clock),
        reminders=ReminderClaims(ctx.db, ctx.locks, ctx.clock),
        node_keys=NodeKeys(ctx.db),
        clock=ctx.clock,
    )

    async def schedule() -> None:
        while True:
            try:
                await usecases.send_due_reminders(stores)
                await usecases.complete_ended_events(stores)
            except Exception as exc:  # a failed round is retried on the next tick
                log.warning("scheduler round failed", error=repr(exc))
            await asyncio.sleep(settings.reminder_poll_seconds)

    app = create_service_app(
        ctx,
        http=[api.router, node_api.router],
        indexes=INDEXES,
        outbox_collections=["network_events", "submissions", "reminders"],
        background=[schedule],
        consumers=[submission_consumer(ctx, stores)],
        title="KM Network events",
    )
    app.state.stores = stores
    return app
