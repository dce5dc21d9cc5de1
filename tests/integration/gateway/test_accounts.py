"""Joining, signing in and out, and what keeps a session honest: CSRF on every form, the
cookie's attributes, timeouts, roles refreshed from membership, sign-in throttling, and safe
redirects. Driven through the pages, as a browser without JavaScript would."""

from __future__ import annotations

from datetime import timedelta

from shared.clock import new_id
from tests.integration.gateway.conftest import CSRF, Platform
from tests.integration.membership.conftest import STRONG_PASSWORD


def application(region: str = "NW") -> dict[str, str]:
    return {
        "name": f"Grace {new_id()[-6:]}",
        "email": f"{new_id()}@nhs.net",
        "password": STRONG_PASSWORD,
        "region": region,
        "job_title": "Knowledge manager",
        "interests": "taxonomy, evidence search",
        "skills": "facilitation",
    }


async def test_a_visitor_applies_waits_and_is_let_in_once_approved(platform: Platform) -> None:
    async with platform.browser() as browser:
        home = await browser.get("/")
        assert home.status_code == 200
        assert "Apply to join" in home.text

        me = application()
        sent = await browser.submit("/apply", "/apply", me)
        assert (sent.status_code, sent.headers["location"]) == (303, "/apply/sent")

        signed_in = await browser.sign_in(me["email"], me["password"])
        assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/application")
        page = await browser.get("/application")
        assert "Pending" in page.text
        assert me["name"] in page.text
        # Nothing else: members' pages send a pending applicant back to their application.
        for path in ("/", "/people"):
            refused = await browser.get(path)
            assert (refused.status_code, refused.headers.get("location")) == (303, "/application")

        operator = await platform.membership.as_operator()
        applicant = await platform.membership.http.get(
            "/v1/applications", params={"region": "NW"}, headers=operator
        )
        (pending,) = [a for a in applicant.json()["items"] if a["email"] == me["email"]]
        approved = await platform.membership.http.post(
            f"/v1/applications/{pending['id']}/approve", headers=operator
        )
        assert approved.status_code == 200

        # Within the refresh timeout the session learns it, without signing in again.
        platform.clock.advance(timedelta(seconds=61))
        welcome = await browser.get("/")
        assert welcome.status_code == 200, welcome.text
        assert f"Welcome, {me['name']}" in welcome.text


async def test_an_application_with_problems_shows_each_beside_its_field(
    platform: Platform,
) -> None:
    async with platform.browser() as browser:
        refused = await browser.submit(
            "/apply", "/apply", {**application(), "name": "", "region": ""}
        )
        assert refused.status_code == 422
        assert "There is a problem" in refused.text
        assert 'href="#name"' in refused.text
        assert 'href="#region"' in refused.text
        assert "Enter your name" in refused.text
        assert "<title>Error: Apply to join" in refused.text

        weak = await browser.submit("/apply", "/apply", {**application(), "password": "short"})
        assert weak.status_code == 422
        assert 'href="#password"' in weak.text


async def test_every_form_needs_its_csrf_token(platform: Platform) -> None:
    async with platform.browser() as browser:
        await browser.get("/sign-in")
        for token in (None, "forged"):
            data = {"email": "a@nhs.net", "password": "x"}
            if token:
                data["csrf_token"] = token
            refused = await browser.http.post("/sign-in", data=data)
            assert refused.status_code == 403
            assert "This form has expired" in refused.text


async def test_the_session_cookie_is_locked_down_and_new_at_every_sign_in(
    platform: Platform,
) -> None:
    member, _ = await platform.membership.member_with_roles("LDN", ["member"])
    async with platform.browser() as browser:
        first = await browser.sign_in(member["email"], STRONG_PASSWORD)
        cookie = first.headers["set-cookie"]
        assert cookie.startswith("__Host-knet_session=")
        for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
            assert attribute.lower() in cookie.lower()
        # Signed in, the sign-in page sends them on.
        assert (await browser.get("/sign-in")).headers["location"] == "/"
    async with platform.browser() as other:
        second = await other.sign_in(member["email"], STRONG_PASSWORD)
        assert second.headers["set-cookie"].split(";")[0] != cookie.split(";")[0]


async def test_security_headers_on_every_page(platform: Platform) -> None:
    async with platform.browser() as browser:
        for path in ("/", "/sign-in", "/apply", "/no-such-page"):
            response = await browser.get(path)
            policy = response.headers["content-security-policy"]
            assert "'unsafe-inline'" not in policy
            assert "frame-ancestors 'none'" in policy
            assert "script-src 'self' 'nonce-" in policy
            nonce = policy.split("'nonce-")[1].split("'")[0]
            assert f'nonce="{nonce}"' in response.text, "the one inline script carries the nonce"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "same-origin"
            assert "max-age" in response.headers["strict-transport-security"]
        missing = await browser.get("/no-such-page")
        assert missing.status_code == 404
        assert "Page not found" in missing.text


