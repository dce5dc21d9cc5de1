"""The notifications service in-process (its real lifespan: indexes, broker, relay, both
consumer groups, the email loop) against the session's Kafka and store, sending through SMTP
to a real aiosmtpd server on a free port that keeps what it receives (and refuses the
addresses a test names); facts published to the topics as the other services would."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from services.membership import facts as membership
from services.notifications.app import NotificationsSettings, create_app
from services.notifications.stores import Stores
from shared.clock import new_id
from shared.cloudevents import Fact, make_event
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.callers import as_member
from tools.infra.mailsink import KeepMail
from tools.infra.processes import free_port


@dataclass
class Notifications:
    http: httpx.AsyncClient
    app: FastAPI
    settings: NotificationsSettings
    mail: KeepMail
    producer: AIOKafkaProducer

    @property
    def stores(self) -> Stores:
        return cast(Stores, self.app.state.stores)

    def member(self, member_id: str, region: str = "LDN") -> dict[str, str]:
        return as_member(self.settings, member_id, region=region)

    async def publish(self, fact: Fact, *, subject: str, source: str = "/tests") -> bytes:
        event = make_event(fact, source=source, subject=subject)
        await self.producer.send_and_wait(fact.topic, event.to_json(), key=subject.encode())
        return event.to_json()

    def emails(self) -> list[EmailMessage]:
        return [
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(self.mail.folder.glob("*.eml"))
        ]

    def emails_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.emails() if str(m["To"]) == address]


@pytest.fixture(scope="module")
async def notifications(
    infra: PlatformSettings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Notifications]:
    folder: Path = tmp_path_factory.mktemp("mail")
    sink = KeepMail(folder)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings = NotificationsSettings(
        **{
            **infra.model_dump(),
            "database_suffix": f"_notif_{new_id()}",
            "smtp_port": port,
            "site_url": "https://knet.example.nhs.uk",
            "email_retry_seconds": 0.5,
            # The tests' webhook receiver listens on 127.0.0.1.
            "webhooks_allow_loopback": True,
        }
    )
    app = create_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://notifications"
            ) as http,
        ):
            found = Notifications(http, app, settings, sink, producer)
            await caught_up(found)
            yield found
    finally:
        await producer.stop()
        with contextlib.suppress(Exception):
            controller.stop()


async def caught_up(n: Notifications) -> None:
    """Its consumer group may start behind the topics' history (the session's other tests
    published there): a probe published now is read once that history is, so the tests that
    follow wait only for their own facts."""
    probe = f"probe-{new_id()}"
    await n.publish(
        membership.MemberApproved(
            member_id=probe,
            region="LDN",
            name="Probe",
            email=f"{probe}@nhs.net",
            organisation_id=None,
            roles=["member"],
            interests=[],
            approved_by="op",
        ),
        subject=probe,
    )

    async def read() -> bool:
        return await n.stores.directory.get(probe) is not None

    await eventually(read, timeout=300, what="notifications to catch up with the topics")


def headers_of(message: EmailMessage) -> dict[str, Any]:
    return {k: str(v) for k, v in message.items()}
