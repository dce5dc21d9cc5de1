"""Personal API tokens: made on the site (shown once), used as `Authorization: Bearer` on the
member API without a CSRF token, acting with the member's current roles (a change reaches the
token within the refresh timeout), and refused once revoked, expired or unknown."""

from __future__ import annotations

import re
from datetime import timedelta

from shared.auth import issue_token
from shared.caller import Caller
from tests.integration.gateway.conftest import Browser, Platform
from tests.integration.membership.conftest import STRONG_PASSWORD

TOKEN = re.compile(r'<code class="knet-feed" id="new-token">(knet_[^<]+)</code>')


async def make_token(
    browser: Browser, label: str, days: str = "90", scopes: tuple[str, ...] = ("write",)
) -> str:
    made = await browser.submit(
        "/profile/api-tokens",
        "/profile/api-tokens",
        {"label": label, "days": days, "scopes": list(scopes)},
    )
    assert made.status_code == 200, made.text
    found = TOKEN.search(made.text)
    assert found, "the secret is shown on the answer"
    return found[1]


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_a_token_acts_as_its_member_with_current_roles(platform: Platform) -> None:
    member, _ = await platform.membership.member_with_roles("EOE", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        unnamed = await browser.submit("/profile/api-tokens", "/profile/api-tokens", {"days": "90"})
        assert unnamed.status_code == 422
        assert 'href="#label"' in unnamed.text
        forever = await browser.submit(
            "/profile/api-tokens", "/profile/api-tokens", {"label": "x", "days": "9999"}
        )
        assert forever.status_code == 422
        assert 'href="#days"' in forever.text
        token = await make_token(browser, "Team spreadsheet")
        listed = await browser.get("/profile/api-tokens")
        assert "Team spreadsheet" in listed.text
        assert token not in listed.text, "shown once"

    async with platform.browser() as script:  # no cookie: the token alone
        ranked = await script.http.put(
            "/api/v1/members/me/ranking", json={"codes": ["R2", "R1"]}, headers=bearer(token)
        )
        assert ranked.status_code == 200, ranked.text
        mine = await script.http.get("/api/v1/members/me/ranking", headers=bearer(token))
        assert mine.json()["codes"] == ["R2", "R1"]
        queue = await script.http.get(
            "/api/v1/applications", params={"region": "EOE"}, headers=bearer(token)
        )
        assert queue.status_code == 403

        operator = await platform.membership.as_operator()
        granted = await platform.membership.http.put(
            f"/v1/members/{member['id']}/roles",
            json={"roles": ["member", "facilitator"]},
            headers=operator,
        )
        assert granted.status_code == 200
        platform.clock.advance(timedelta(seconds=61))
        queue = await script.http.get(
            "/api/v1/applications", params={"region": "EOE"}, headers=bearer(token)
        )
        assert queue.status_code == 200, "the new role reached the token within a minute"

        for wrong in ("knet_not-a-token", issue_token(Caller(member["id"]), platform.settings)):
            refused = await script.http.get("/api/v1/members/me/ranking", headers=bearer(wrong))
            assert refused.status_code == 401
            assert refused.json()["error"]["code"] == "invalid_token"

    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        page = await browser.get("/profile/api-tokens")
        revoke = re.search(r'action="(/profile/api-tokens/[0-9a-f]+/revoke)"', page.text)
        assert revoke
        revoked = await browser.submit("/profile/api-tokens", revoke[1], {})
        assert revoked.headers["location"] == "/profile/api-tokens?done=revoked"
        gone = await browser.http.get("/api/v1/members/me/ranking", headers=bearer(token))
        assert gone.status_code == 401


async def test_a_token_expires_and_dies_with_its_membership(platform: Platform) -> None:
    member, headers = await platform.membership.member_with_roles("EOE", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        short = await make_token(browser, "Short", days="30")
        long = await make_token(browser, "Long", days="365")
    async with platform.browser() as script:
        platform.clock.advance(timedelta(days=31))
        expired = await script.http.get("/api/v1/events", headers=bearer(short))
        assert expired.status_code == 401
        assert (await script.http.get("/api/v1/events", headers=bearer(long))).status_code == 200
        left = await platform.membership.http.post(
            f"/v1/members/{member['id']}/leave", headers=headers
        )
        assert left.status_code == 200, left.text
        platform.clock.advance(timedelta(seconds=61))
        after = await script.http.get("/api/v1/events", headers=bearer(long))
        assert after.status_code == 401, "a member who left has no working token"
