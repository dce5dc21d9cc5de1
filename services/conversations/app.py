"""Composition root: settings, database, broker, repositories, routes, the members consumer."""

from __future__ import annotations

from fastapi import FastAPI

from services.conversations import api, moderation_api
from services.conversations.consumers import members_consumer
from services.conversations.repository import (
    INDEXES,
    Flags,
    Members,
    Posts,
    Readers,
    Threads,
)
from services.conversations.spec import SPEC
from services.conversations.stores import Stores
from shared.clock import Clock
from shared.service import ServiceContext, create_service_app
from shared.settings import PlatformSettings


def create_app(settings: PlatformSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or PlatformSettings()
    ctx = ServiceContext.create(SPEC.name, settings, clock)
    stores = Stores(
        members=Members(ctx.db),
        threads=Threads(ctx.db, ctx.clock),
        posts=Posts(ctx.db, ctx.clock),
        readers=Readers(ctx.db, ctx.clock),
        flags=Flags(ctx.db),
        clock=ctx.clock,
    )
    app = create_service_app(
        ctx,
        http=[api.router, moderation_api.router],
        indexes=INDEXES,
        outbox_collections=["threads", "posts", "readers"],
        consumers=[members_consumer(ctx.consumer, stores)],
        title="KM Network conversations",
    )
    app.state.stores = stores
    return app
