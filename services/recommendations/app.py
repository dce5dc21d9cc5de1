"""Composition root: settings, database, broker, repositories, routes, consumers, schedulers."""

from __future__ import annotations

from collections import Counter

from fastapi import FastAPI
from prometheus_client import Gauge

from services.recommendations import api, case_studies_api, plans_api
from services.recommendations.consumers import members_consumer
from services.recommendations.domain.plan import Status as PlanStatus
from services.recommendations.repository import (
    INDEXES,
    Ballots,
    CaseStudies,
    Catalogue,
    Follows,
    Members,
    Plans,
    Rankings,
)
from services.recommendations.stores import Stores
from services.recommendations.usecases import catalogue, plans, resonance
from shared.clock import Clock
from shared.logs import log
from shared.service import ServiceContext, create_service_app, every
from shared.settings import PlatformSettings

PLANS = Gauge("knet_plans", "Implementation plans per status", ["status"])
BALLOTS = Gauge(
    "knet_ranking_ballots", "Members' ballots in the latest rankings, per scope", ["scope"]
)


class RecommendationsSettings(PlatformSettings):
    ranking_poll_seconds: float = 20.0
    overdue_poll_seconds: float = 300.0
    gauge_refresh_seconds: float = 30.0


def create_app(settings: PlatformSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = RecommendationsSettings(**(settings or PlatformSettings()).model_dump())
    ctx = ServiceContext.create("recommendations", settings, clock)
    stores = Stores(
        catalogue=Catalogue(ctx.db),
        members=Members(ctx.db),
        ballots=Ballots(ctx.db, ctx.clock),
        rankings=Rankings(ctx.db, ctx.clock),
        plans=Plans(ctx.db, ctx.clock),
        case_studies=CaseStudies(ctx.db, ctx.clock),
        follows=Follows(ctx.db, ctx.clock),
        clock=ctx.clock,
    )

    async def on_start() -> None:
        seeded = await catalogue.seed_catalogue(stores)
        log.info("catalogue seeded", added=seeded)

    async def refresh_gauges() -> None:
        by_status: Counter[str] = Counter()
        for summary in await stores.plans.summaries():
            by_status[summary.status] += summary.count
        for status in PlanStatus:
            PLANS.labels(status.value).set(by_status.get(status.value, 0))
        snapshot = await stores.rankings.get() or {}
        for scope, count in snapshot.get("ballots", {}).items():
            BALLOTS.labels(scope).set(count)

    app = create_service_app(
        ctx,
        http=[api.router, plans_api.router, case_studies_api.router],
        indexes=INDEXES,
        outbox_collections=["ballots", "rankings", "plans", "case_studies", "follows"],
        consumers=[members_consumer(ctx.consumer, stores)],
        on_start=on_start,
        background=[
            every(
                settings.ranking_poll_seconds,
                "rankings",
                lambda: resonance.recompute_rankings(stores),
            ),
            every(settings.overdue_poll_seconds, "plans", lambda: plans.report_overdue(stores)),
            every(settings.gauge_refresh_seconds, "gauges", refresh_gauges),
        ],
        title="KM Network recommendations",
    )
    app.state.stores = stores
    return app
