"""The demo network: seeded through the services' APIs, once (a second run finds its marker
and adds nothing), alive in the site at once for the sign-ins `knet up` prints; never in
production, and off with KNET_DEMO=0."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest

from services.gateway.clients import Clients
from services.gateway.clients.http import Services
from shared.settings import PlatformSettings
from tests.integration.gateway.conftest import Platform
from tools import demo


def test_the_demo_is_off_in_production_and_when_asked() -> None:
    development = PlatformSettings()
    assert demo.enabled(development, {})
    assert not demo.enabled(development, {"KNET_DEMO": "0"})
    production = development.model_copy(update={"environment": "production"})
    assert not demo.enabled(production, {"KNET_DEMO": "1"})


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_the_demo_network_is_seeded_once_and_alive_in_the_site(platform: Platform) -> None:
    services = Services(
        platform.settings,
        {name: f"http://{name}" for name in platform.services},
        transports={name: httpx.ASGITransport(app=app) for name, app in platform.services.items()},
    )
    clients = Clients.over(services)
    try:
        seeder = demo.Seeder(platform.settings, clients, datetime.now(UTC), {})
        seeded = await seeder.seed()
        assert seeded == {
            "organisations": 20,
            "members": 36,
            "events": 21,
            "ballots": 36,
            "plans": 32,
            "case_studies": 4,
            "conversations": 3,
        }
        with pytest.raises(demo.AlreadySeeded):
            await demo.Seeder(platform.settings, clients, datetime.now(UTC), {}).seed()
    finally:
        await services.close()

    for email, _ in demo.sign_ins():
        async with platform.browser() as browser:
            signed_in = await browser.sign_in(email, demo.PASSWORD)
            assert signed_in.headers.get("location") == "/", email
            home = await browser.get("/")
            assert "Peer assist clinic: LDN" in home.text, "the soonest events"
    async with platform.browser() as browser:
        await browser.sign_in(f"facilitator.ldn@{demo.DOMAIN}", demo.PASSWORD)
        assert "Priya Nair" in (await browser.get("/approvals")).text
        assert "Peer assist clinic: LDN" in (await browser.get("/events")).text
        assert "Peer assist before winter" in (await browser.get("/case-studies")).text
        assert "Put R1 into practice" in (await browser.get("/plans")).text
        local = (await browser.get("/plans", params={"level": "organisation"})).text
        assert "Local: Guy&#39;s and St Thomas&#39; NHS Foundation Trust" in local
        r1 = (await browser.get("/recommendations/R1")).text
        assert "A national programme for R1" in r1
        assert re.search(r"\d+ local plans?</a> in members' organisations", r1)
        national = (await browser.get("/plans", params={"level": "national"})).text
        assert "A national programme for R1" in national
        organisations = (await browser.get("/organisations", params={"region": "NEY"})).text
        assert "Leeds Teaching Hospitals NHS Trust" in organisations
        people = (await browser.get("/people")).text
        assert len(set(re.findall(r'<a href="/people/[^"]+">([^<]+)</a>', people))) == len(
            re.findall(r'<a href="/people/[^"]+">([^<]+)</a>', people)
        ), "every demo person has a name of their own"
        talk = (await browser.get("/conversations")).text
        assert "Who runs a clinical librarian service" in talk
        assert "Peer assist: how many people is too many?" in talk
