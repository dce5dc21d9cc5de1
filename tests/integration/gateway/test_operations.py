"""The operators' pages: each service's health and the headline numbers (read from every
/metrics here: no Prometheus in this platform; tests/integration/test_prometheus.py covers
that source), and the dead-letter topic: a malformed message a service could not read is
listed, discarded with a reason, or replayed once. Members are refused."""

from __future__ import annotations

import re

from aiokafka import AIOKafkaProducer

from services.membership.app import MembershipSettings
from shared import topics
from shared.clock import new_id
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.gateway.conftest import Browser, Platform
from tests.integration.membership.conftest import STRONG_PASSWORD


async def as_operator(browser: Browser) -> None:
    settings = MembershipSettings()
    signed_in = await browser.sign_in(settings.operator_email, settings.operator_password)
    assert signed_in.status_code == 303, signed_in.text


async def test_health_and_headline_numbers_for_operators_only(platform: Platform) -> None:
    member, _ = await platform.membership.member_with_roles("LDN", ["member", "facilitator"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        assert (await browser.get("/operations")).status_code == 403
        assert (await browser.get("/operations/dead-letters")).status_code == 403

    async with platform.browser() as browser:
        await as_operator(browser)
        page = await browser.get("/operations")
        assert page.status_code == 200, page.text
        for service in ("membership", "events", "recommendations"):
            assert re.search(
                rf">{service}</th>\s*<td>\s*<strong class=\"nhsuk-tag nhsuk-tag--green\">\s*Ready",
                page.text,
            ), service
        members = re.search(r'data-headline="members">([\d,]+)<', page.text)
        assert members
        # Membership's gauge, refreshed on its own clock: at least the operator is counted.
        assert int(members[1].replace(",", "")) >= 1
        for title in ("Plans per status", "Consumer lag", "Outbox backlog", "Dead letters"):
            assert title in page.text


async def test_dead_letters_are_listed_discarded_with_a_reason_and_replayed_once(
    platform: Platform, infra: PlatformSettings
) -> None:
    marks = [f"unreadable-{new_id()}" for _ in range(2)]
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for mark in marks:
            await producer.send_and_wait(topics.MEMBERSHIP, mark.encode(), key=b"k")
    finally:
        await producer.stop()

    async with platform.browser() as browser:
        await as_operator(browser)

        async def listed() -> bool:
            page = (await browser.get("/operations/dead-letters")).text
            return all(mark in page for mark in marks)

        await eventually(listed, timeout=30, what="the malformed messages dead-lettered")
        page = (await browser.get("/operations/dead-letters")).text
        entries = {}
        # The form that follows each message's text is its own.
        for mark in marks:
            after = page[page.index(mark) :]
            found = re.search(r'action="/operations/dead-letters/(\d+)/(\d+)/replay"', after)
            assert found
            entries[mark] = (found[1], found[2])
        first, second = (entries[m] for m in marks)

        no_reason = await browser.submit(
            "/operations/dead-letters",
            f"/operations/dead-letters/{first[0]}/{first[1]}/discard",
            {"reason": ""},
        )
        assert no_reason.status_code == 422
        assert f'href="#reason-{first[0]}-{first[1]}"' in no_reason.text
        discarded = await browser.submit(
            "/operations/dead-letters",
            f"/operations/dead-letters/{first[0]}/{first[1]}/discard",
            {"reason": "a test's garbage"},
        )
        assert discarded.headers["location"] == "/operations/dead-letters?done=discarded"
        # Gone from the list (each group that could not read it dead-lettered its own copy:
        # recommendations' and notifications' both read knet.membership.v1).
        remaining = (await browser.get("/operations/dead-letters")).text
        assert f"/operations/dead-letters/{first[0]}/{first[1]}/" not in remaining
        everything = (await browser.get("/operations/dead-letters?show=all")).text
        assert "a test&#39;s garbage" in everything

        replay_path = f"/operations/dead-letters/{second[0]}/{second[1]}/replay"
        replayed = await browser.submit("/operations/dead-letters", replay_path, {})
        assert replayed.headers["location"] == "/operations/dead-letters?done=replayed"
        again = await browser.submit("/operations/dead-letters?show=all", replay_path, {})
        assert again.status_code == 409, "replayed once"
        nothing = await browser.submit(
            "/operations/dead-letters", "/operations/dead-letters/0/999999999/replay", {}
        )
        assert nothing.status_code == 404

        async def dead_again() -> bool:
            page = (await browser.get("/operations/dead-letters")).text
            return marks[1] in page  # the replayed copy, still unreadable, is back

        await eventually(dead_again, timeout=30, what="the replayed copy dead-lettered again")
