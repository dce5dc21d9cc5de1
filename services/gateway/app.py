"""Composition root: the gateway's stores (sessions, sign-in failures), its clients of the
services, the pages and the security headers."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.gateway.api import proxy
from services.gateway.api.documents import gateway_document
from services.gateway.clients import Clients
from services.gateway.clients.http import Services
from services.gateway.domain.sessions import Timeouts
from services.gateway.domain.sso import ATTEMPT_LIFETIME
from services.gateway.domain.throttle import Limits
from services.gateway.oidc import OidcProvider
from services.gateway.repository import (
    INDEXES,
    ApiTokenRepository,
    DeadLetterDecisionRecords,
    SessionRepository,
    SignInFailureCounts,
    SsoAttemptRecords,
)
from services.gateway.stores import Stores
from services.gateway.usecases import sessions
from services.gateway.usecases.network import NetworkOverview
from services.gateway.usecases.sso import SsoSettings
from services.gateway.web import (
    account_pages,
    case_study_pages,
    conversation_actions,
    conversation_pages,
    event_pages,
    facilitator_pages,
    health_pages,
    home_pages,
    notification_pages,
    operator_pages,
    organisation_pages,
    password_pages,
    people_pages,
    plan_pages,
    recommendation_pages,
    region_pages,
    sso_pages,
    token_pages,
)
from services.gateway.web.errors import install_page_errors
from services.gateway.web.security import SecurityHeaders
from shared.body_limit import KIB
from shared.clock import Clock
from shared.service import ServiceContext, create_service_app, every
from shared.services import discover
from shared.settings import REPO_ROOT, PlatformSettings

STATIC = REPO_ROOT / "services" / "gateway" / "static"


class GatewaySettings(PlatformSettings):
    session_idle_minutes: float = 30
    session_absolute_hours: float = 12
    # Failed sign-ins (domain/throttle.py): free tries for one client at one account before
    # each next one waits (doubling to 15 minutes); one client across all accounts, and all
    # clients at one account, in a window.
    sign_in_free_tries: int = 5
    sign_in_failures_per_address: int = 50
    sign_in_failures_per_account: int = 100
    sign_in_window_minutes: float = 15
    # Proxies whose X-Forwarded-For the gateway believes (comma-separated addresses, or "*"
    # behind a load balancer that is the only way in): none by default, so a client cannot
    # name its own address and escape the throttle.
    trusted_proxies: str = ""
    # Single sign-on with an NHS account (OpenID Connect; NHSmail is Microsoft Entra ID): the
    # issuer, this site's client at it, and the email domains whose accounts may sign in.
    # Off while the issuer is empty. `oidc_trust_emails`: the provider vouches for every
    # address it gives (one organisation's Entra ID, whose tokens carry no email_verified).
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_allowed_domains: str = "nhs.net"
    oidc_trust_emails: bool = False
    overview_seconds: float = 30
    # Where the operators' charts read their series; without it they show each /metrics now.
    prometheus_url: str | None = None


def create_app(
    settings: PlatformSettings | None = None,
    clock: Clock | None = None,
    transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """`transports` lets tests put the services in the same process (httpx.ASGITransport)."""
    settings = GatewaySettings(**(settings or PlatformSettings()).model_dump())
    ctx = ServiceContext.create("gateway", settings, clock)
    services = Services(
        settings,
        {spec.name: spec.url() for spec in discover() if spec.name != "gateway"},
        transports=transports,
    )
    stores = Stores(
        sessions=SessionRepository(ctx.db),
        failures=SignInFailureCounts(ctx.db),
        decisions=DeadLetterDecisionRecords(ctx.db),
        tokens=ApiTokenRepository(ctx.db),
        clock=ctx.clock,
        timeouts=Timeouts(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_absolute_hours),
            refresh=timedelta(seconds=settings.role_refresh_seconds),
        ),
        sso=SsoAttemptRecords(ctx.db),
        limits=Limits(
            window=timedelta(minutes=settings.sign_in_window_minutes),
            free_tries=settings.sign_in_free_tries,
            per_address=settings.sign_in_failures_per_address,
            per_account=settings.sign_in_failures_per_account,
        ),
    )

    async def forget() -> None:
        await sessions.forget_expired(stores)
        await stores.sso.remove_before(ctx.clock.now() - ATTEMPT_LIFETIME)

    app = create_service_app(
        ctx,
        http=[
            home_pages.router,
            account_pages.router,
            password_pages.router,
            sso_pages.router,
            people_pages.router,
            organisation_pages.router,
            event_pages.router,
            recommendation_pages.router,
            plan_pages.router,
            case_study_pages.router,
            conversation_pages.router,
            conversation_actions.router,
            region_pages.router,
            facilitator_pages.router,
            operator_pages.router,
            health_pages.router,
            token_pages.router,
            notification_pages.router,
            proxy.router,
        ],
        indexes=INDEXES,
        background=[every(600, "forget-expired-sessions", forget)],
        title="KM Network",
        public_document=True,
        body_limits={
            "/api/v1/node/": 64 * KIB,  # a node's submission: one event's details
            "/sign-in": 16 * KIB,
            "/apply": 64 * KIB,
        },
    )
    app.state.stores = stores
    app.state.services = services
    app.state.clients = clients = Clients.over(services)
    app.state.oidc = (
        OidcProvider(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
        )
        if settings.oidc_issuer
        else None
    )
    app.state.sso = SsoSettings(
        allowed_domains=frozenset(
            d.strip().lower() for d in settings.oidc_allowed_domains.split(",") if d.strip()
        ),
        trust_emails=settings.oidc_trust_emails,
    )
    app.state.overview = NetworkOverview(
        clients, ctx.clock, timedelta(seconds=settings.overview_seconds)
    )
    # The member API's document is the services' own, under /api (api/documents.py).
    app.openapi = gateway_document  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_page_errors(app)
    app.add_middleware(SecurityHeaders, settings=settings)
    if settings.trusted_proxies:
        # Only these may name the client (uvicorn's own handling, which trusts 127.0.0.1 by
        # default, is off in shared.service.serve).
        proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    return app
