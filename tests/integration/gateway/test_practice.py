"""Recommendations, plans and case studies in the site: ranking with plain form fields (and
its problems), the rankings drawn as charts, the adoption table and tile map, a plan started
at a scope the member may act for, progress with evidence, status, following, and case
studies shared, searched, read and marked useful. Members of another region are refused
where they should be."""

from __future__ import annotations

import re

from shared.clock import new_id
from tests.integration.gateway.conftest import Platform
from tests.integration.membership.conftest import STRONG_PASSWORD

PLAN_PATH = re.compile(r"^/plans/([0-9a-z]+)\?done=created$")


async def test_rank_the_recommendations_with_form_fields(platform: Platform) -> None:
    member, _ = await platform.membership.member_with_roles("EOE", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        page = await browser.get("/recommendations/rank")
        assert page.status_code == 200
        assert 'name="place-R1"' in page.text
        assert "data-ballot" in page.text

        twice = await browser.submit(
            "/recommendations/rank", "/recommendations/rank", {"place-R1": "1", "place-R2": "1"}
        )
        assert twice.status_code == 422
        assert 'href="#place-R2"' in twice.text
        assert "You gave place 1 to R1 as well" in twice.text
        empty = await browser.submit("/recommendations/rank", "/recommendations/rank", {})
        assert empty.status_code == 422

        saved = await browser.submit(
            "/recommendations/rank",
            "/recommendations/rank",
            {"place-R3": "1", "place-R1": "2", "place-R5": ""},
        )
        assert saved.headers["location"] == "/recommendations/rank?done=saved"
        again = await browser.get("/recommendations/rank?done=saved")
        assert "Your ranking is saved" in again.text
        assert re.search(r'<option value="1" selected>Place 1</option>', again.text)
        assert again.text.index('id="place-R3"') < again.text.index('id="place-R1"'), (
            "the ballot opens in the member's order"
        )

        overview = await browser.get("/recommendations")
        assert overview.text.count('class="knet-chart"') == 2, "national and regional bar charts"
        assert "<title id=" in overview.text

        withdrawn = await browser.submit(
            "/recommendations/rank", "/recommendations/rank/withdraw", {}
        )
        assert withdrawn.headers["location"] == "/recommendations/rank?done=withdrawn"


async def test_plans_progress_follows_and_case_studies(platform: Platform) -> None:
    word = f"w{new_id()[-8:]}"
    facilitator, _ = await platform.membership.member_with_roles("NEY", ["member", "facilitator"])
    outsider, _ = await platform.membership.member_with_roles("SW", ["member"])

    async with platform.browser() as browser:
        await browser.sign_in(outsider["email"], STRONG_PASSWORD)
        offered = await browser.get("/plans/new")
        assert "name your organisation on your profile" in offered.text
        assert "Start the plan" not in offered.text  # nothing they could start
        refused = await browser.submit(  # a hand-made form is refused all the same
            "/profile", "/plans/new", {"code": "R2", "scope": "national", "goal": "Everything"}
        )
        assert refused.status_code == 422
        assert 'href="#scope"' in refused.text, "a scope the member may not act for"

    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        missing = await browser.submit("/plans/new", "/plans/new", {"scope": "region"})
        assert missing.status_code == 422
        assert 'href="#code"' in missing.text
        assert 'href="#goal"' in missing.text
        created = await browser.submit(
            "/plans/new",
            "/plans/new",
            {"code": "R2", "scope": "region", "goal": f"Peer assist in every trust {word}"},
        )
        found = PLAN_PATH.match(created.headers.get("location", ""))
        assert found, created.text
        plan_path = f"/plans/{found[1]}"
        assert "Your plan is started" in (await browser.get(created.headers["location"])).text

        no_rag = await browser.submit(plan_path, f"{plan_path}/progress", {"summary": "Begun"})
        assert no_rag.status_code == 422
        assert 'href="#rag"' in no_rag.text
        bad_link = await browser.submit(
            plan_path,
            f"{plan_path}/progress",
            {"summary": "Begun", "rag": "amber", "evidence_links": "not a link"},
        )
        assert bad_link.status_code == 422
        assert 'href="#evidence_links"' in bad_link.text
        reported = await browser.submit(
            plan_path,
            f"{plan_path}/progress",
            {
                "summary": "Three trusts trained",
                "rag": "green",
                "evidence_links": "https://example.nhs.uk/report",
            },
        )
        assert reported.headers["location"] == f"{plan_path}?done=progress"
        status = await browser.submit(plan_path, f"{plan_path}/status", {"status": "active"})
        assert status.headers["location"] == f"{plan_path}?done=status"
        page = await browser.get(plan_path)
        assert "Three trusts trained" in page.text
        assert 'href="https://example.nhs.uk/report"' in page.text
        assert re.search(r'class="nhsuk-tag"[^>]*>\s*Active\s*<', page.text)

        listed = await browser.get("/plans", params={"code": "R2", "region": "NEY", "mine": "1"})
        assert word in listed.text
        adoption = await browser.get("/adoption", params={"code": "R2"})
        assert adoption.status_code == 200
        assert "North East and Yorkshire: Active" in adoption.text, "the tile map's description"

        shared = await browser.submit(
            "/case-studies/new",
            "/case-studies/new",
            {
                "title": f"Peer assist before winter {word}",
                "context": "Winter pressures",
                "what_was_done": "Peer assist sessions",
                "outcome": "Fewer repeated mistakes",
                "recommendation_codes": "R2",
                "techniques": "peer assist",
                "region": "NEY",
            },
        )
        assert shared.status_code == 303, shared.text
        study_path = shared.headers["location"].split("?")[0]
        incomplete = await browser.submit(
            "/case-studies/new", "/case-studies/new", {"title": "Half", "region": "NEY"}
        )
        assert incomplete.status_code == 422
        assert 'href="#recommendation_codes"' in incomplete.text

    async with platform.browser() as browser:
        await browser.sign_in(outsider["email"], STRONG_PASSWORD)
        other_region = await browser.submit(
            plan_path, f"{plan_path}/progress", {"summary": "Mine now", "rag": "red"}
        )
        assert other_region.status_code == 403, "only its team and its region's authorities"
        assert "Report progress" not in (await browser.get(plan_path)).text

        followed = await browser.submit(plan_path, f"/follows/plan/{found[1]}", {"follow": "yes"})
        assert followed.headers["location"] == f"{plan_path}?done=followed"
        assert "Stop following" in (await browser.get(plan_path)).text
        recommendation = await browser.submit(
            "/recommendations/R2", "/follows/recommendation/R2", {"follow": "yes"}
        )
        assert (
            "You follow this recommendation"
            in (await browser.get(recommendation.headers["location"])).text
        )

        searched = await browser.get("/case-studies", params={"q": f"winter {word}"})
        assert f"Peer assist before winter {word}" in searched.text
        summer = await browser.get("/case-studies", params={"q": f"summer {word}"})
        assert f"Peer assist before winter {word}" not in summer.text
        read = await browser.get(study_path)
        assert "Fewer repeated mistakes" in read.text
        assert facilitator["name"] in read.text
        useful = await browser.submit(study_path, f"{study_path}/useful", {"useful": "yes"})
        assert "Useful to 1 member." in (await browser.get(useful.headers["location"])).text
