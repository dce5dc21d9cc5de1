"""Composition root: settings, database, broker, repositories, routes, consumers."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import Gauge
from pydantic import model_validator

from services.membership import (
    api,
    applications_api,
    credentials_api,
    organisations_api,
    usecases,
)
from services.membership.consumers import contribution_consumer, organisation_consumer
from services.membership.repository import (
    INDEXES,
    ContributionRepository,
    MemberRepository,
    OrganisationRepository,
)
from services.membership.stores import Stores
from shared.clock import Clock
from shared.logs import log
from shared.service import ServiceContext, create_service_app, every
from shared.settings import PlatformSettings

DEVELOPMENT_OPERATOR_PASSWORD = "Share-What-Works-2016"
MEMBERS_PER_REGION = Gauge("knet_members", "Active members per region", ["region"])


class MembershipSettings(PlatformSettings):
    """The first operator: created at start when the network has none (someone must approve
    the first applicants). Development has a known default; production must set its own."""

    operator_email: str = "operator@knet.example.nhs.uk"
    operator_name: str = "Network Operator"
    operator_password: str = DEVELOPMENT_OPERATOR_PASSWORD
    operator_region: str = "LDN"
    gauge_refresh_seconds: float = 30.0

    @model_validator(mode="after")
    def _refuse_default_operator_password(self) -> MembershipSettings:
        if (
            self.environment == "production"
            and self.operator_password == DEVELOPMENT_OPERATOR_PASSWORD
        ):
            raise ValueError("KNET_OPERATOR_PASSWORD must be set in production")
        return self


def create_app(settings: MembershipSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or MembershipSettings()
    ctx = ServiceContext.create("membership", settings, clock)
    stores = Stores(
        members=MemberRepository(ctx.db, ctx.clock),
        organisations=OrganisationRepository(ctx.db, ctx.clock),
        contributions=ContributionRepository(ctx.db),
        clock=ctx.clock,
    )

    async def on_start() -> None:
        created = await usecases.ensure_operator(
            stores,
            email=settings.operator_email,
            name=settings.operator_name,
            password=settings.operator_password,
            region=settings.operator_region,
        )
        if created:
            log.info("first operator created", member_id=created.id, email=created.email)

    async def refresh_gauges() -> None:
        for region, count in (await stores.members.active_per_region()).items():
            MEMBERS_PER_REGION.labels(region).set(count)

    app = create_service_app(
        ctx,
        http=[
            api.router,
            applications_api.router,
            credentials_api.router,
            organisations_api.router,
        ],
        indexes=INDEXES,
        outbox_collections=["members"],
        consumers=[
            contribution_consumer(ctx.consumer, stores),
            organisation_consumer(ctx.consumer, stores),
        ],
        on_start=on_start,
        background=[every(settings.gauge_refresh_seconds, "gauges", refresh_gauges)],
        title="KM Network membership",
    )
    app.state.stores = stores
    return app
