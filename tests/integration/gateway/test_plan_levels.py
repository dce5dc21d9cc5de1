"""Plans at their levels, as a member and a facilitator meet them: the levels each may start,
the list by level and by organisation, and RAG always in words."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from shared.clock import new_id
from tests.conftest import eventually
from tests.integration.gateway.conftest import Platform
from tests.integration.membership.conftest import STRONG_PASSWORD

PLAN_LINK = re.compile(r'<a href="(/plans/[0-9a-z]+)">North West')


async def in_organisation(platform: Platform, region: str, name: str) -> tuple[dict[str, Any], str]:
    """A member of a new organisation of the region (moved there by its facilitator)."""
    operator = await platform.membership.as_operator()
    added = await platform.membership.http.post(
        "/v1/organisations", json={"name": name, "region": region}, headers=operator
    )
    organisation_id = str(added.json()["id"])
    member, headers = await platform.membership.member_with_roles(region, ["member"])
    asked = await platform.membership.http.post(
        f"/v1/members/{member['id']}/move",
        json={"region": region, "organisation_id": organisation_id},
        headers=headers,
    )
    assert asked.status_code == 200, asked.text
    approved = await platform.membership.http.post(
        f"/v1/members/{member['id']}/move/approve", headers=operator
    )
    assert approved.status_code == 200, approved.text
    return member, organisation_id


async def test_a_member_starts_a_local_plan_found_by_level_and_organisation(
    platform: Platform,
) -> None:
    tag = new_id()[-6:]
    name = f"Mersey Care {tag}"
    member, organisation_id = await in_organisation(platform, "NW", name)
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        offered = await browser.get("/plans/new")
        assert f"Local: {name}" in offered.text
        assert "Regional:" not in offered.text  # not theirs to start
        assert "National" not in offered.text

        async def started() -> bool:
            # The recommendations service learns the member's organisation from its facts.
            sent = await browser.submit(
                "/plans/new",
                "/plans/new",
                {"code": "R2", "scope": "organisation", "goal": f"Peer assist in {tag}"},
            )
            return sent.status_code == 303

        await eventually(started, what="the local plan started")
        local = await browser.get("/plans", params={"level": "organisation", "code": "R2"})
        assert f"Peer assist in {tag}" in local.text
        assert f"Local: {name}" in local.text
        assert "Not rated yet" in local.text  # RAG in words, even before the first update
        regional = await browser.get("/plans", params={"level": "region", "code": "R2"})
        assert f"Peer assist in {tag}" not in regional.text
        theirs = await browser.get("/plans", params={"organisation": organisation_id})
        assert f"Plans of {name}" in theirs.text
        assert f"Peer assist in {tag}" in theirs.text
        page = await browser.get(f"/organisations/{organisation_id}")
        assert f"Peer assist in {tag}" in page.text


async def test_a_local_plan_counts_in_its_regions_plan(platform: Platform) -> None:
    tag = new_id()[-6:]
    name = f"Lancashire Teaching {tag}"
    member, _ = await in_organisation(platform, "NW", name)
    facilitator, _ = await platform.membership.member_with_roles("NW", ["member", "facilitator"])
    code = "R5"
    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        regional = await browser.submit(
            "/plans/new",
            "/plans/new",
            {"code": code, "scope": "region", "goal": f"North West {code} {tag}"},
        )
        assert regional.status_code == 303, regional.text
        listed = await browser.get(
            "/plans", params={"level": "region", "code": code, "region": "NW"}
        )
        regional_path = PLAN_LINK.search(listed.text)
        assert regional_path, listed.text
        regional_path_text = regional_path[1]

    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)

        made: list[str] = []

        async def started() -> bool:
            sent = await browser.submit(
                "/plans/new",
                "/plans/new",
                {"code": code, "scope": "organisation", "goal": f"Local {code} {tag}"},
            )
            if sent.status_code == 303:
                made.append(sent.headers["location"].split("?")[0])
            return bool(made)

        await eventually(started, what="the local plan started")
        local_path = made[0]
        page = await browser.get(local_path)
        assert "Count it in the regional plan" in page.text
        linked = await browser.submit(
            local_path,
            f"{local_path}/parent",
            {"parent_plan_id": regional_path_text.rsplit("/", 1)[1]},
        )
        assert linked.status_code == 303
        page = await browser.get(local_path)
        assert "Counts in" in page.text
        assert "Count it in the regional plan" not in page.text
        regional_page = await browser.get(regional_path_text)
        assert "1 plan counts in this one" in regional_page.text
        assert f"Local: {name}" in regional_page.text
        assert "Not rated yet" in regional_page.text


async def test_a_facilitator_downloads_the_regions_plans_for_the_board(platform: Platform) -> None:
    tag = new_id()[-6:]
    name = f"=HYPERLINK Trust {tag}"  # a name a spreadsheet must not run
    member, _ = await in_organisation(platform, "EOE", name)
    facilitator, _ = await platform.membership.member_with_roles("EOE", ["member", "facilitator"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)

        async def started() -> bool:
            sent = await browser.submit(
                "/plans/new",
                "/plans/new",
                {"code": "R4", "scope": "organisation", "goal": f"Board report {tag}"},
            )
            return sent.status_code == 303

        await eventually(started, what="the local plan started")
        refused = await browser.get("/plans/export.csv", params={"region": "EOE"})
        assert refused.status_code == 403  # a member, not the region's facilitator
    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        listing = await browser.get("/plans", params={"region": "EOE"})
        assert "Download East of England" in listing.text
        sheet = await browser.get("/plans/export.csv", params={"region": "EOE"})
        assert sheet.status_code == 200
        assert sheet.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["Plan", "Recommendation", "Level"]
        (mine,) = [row for row in rows if row[5] == f"Board report {tag}"]
        assert (mine[1], mine[2], mine[3], mine[4]) == (
            "R4",
            "Local",
            f"'{name}",
            "East of England",
        )
        assert mine[7] == "Not rated yet"
        other = await browser.get("/plans/export.csv", params={"region": "LDN"})
        assert other.status_code == 403