async def test_sessions_end_when_idle_too_long_or_signed_out_everywhere(
    platform: Platform,
) -> None:
    member, _ = await platform.membership.member_with_roles("LDN", ["member"])
    async with platform.browser() as phone, platform.browser() as laptop:
        for device in (phone, laptop):
            await device.sign_in(member["email"], STRONG_PASSWORD)
            assert (await device.get("/")).status_code == 200
        out = await phone.submit("/sign-out", "/sign-out", {"everywhere": "yes"})
        assert out.headers["location"] == "/signed-out"
        for device in (phone, laptop):
            home = await device.get("/people")
            assert home.status_code == 303
            assert home.headers["location"].startswith("/sign-in")

        await laptop.sign_in(member["email"], STRONG_PASSWORD)
        assert (await laptop.get("/")).status_code == 200
        platform.clock.advance(timedelta(minutes=31))
        idle = await laptop.get("/people")
        assert idle.headers["location"].startswith("/sign-in")


async def test_a_member_who_leaves_loses_their_session_within_a_minute(
    platform: Platform,
) -> None:
    member, headers = await platform.membership.member_with_roles("LDN", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        assert (await browser.get("/")).status_code == 200
        left = await platform.membership.http.post(
            f"/v1/members/{member['id']}/leave", headers=headers
        )
        assert left.status_code == 200, left.text
        platform.clock.advance(timedelta(seconds=61))
        gone = await browser.get("/")
        assert "Apply to join" in gone.text, "a visitor again"


async def test_sign_in_is_slowed_for_the_guesser_not_the_owner_nor_revealing_the_account(
    platform: Platform,
) -> None:
    member, _ = await platform.membership.member_with_roles("LDN", ["member"])
    nobody = f"{new_id()}@nhs.net"
    async with platform.browser("198.51.100.9") as guesser:
        for email in (member["email"], nobody):
            answers = [
                (await guesser.sign_in(email, "wrong-password")).status_code for _ in range(6)
            ]
            assert answers == [401] * 5 + [429], "the same whether the account exists"
        slowed = await guesser.sign_in(member["email"], STRONG_PASSWORD)
        assert slowed.status_code == 429, "slowed even with the right password"
        assert slowed.headers["retry-after"] == "1"
        assert "Wait 1 second and try again" in slowed.text
        # Another spelling of the same mailbox is the same account to the throttle.
        local, domain = member["email"].split("@")
        ideographic = domain.replace(".", "\u3002")
        respelled = f"{local.upper()}@{ideographic}"
        assert (await guesser.sign_in(respelled, "wrong-password")).status_code == 429
        platform.clock.advance(timedelta(seconds=1))
        assert (await guesser.sign_in(member["email"], "wrong-password")).status_code == 401
        doubled = await guesser.sign_in(member["email"], "wrong-password")
        assert doubled.headers["retry-after"] == "2", "each next try waits twice as long"

    # The owner, from their own machine, is not held up by someone guessing elsewhere.
    async with platform.browser("192.0.2.44") as owner:
        assert (await owner.sign_in(member["email"], STRONG_PASSWORD)).status_code == 303

    async with platform.browser("198.51.100.9") as guesser:
        platform.clock.advance(timedelta(seconds=2))
        assert (await guesser.sign_in(member["email"], STRONG_PASSWORD)).status_code == 303


async def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(
    platform: Platform,
) -> None:
    """Without KNET_TRUSTED_PROXIES the connection's address counts, whatever the request
    says it came from: changing X-Forwarded-For does not reset the throttle."""
    nobody = f"{new_id()}@nhs.net"
    async with platform.browser("127.0.0.1") as local:
        for attempt in range(6):
            opened = await local.http.get("/sign-in")
            token = CSRF.search(opened.text)
            assert token
            answer = await local.http.post(
                "/sign-in",
                data={"email": nobody, "password": "wrong", "csrf_token": token[1]},
                headers={"x-forwarded-for": f"10.9.8.{attempt}"},
            )
        assert answer.status_code == 429


async def test_sign_in_never_redirects_off_the_site(platform: Platform) -> None:
    member, _ = await platform.membership.member_with_roles("LDN", ["member"])
    async with platform.browser() as browser:
        for target in ("//evil.example", "https://evil.example", "/\\evil.example"):
            opened = await browser.get("/sign-in", params={"next": target})
            assert "evil" not in opened.text
        signed_in = await browser.submit(
            "/sign-in?next=//evil.example",
            "/sign-in",
            {"email": member["email"], "password": STRONG_PASSWORD, "next": "//evil.example"},
        )
        assert signed_in.headers["location"] == "/"
