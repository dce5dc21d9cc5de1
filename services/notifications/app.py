"""Composition root: settings, database, broker, repositories, mailer and webhook poster,
routes, consumers, the retry loop and the digest round."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications import api
from services.notifications.consumers import jobs_consumer, sources_consumer
from services.notifications.mailer import SmtpMailer
from services.notifications.repository import (
    INDEXES,
    Audiences,
    Deliveries,
    Directory,
    Fanouts,
    Inbox,
    Waiting,
)
from services.notifications.spec import SPEC
from services.notifications.stores import Mailer, Stores, WebhookPoster
from services.notifications.usecases import digests, sending
from services.notifications.webhooks import HttpWebhookPoster
from shared.clock import Clock
from shared.sealed import Sealer
from shared.service import ServiceContext, create_service_app, every
from shared.settings import PlatformSettings


class NotificationsSettings(PlatformSettings):
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_from: str = "KM Network <no-reply@knet.example.nhs.uk>"
    # The site's address, for links in emails (the gateway).
    site_url: str = "http://127.0.0.1:8000"
    # How often pending emails and webhook calls are tried again, and digests looked for.
    email_retry_seconds: float = 5.0
    digest_round_seconds: float = 60.0
    fanout_chunk: int = 500
    # A webhook receiver on this machine (development and tests): loopback addresses are
    # otherwise refused like every address that is not public.
    webhooks_allow_loopback: bool = False


def create_app(
    settings: PlatformSettings | None = None,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
    webhooks: WebhookPoster | None = None,
) -> FastAPI:
    """`mailer` and `webhooks` let tests put recording ones in place of SMTP and HTTP."""
    settings = NotificationsSettings(**(settings or PlatformSettings()).model_dump())
    ctx = ServiceContext.create(SPEC.name, settings, clock)
    stores = Stores(
        directory=Directory(ctx.db, Sealer.of(settings)),
        audiences=Audiences(ctx.db),
        fanouts=Fanouts(ctx.db, ctx.clock),
        waiting=Waiting(ctx.db, ctx.clock),
        inbox=Inbox(ctx.db, ctx.clock),
        deliveries=Deliveries(ctx.db, ctx.clock),
        mailer=mailer or SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from),
        webhooks=webhooks or HttpWebhookPoster(allow_loopback=settings.webhooks_allow_loopback),
        clock=ctx.clock,
        # Derived from the platform's signing secret: one secret to keep, a purpose apart.
        unsubscribe_secret=settings.internal_token_secret + ":unsubscribe",
        site_url=settings.site_url.rstrip("/"),
        fanout_chunk=settings.fanout_chunk,
        allow_http_webhooks=settings.environment != "production",
    )
    app = create_service_app(
        ctx,
        http=[api.router],
        indexes=INDEXES,
        outbox_collections=["fanouts", "inbox", "deliveries"],
        consumers=[sources_consumer(ctx.consumer, stores), jobs_consumer(ctx.consumer, stores)],
        background=[
            every(settings.email_retry_seconds, "deliveries", lambda: sending.send_due(stores)),
            every(settings.digest_round_seconds, "digests", lambda: digests.send_due(stores)),
        ],
        title="KM Network notifications",
    )
    app.state.stores = stores
    return app
