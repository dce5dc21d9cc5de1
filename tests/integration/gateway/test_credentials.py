"""An account's whole lifecycle through the pages: a password changed with the current one or
reset by an emailed single-use link, either ending every other session and every API token;
signing in again ending the old session; signing out everywhere revoking tokens; tokens that
do only what they were made for; applying that never reveals who has an account."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from services.gateway.mailbox import received
from shared.clock import new_id
from tests.conftest import eventually
from tests.integration.gateway.conftest import Browser, Platform
from tests.integration.gateway.test_accounts import application
from tests.integration.gateway.test_api_tokens import bearer, make_token
from tests.integration.membership.conftest import STRONG_PASSWORD

NEW_PASSWORD = "Lantern-Orchard-Pebble-27"
META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
RESET_LINK = re.compile(r"(/password/reset\?token=[A-Za-z0-9_-]+)")


async def signed_in(browser: Browser) -> bool:
    return (await browser.get("/profile")).status_code == 200


def mail_to(folder: Path, address: str) -> list[dict[str, str]]:
    return [m for m in received(folder, limit=500) if m["to"] == address]


async def test_a_changed_password_ends_every_other_session_and_token(platform: Platform) -> None:
    member, _ = await platform.membership.member_with_roles("SE", ["member"])
    async with platform.browser() as here, platform.browser() as elsewhere:
        await here.sign_in(member["email"], STRONG_PASSWORD)
        await elsewhere.sign_in(member["email"], STRONG_PASSWORD)
        token = await make_token(here, "Script")
        wrong = await here.submit(
            "/password", "/password", {"current_password": "nope", "new_password": NEW_PASSWORD}
        )
        assert wrong.status_code == 422
        assert 'href="#current_password"' in wrong.text
        weak = await here.submit(
            "/password",
            "/password",
            {"current_password": STRONG_PASSWORD, "new_password": "Summer2024!!"},
        )
        assert weak.status_code == 422
        assert 'href="#new_password"' in weak.text
        changed = await here.submit(
            "/password",
            "/password",
            {"current_password": STRONG_PASSWORD, "new_password": NEW_PASSWORD},
        )
        assert changed.headers["location"] == "/profile?password=changed"
        assert await signed_in(here), "the browser that changed it stays signed in"
        assert not await signed_in(elsewhere), "every other session ended"
        used = await elsewhere.http.get(f"/api/v1/members/{member['id']}", headers=bearer(token))
        assert used.status_code == 401, "API tokens revoked"
    async with platform.browser() as again:
        assert (await again.sign_in(member["email"], STRONG_PASSWORD)).status_code == 401
        assert (await again.sign_in(member["email"], NEW_PASSWORD)).status_code == 303

    async def told() -> bool:
        return any(
            "password was changed" in m["subject"]
            for m in mail_to(platform.mail.folder, member["email"])
        )

    await eventually(told, timeout=60, what="the member told their password changed")


async def test_a_forgotten_password_is_reset_once_by_an_emailed_link(platform: Platform) -> None:
    member, _ = await platform.membership.member_with_roles("SE", ["member"])
    nobody = f"{new_id()}@nhs.net"
    async with platform.browser() as browser, platform.browser() as visitor:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        answers = [
            await browser.submit("/password/forgotten", "/password/forgotten", {"email": email})
            for email in (member["email"], nobody)
        ]
        assert [a.status_code for a in answers] == [200, 200]
        assert all("If <strong>" in a.text and "a link to reset" in a.text for a in answers)

        def links() -> list[dict[str, str]]:
            mail = mail_to(platform.mail.folder, member["email"])
            return [m for m in mail if RESET_LINK.search(m["text"])]

        async def emailed() -> bool:
            return bool(links())

        await eventually(emailed, timeout=30, what="the reset link's email")
        (email,) = links()
        assert "Stop these emails" not in email["text"], "about the account: no unsubscribing"
        link = RESET_LINK.search(email["text"])
        assert link
        assert (await visitor.get(link[1])).status_code == 200
        token = link[1].split("token=")[1]
        weak = await visitor.submit(
            link[1], "/password/reset", {"token": token, "new_password": "Passw0rd2026"}
        )
        assert weak.status_code == 422
        done = await visitor.submit(
            link[1], "/password/reset", {"token": token, "new_password": NEW_PASSWORD}
        )
        assert done.headers["location"] == "/sign-in?reset=done"
        again = await visitor.submit(
            link[1], "/password/reset", {"token": token, "new_password": NEW_PASSWORD + "!"}
        )
        assert again.status_code == 422, "a link works once"
        assert "not valid or was used already" in again.text
        assert (await visitor.sign_in(member["email"], NEW_PASSWORD)).status_code == 303
        assert not await signed_in(browser), "the session before the reset ended"


async def test_signing_in_again_ends_the_old_session(platform: Platform) -> None:
    member, _ = await platform.membership.member_with_roles("SE", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        old = dict(browser.http.cookies)
        # Signing in again from this browser (a sign-in page left open in another tab).
        token = META.search((await browser.get("/")).text)
        assert token
        again = await browser.http.post(
            "/sign-in",
            data={"email": member["email"], "password": STRONG_PASSWORD, "csrf_token": token[1]},
        )
        assert again.status_code == 303
        assert dict(browser.http.cookies) != old
        async with platform.browser() as copy:
            copy.http.cookies.update(old)
            assert not await signed_in(copy), "the old session's cookie no longer works"


async def test_signing_out_everywhere_revokes_api_tokens(platform: Platform) -> None:
    member, _ = await platform.membership.member_with_roles("SE", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        token = await make_token(browser, "Script")
        me = f"/api/v1/members/{member['id']}"
        assert (await browser.get(me, headers=bearer(token))).is_success
        await browser.submit("/sign-out", "/sign-out", {"everywhere": "yes"})
        used = await browser.get(me, headers=bearer(token))
        assert used.status_code == 401


async def test_a_token_does_only_what_it_was_made_for(platform: Platform) -> None:
    facilitator, _ = await platform.membership.member_with_roles("SE", ["member", "facilitator"])
    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        reader = await make_token(browser, "Dashboard", scopes=())
        writer = await make_token(browser, "Script", scopes=("write",))
        keeper = await make_token(browser, "Node admin", scopes=("write", "nodes"))
    async with platform.browser() as script:
        me = f"/api/v1/members/{facilitator['id']}"
        assert (await script.get(me, headers=bearer(reader))).is_success
        refused = await script.http.put(
            "/api/v1/members/me/ranking", json={"codes": ["R1"]}, headers=bearer(reader)
        )
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "insufficient_scope"
        assert 'scope="write"' in refused.headers["www-authenticate"]
        for token, allowed in ((writer, False), (keeper, True)):
            keys = await script.get("/api/v1/regions/SE/node-keys", headers=bearer(token))
            assert keys.is_success is allowed, keys.text


async def test_applying_with_a_members_address_looks_the_same_and_tells_the_member(
    platform: Platform,
) -> None:
    member, _ = await platform.membership.member_with_roles("SE", ["member"])
    answers: list[tuple[int, str | None]] = []
    for email in (f"{new_id()}@nhs.net", member["email"].upper()):
        async with platform.browser(f"198.18.0.{len(answers) + 1}") as visitor:
            sent = await visitor.submit("/apply", "/apply", {**application(), "email": email})
            answers.append((sent.status_code, sent.headers.get("location")))
    assert answers[0] == answers[1] == (303, "/apply/sent")

    async def told() -> bool:
        return any(
            "applied to join the KM Network with your address" in m["subject"]
            for m in mail_to(platform.mail.folder, member["email"])
        )

    await eventually(told, timeout=60, what="the member told of the application")


async def test_a_client_cannot_flood_applications(platform: Platform) -> None:
    async with platform.browser("198.18.1.1") as flooder:
        answers = []
        for _ in range(22):
            body = {
                "name": "Flood",
                "email": f"{new_id()}@nhs.net",
                "password": STRONG_PASSWORD,
                "region": "SE",
            }
            sent = await flooder.http.post("/api/v1/applications", json=body)
            answers.append(sent.status_code)
            await asyncio.sleep(0)
    assert answers[:20] == [202] * 20
    assert answers[20:] == [429, 429]
