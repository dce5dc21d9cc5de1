"""Composition root: settings, database, broker, repositories, mailer, routes, consumers,
the email retry loop."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications import api
from services.notifications.consumers import jobs_consumer, sources_consumer
from services.notifications.mailer import SmtpMailer
from services.notifications.repository import (
    INDEXES,
    Audiences,
    Directory,
    Emails,
    Fanouts,
    Inbox,
)
from services.notifications.spec import SPEC
from services.notifications.stores import Mailer, Stores
from services.notifications.usecases import emails
from shared.clock import Clock
from shared.service import ServiceContext, create_service_app, every
from shared.settings import PlatformSettings


class NotificationsSettings(PlatformSettings):
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_from: str = "KM Network <no-reply@knet.example.nhs.uk>"
    # The site's address, for links in emails (the gateway).
    site_url: str = "http://127.0.0.1:8000"
    email_retry_seconds: float = 5.0
    fanout_chunk: int = 500


def create_app(
    settings: PlatformSettings | None = None,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
) -> FastAPI:
    """`mailer` lets tests put a recording mailer in place of SMTP."""
    settings = NotificationsSettings(**(settings or PlatformSettings()).model_dump())
    ctx = ServiceContext.create(SPEC.name, settings, clock)
    stores = Stores(
        directory=Directory(ctx.db),
        audiences=Audiences(ctx.db),
        fanouts=Fanouts(ctx.db, ctx.clock),
        inbox=Inbox(ctx.db, ctx.clock),
        emails=Emails(ctx.db, ctx.clock),
        mailer=mailer or SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from),
        clock=ctx.clock,
        # Derived from the platform's signing secret: one secret to keep, a purpose apart.
        unsubscribe_secret=settings.internal_token_secret + ":unsubscribe",
        site_url=settings.site_url.rstrip("/"),
        fanout_chunk=settings.fanout_chunk,
    )
    app = create_service_app(
        ctx,
        http=[api.router],
        indexes=INDEXES,
        outbox_collections=["fanouts", "inbox", "emails"],
        consumers=[sources_consumer(ctx.consumer, stores), jobs_consumer(ctx.consumer, stores)],
        background=[every(settings.email_retry_seconds, "emails", lambda: emails.send_due(stores))],
        title="KM Network notifications",
    )
    app.state.stores = stores
    return app
