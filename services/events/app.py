"""Composition root: settings, database, broker, repository, routes."""

from __future__ import annotations

from fastapi import FastAPI

from services.events import api
from services.events.consumers import submission_consumer
from services.events.repository import INDEXES, EventRepository, SubmissionRecords
from services.events.usecases import Stores
from shared.clock import Clock
from shared.service import ServiceContext, create_service_app
from shared.settings import PlatformSettings


def create_app(settings: PlatformSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or PlatformSettings()
    ctx = ServiceContext.create("events", settings, clock)
    stores = Stores(
        events=EventRepository(ctx.db, ctx.locks, ctx.clock),
        submissions=SubmissionRecords(ctx.db, ctx.locks, ctx.clock),
        clock=ctx.clock,
    )
    app = create_service_app(
        ctx,
        http=[api.router],
        indexes=INDEXES,
        outbox_collections=["network_events", "submissions"],
        consumers=[submission_consumer(ctx, stores)],
        title="KM Network events",
    )
    app.state.stores = stores
    return app
