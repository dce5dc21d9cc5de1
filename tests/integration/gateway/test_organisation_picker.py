"""The organisation picker, as a browser without JavaScript uses it (Find, then choose) and as
the enhanced page asks for matches; "not listed" proposes one, confirmed with the member."""

from __future__ import annotations

from shared.clock import new_id
from tests.integration.gateway.conftest import Platform
from tests.integration.gateway.test_accounts import application
from tests.integration.membership.conftest import STRONG_PASSWORD


async def add(platform: Platform, name: str, region: str) -> str:
    operator = await platform.membership.as_operator()
    added = await platform.membership.http.post(
        "/v1/organisations",
        json={"name": name, "region": region, "kind": "trust"},
        headers=operator,
    )
    assert added.status_code == 201, added.text
    return str(added.json()["id"])


async def test_find_then_choose_without_javascript(platform: Platform) -> None:
    tag = new_id()[-6:]
    mine = await add(platform, f"Wirral Teaching Hospitals {tag}", "NW")
    await add(platform, f"Wirral Teaching Hospitals {tag}", "LDN")  # another region's twin
    async with platform.browser() as browser:
        me = application("NW")
        found = await browser.submit(
            "/apply", "/apply", {**me, "organisation_search": f"wirral {tag}", "find": "x"}
        )
        assert found.status_code == 200
        assert found.text.count(f"Wirral Teaching Hospitals {tag}") == 1  # NW's only
        assert f'value="{mine}"' in found.text
        assert me["name"] in found.text  # what was typed stays
        assert me["password"] not in found.text  # but never the password
        assert "Enter your password again" in found.text

        sent = await browser.submit("/apply", "/apply", {**me, "organisation_id": mine})
        assert (sent.status_code, sent.headers["location"]) == (303, "/apply/sent")
    operator = await platform.membership.as_operator()
    queue = await platform.membership.http.get(
        "/v1/applications", params={"region": "NW"}, headers=operator
    )
    (applied,) = [a for a in queue.json()["items"] if a["email"] == me["email"]]
    assert applied["organisation_id"] == mine


async def test_the_matches_follow_the_typing(platform: Platform) -> None:
    tag = new_id()[-6:]
    mine = await add(platform, f"Salford Royal {tag}", "NW")
    async with platform.browser() as browser:
        shown = await browser.get(
            "/organisations/options", params={"q": f"salf {tag}", "region": "NW"}
        )
        assert shown.status_code == 200
        assert f'value="{mine}"' in shown.text
        assert "1 match for" in shown.text
        none = await browser.get("/organisations/options", params={"q": f"zzz{tag}"})
        assert "No organisation in the list matches" in none.text
        assert "not listed" in none.text


async def test_not_listed_proposes_it_and_approval_confirms_it(platform: Platform) -> None:
    tag = new_id()[-6:]
    async with platform.browser() as browser:
        me = application("NW")
        missing = await browser.submit(
            "/apply", "/apply", {**me, "organisation_id": "not_listed", "proposed_organisation": ""}
        )
        assert missing.status_code == 422
        assert "Enter the name of your organisation" in missing.text
        name = f"Bolton Library Service {tag}"
        sent = await browser.submit(
            "/apply",
            "/apply",
            {**me, "organisation_id": "not_listed", "proposed_organisation": name},
        )
        assert sent.status_code == 303
    operator = await platform.membership.as_operator()
    queue = await platform.membership.http.get(
        "/v1/applications", params={"region": "NW"}, headers=operator
    )
    (applied,) = [a for a in queue.json()["items"] if a["email"] == me["email"]]
    proposed = await platform.membership.http.get(
        f"/v1/organisations/{applied['organisation_id']}", headers=operator
    )
    assert (proposed.json()["name"], proposed.json()["status"]) == (name, "proposed")
    await platform.membership.http.post(
        f"/v1/applications/{applied['id']}/approve", headers=operator
    )
    confirmed = await platform.membership.http.get(
        f"/v1/organisations/{applied['organisation_id']}", headers=operator
    )
    assert confirmed.json()["status"] == "active"


async def test_a_member_names_their_organisation_from_the_profile(platform: Platform) -> None:
    tag = new_id()[-6:]
    mine = await add(platform, f"Stockport NHS Foundation Trust {tag}", "NW")
    member, _ = await platform.membership.member_with_roles("NW", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        page = await browser.get("/profile")
        assert "Name your organisation" in page.text
        found = await browser.submit(
            "/profile",
            "/profile/move",
            {"move_region": "NW", "move_organisation_search": f"stockport {tag}", "find": "x"},
        )
        assert found.status_code == 200
        assert f'value="{mine}"' in found.text
        asked = await browser.submit(
            "/profile", "/profile/move", {"move_region": "NW", "move_organisation_id": mine}
        )
        assert asked.status_code == 303
        waiting = await browser.get("/profile")
        assert f"Stockport NHS Foundation Trust {tag}" in waiting.text


async def test_a_facilitator_keeps_the_regions_organisations(platform: Platform) -> None:
    tag = new_id()[-6:]
    facilitator, _ = await platform.membership.member_with_roles("NEY", ["member", "facilitator"])
    member, _ = await platform.membership.member_with_roles("NEY", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        missing = await browser.submit("/organisations/new", "/organisations", {"name": ""})
        assert missing.status_code == 422
        assert "Enter the organisation&#39;s name" in missing.text
        added = await browser.submit(
            "/organisations/new",
            "/organisations",
            {"name": f"Harrogate District {tag}", "region": "NEY", "kind": "trust"},
        )
        assert added.status_code == 303
        absorbed_page = added.headers["location"].split("?")[0]
        survivor = await browser.submit(
            "/organisations/new",
            "/organisations",
            {"name": f"York and Scarborough {tag}", "region": "NEY", "kind": "trust"},
        )
        survivor_id = survivor.headers["location"].split("?")[0].rsplit("/", 1)[1]
        elsewhere = await browser.submit(
            "/organisations/new",
            "/organisations",
            {"name": f"Barts {tag}", "region": "LDN", "kind": "trust"},
        )
        assert elsewhere.status_code == 422  # outside their region, said beside the form
        listed = await browser.get("/organisations", params={"q": f"harrogate {tag}"})
        assert f"Harrogate District {tag}" in listed.text
        assert "NHS trust" in listed.text
        assert "Active" in listed.text

        renamed = await browser.submit(
            absorbed_page,
            f"{absorbed_page}/change",
            {"name": f"Harrogate and District {tag}", "kind": "trust", "ods_code": ""},
        )
        assert renamed.status_code == 303
        found = await browser.submit(
            absorbed_page,
            f"{absorbed_page}/merge",
            {"merge_organisation_search": f"york {tag}", "find": "x"},
        )
        assert f'value="{survivor_id}"' in found.text
        merged = await browser.submit(
            absorbed_page, f"{absorbed_page}/merge", {"merge_organisation_id": survivor_id}
        )
        assert merged.status_code == 303
        after = await browser.get(absorbed_page)
        assert "Merged into another organisation" in after.text
        assert f"York and Scarborough {tag}" in after.text
        assert "Look after this organisation" not in after.text  # nothing left to change

    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        page = await browser.get(f"/organisations/{survivor_id}")
        assert page.status_code == 200
        assert "Look after this organisation" not in page.text
        # The page offers no such form; a hand-made one is refused, and says why.
        refused = await browser.submit("/profile", f"/organisations/{survivor_id}/close", {})
        assert refused.status_code == 422
        assert "Only facilitators or operators can do this" in refused.text
