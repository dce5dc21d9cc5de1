"""Signing in with an NHS account, against a real OpenID Connect provider in a thread
(oidc-provider-mock, built on Authlib's server): the Authorization Code flow with PKCE, a
member linked by the address the provider verified, a newcomer's application prefilled, and
what must be refused: a replayed state, a token minted for another attempt (nonce), for
another client (audience), an expired one, an unverified address and a domain not allowed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from oidc_provider_mock import User, run_server_in_thread

from services.gateway.app import GatewaySettings
from services.gateway.app import create_app as create_gateway
from shared.clock import ManualClock, new_id
from tests.integration.gateway.conftest import Browser, Platform

CLIENT_ID = "knet-test"
TOKEN_LIFETIME = timedelta(seconds=20)


@dataclass
class Sso:
    gateway: Any
    clock: ManualClock
    provider: str

    @contextlib.asynccontextmanager
    async def browser(self) -> AsyncIterator[Browser]:
        browser = Browser(self.gateway)
        try:
            yield browser
        finally:
            await browser.close()

    async def authorize(self, browser: Browser, sub: str, **change: str) -> str:
        """Starts a sign-in, lets the provider's user `sub` consent, and answers the callback
        path the provider sends the browser back to (`change`: other authorize parameters)."""
        started = await browser.get("/sign-in/nhs")
        assert started.status_code == 303, started.text
        url = started.headers["location"]
        if change:
            parts = urlsplit(url)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()} | change
            url = urlunsplit(parts._replace(query=urlencode(query)))
        async with httpx.AsyncClient() as outside:
            consented = await outside.post(url, data={"sub": sub})
        assert consented.status_code == 302, consented.text
        back = urlsplit(consented.headers["location"])
        return f"{back.path}?{back.query}"


def people() -> list[User]:
    def person(sub: str, email: str, *, verified: bool = True) -> User:
        claims = {"email": email, "email_verified": verified, "name": sub.title()}
        return User(sub=sub, claims=claims)

    return [
        person("ada", "ada.sso@nhs.net"),
        person("grace", f"grace.{new_id()[-6:]}@nhs.net"),
        person("eve", "eve@example.com"),
        person("mal", "mal@nhs.net", verified=False),
    ]


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[str, list[User]]]:
    users = people()
    with run_server_in_thread(
        port=0, user_claims=users, access_token_max_age=TOKEN_LIFETIME
    ) as server:
        yield f"http://localhost:{server.server_port}", users


@pytest.fixture(scope="module")
async def sso(platform: Platform, provider: tuple[str, list[User]]) -> AsyncIterator[Sso]:
    issuer, _ = provider
    settings = GatewaySettings(
        **platform.settings.model_dump(),
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret="a-client-secret",
        oidc_allowed_domains="nhs.net",
    )
    clock = ManualClock(datetime.now(UTC))
    gateway = create_gateway(
        settings,
        clock=clock,
        transports={name: httpx.ASGITransport(app=app) for name, app in platform.services.items()},
    )
    async with gateway.router.lifespan_context(gateway):
        yield Sso(gateway, clock, issuer)


@pytest.fixture(autouse=True)
def now(sso: Sso) -> None:
    # The provider stamps its tokens with the real time; the gateway's clock starts there.
    sso.clock.set(datetime.now(UTC))


async def test_a_member_signs_in_with_their_nhs_account(platform: Platform, sso: Sso) -> None:
    applicant = await platform.membership.apply("LDN", email="ada.sso@nhs.net")
    operator = await platform.membership.as_operator()
    await platform.membership.http.post(
        f"/v1/applications/{applicant['id']}/approve", headers=operator
    )
    async with sso.browser() as browser:
        page = await browser.get("/sign-in")
        assert "Sign in with your NHS account" in page.text
        back = await sso.authorize(browser, "ada")
        state_cookie = browser.http.cookies["knet_sso_state"]
        signed_in = await browser.get(back)
        assert signed_in.status_code == 303, signed_in.text
        assert signed_in.headers["location"] == "/"
        assert (await browser.get("/profile")).status_code == 200
    async with sso.browser() as replayer:
        # The same answer again, with the same state and its cookie: it was used.
        replayer.http.cookies.set("knet_sso_state", state_cookie, path="/sign-in/nhs")
        replayed = await replayer.get(back)
        assert replayed.status_code == 401, "a state answers once"
        assert "used already" in replayed.text


async def test_a_newcomer_applies_with_their_account_and_no_password(
    platform: Platform, sso: Sso, provider: tuple[str, list[User]]
) -> None:
    _, users = provider
    email = next(u.claims["email"] for u in users if u.sub == "grace")
    async with sso.browser() as browser:
        back = await sso.authorize(browser, "grace")
        answered = await browser.get(back)
        assert answered.headers["location"] == "/apply?with=nhs"
        form = await browser.get("/apply?with=nhs")
        assert email in form.text
        assert 'name="password"' not in form.text
        sent = await browser.submit(
            "/apply?with=nhs",
            "/apply",
            {"name": "Grace Hopper", "email": "someone.else@nhs.net", "region": "SW"},
        )
        assert sent.headers["location"] == "/apply/sent"
    async with sso.browser() as browser:
        back = await sso.authorize(browser, "grace")
        pending = await browser.get(back)
        assert pending.headers["location"] == "/application", "signs in as the applicant"
    member = await platform.services["membership"].state.stores.members.by_email(email)
    assert member is not None, "the provider's address, not the one typed"
    assert member.password_hash is None


@pytest.mark.parametrize(
    ("sub", "status", "words"),
    [
        ("eve", 403, "cannot sign in here"),
        ("mal", 401, "did not confirm your email address"),
    ],
)
async def test_an_address_not_verified_or_not_allowed_is_refused(
    sso: Sso, sub: str, status: int, words: str
) -> None:
    async with sso.browser() as browser:
        refused = await browser.get(await sso.authorize(browser, sub))
        assert refused.status_code == status
        assert words in refused.text
        assert (await browser.get("/profile")).status_code != 200


async def test_an_expired_token_is_refused(sso: Sso) -> None:
    async with sso.browser() as browser:
        back = await sso.authorize(browser, "ada")
        sso.clock.advance(TOKEN_LIFETIME + timedelta(minutes=2))
        refused = await browser.get(back)
        assert refused.status_code == 401
        assert "expired" in refused.text


async def test_a_token_for_another_attempt_or_another_client_is_refused(sso: Sso) -> None:
    async with sso.browser() as first, sso.browser() as second:
        minted = await sso.authorize(first, "ada")
        other = await sso.authorize(second, "ada")
        # The first attempt's code answered to the second attempt's state (and browser).
        code = parse_qs(urlsplit(minted).query)["code"][0]
        state = parse_qs(urlsplit(other).query)["state"][0]
        crossed = await second.get(f"/sign-in/nhs/callback?code={code}&state={state}")
        assert crossed.status_code == 401
        assert "nonce" in crossed.text.lower() or "refused the sign-in" in crossed.text
    async with sso.browser() as browser:
        foreign = await sso.authorize(browser, "ada", client_id="someone-else")
        refused = await browser.get(foreign)
        assert refused.status_code == 401
    async with sso.browser() as browser, sso.browser() as stranger:
        # A callback planted in another browser: the state is not that browser's.
        planted = await stranger.get(await sso.authorize(browser, "ada"))
        assert planted.status_code == 401
        assert "not started here" in planted.text
