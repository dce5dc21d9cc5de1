"""Network health for sponsors, facilitators and operators: each figure comes from the service
that owns it, and a contribution (a ranking, counted by membership from recommendations'
facts) moves the contributing share. Members are refused."""

from __future__ import annotations

import re

from tests.conftest import eventually
from tests.integration.gateway.conftest import Platform
from tests.integration.membership.conftest import STRONG_PASSWORD

FIGURE = r'data-figure="{}">(\d+)%?<'


async def test_network_health_draws_each_services_figures(platform: Platform) -> None:
    sponsor, _ = await platform.membership.member_with_roles("WAL", ["member", "sponsor"])
    member, _ = await platform.membership.member_with_roles("WAL", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        assert (await browser.get("/network-health")).status_code == 403
        ranked = await browser.submit(
            "/recommendations/rank", "/recommendations/rank", {"place-R4": "1"}
        )
        assert ranked.status_code == 303

    async with platform.browser() as browser:
        await browser.sign_in(sponsor["email"], STRONG_PASSWORD)
        page = await browser.get("/network-health")
        assert page.status_code == 200, page.text
        members = re.search(FIGURE.format("members"), page.text)
        assert members
        assert int(members[1]) >= 3, "the operator, the sponsor and the member"
        assert page.text.count('class="knet-chart"') == 4
        assert len(re.findall(r"<th scope=\"row\">\d{4}-\d{2}</th>", page.text)) == 12

        async def counted() -> bool:
            text = (await browser.get("/network-health")).text
            share = re.search(FIGURE.format("contributing"), text)
            return bool(share) and int(share[1]) > 0  # type: ignore[index]

        await eventually(counted, timeout=30, what="the ranking counted as a contribution")
