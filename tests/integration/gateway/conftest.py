"""The whole platform in one process: membership, events and recommendations with their real
lifespans on the session's Kafka and store, and the gateway calling them over ASGI, as it calls
them over HTTP in production. A `Browser` is a cookie jar on the gateway that reads each form's
CSRF token as a browser would."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from services.conversations.app import create_app as create_conversations
from services.events.app import create_app as create_events
from services.gateway.app import create_app as create_gateway
from services.membership.app import MembershipSettings
from services.membership.app import create_app as create_membership
from services.notifications.app import NotificationsSettings
from services.notifications.app import create_app as create_notifications
from services.recommendations.app import create_app as create_recommendations
from shared.clock import ManualClock, new_id
from shared.settings import PlatformSettings
from tests.integration.membership.conftest import MembershipClient
from tools.infra.mailsink import KeepMail
from tools.infra.processes import free_port

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    def __init__(self, app: Any, address: str = "203.0.113.7") -> None:
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 50000)),
            base_url="https://gateway.test",
        )

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def submit(self, page: str, action: str, data: dict[str, Any]) -> httpx.Response:
        """Opens `page`, then posts its form to `action` with the page's CSRF token."""
        opened = await self.http.get(page)
        assert opened.status_code == 200, opened.text
        match = CSRF.search(opened.text)
        assert match, f"no CSRF token on {page}"
        return await self.http.post(action, data={**data, "csrf_token": match[1]})

    async def sign_in(self, email: str, password: str) -> httpx.Response:
        return await self.submit("/sign-in", "/sign-in", {"email": email, "password": password})

    async def close(self) -> None:
        await self.http.aclose()


@dataclass
class Platform:
    gateway: Any
    membership: MembershipClient
    clock: ManualClock
    services: dict[str, Any]  # the services' apps, by name
    settings: PlatformSettings
    mail: KeepMail  # what the local SMTP server received

    @contextlib.asynccontextmanager
    async def browser(self, address: str = "203.0.113.7") -> AsyncIterator[Browser]:
        """A browser connecting from `address` (the client address the gateway sees)."""
        browser = Browser(self.gateway, address)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture(scope="module")
async def platform(
    infra: PlatformSettings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    settings = infra.model_copy(update={"database_suffix": f"_gw_{new_id()}"})
    membership_settings = MembershipSettings(**settings.model_dump())
    # A real local SMTP server for the notifications the journeys cause.
    mail = KeepMail(tmp_path_factory.mktemp("mail"))
    smtp = Controller(mail, hostname="127.0.0.1", port=free_port())
    smtp.start()
    apps = {
        "membership": create_membership(membership_settings),
        "events": create_events(settings),
        "recommendations": create_recommendations(settings),
        "notifications": create_notifications(
            # The tests' webhook receivers listen on 127.0.0.1.
            NotificationsSettings(
                **settings.model_dump(), smtp_port=smtp.port, webhooks_allow_loopback=True
            )
        ),
        "conversations": create_conversations(settings),
    }
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    gateway = create_gateway(
        settings,
        clock=clock,
        transports={name: httpx.ASGITransport(app=app) for name, app in apps.items()},
    )
    async with contextlib.AsyncExitStack() as stack:
        for app in [*apps.values(), gateway]:
            await stack.enter_async_context(app.router.lifespan_context(app))
        http = await stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=apps["membership"]), base_url="http://membership"
            )
        )
        yield Platform(
            gateway,
            MembershipClient(http, membership_settings, apps["membership"]),
            clock,
            apps,
            settings,
            mail,
        )
    smtp.stop()
