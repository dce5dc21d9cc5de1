"""People: the directory and its filters, a member's page with suggestions and their reasons
and the contribution record, and editing my profile with problems shown beside their fields."""

from __future__ import annotations

from shared.clock import new_id
from tests.integration.gateway.conftest import Platform
from tests.integration.membership.conftest import STRONG_PASSWORD


async def test_find_people_read_their_page_and_edit_my_profile(platform: Platform) -> None:
    tag = f"tag{new_id()[-8:]}"
    me, _ = await platform.membership.member_with_roles("SW", ["member"])
    other, other_headers = await platform.membership.member_with_roles("SW", ["member", "core"])
    shared = await platform.membership.http.patch(
        f"/v1/members/{other['id']}",
        json={"interests": [tag], "job_title": "Clinical librarian"},
        headers=other_headers,
    )
    assert shared.status_code == 200, shared.text

    async with platform.browser() as browser:
        await browser.sign_in(me["email"], STRONG_PASSWORD)
        saved = await browser.submit(
            "/profile", "/profile", {"name": me["name"], "region": "SW", "interests": tag}
        )
        assert saved.headers["location"] == "/profile?saved=1"
        assert "Your profile is saved" in (await browser.get("/profile?saved=1")).text

        found = await browser.get("/people", params={"interest": tag, "region": "SW"})
        assert found.status_code == 200
        assert other["name"] in found.text
        assert me["name"] in found.text
        nobody = await browser.get("/people", params={"interest": tag, "role": "sponsor"})
        assert other["name"] not in nobody.text

        page = await browser.get(f"/people/{other['id']}")
        assert "Clinical librarian" in page.text
        assert "Core" in page.text
        assert "Contribution record" in page.text
        mine = await browser.get(f"/people/{me['id']}")
        assert "People you might connect with" in mine.text
        assert other["name"] in mine.text, "suggested: a shared interest"

        refused = await browser.submit(
            "/profile", "/profile", {"name": "", "region": "SW", "links": "not a link"}
        )
        assert refused.status_code == 422
        assert 'href="#name"' in refused.text


async def test_a_filter_the_directory_refuses_is_explained_on_the_page(platform: Platform) -> None:
    me, _ = await platform.membership.member_with_roles("SW", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(me["email"], STRONG_PASSWORD)
        refused = await browser.get("/people", params={"name": "\x07bell"})
        assert refused.status_code == 422
        assert "There is a problem" in refused.text
