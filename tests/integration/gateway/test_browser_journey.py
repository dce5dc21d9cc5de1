"""The journey in a real browser: Debian's Chromium, driven by Playwright through its
`executable_path`, against the gateway served over HTTP (the platform's services behind it).
A visitor applies, a facilitator approves, the new member signs in, ranks the recommendations
(with the enhancement's Move buttons, under the site's CSP), registers for an event, starts a
plan and reports progress, and shares a case study. Each step is asserted on the page and
kept as a screenshot under build/browser/; axe-core runs on every page and finds nothing
moderate, serious or critical. A second walk visits every other page as an operator, on a
desktop and on a phone's screen (nothing wider than the screen)."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright, expect

from shared.clock import new_id
from shared.settings import REPO_ROOT
from tests.conftest import eventually
from tests.integration.gateway.conftest import Platform
from tests.integration.membership.conftest import STRONG_PASSWORD
from tools.infra.processes import free_port

ARTEFACTS = REPO_ROOT / "build" / "browser"
# The bar is serious and critical; moderate ones are held too (they were all fixed).
HELD = {"moderate", "serious", "critical"}


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is missing: apt-get install chromium (.ci/run does)"
    return found


@pytest.fixture(scope="module")
async def site(platform: Platform) -> AsyncIterator[str]:
    """The gateway on a real port (its lifespan already runs in the platform fixture)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            platform.gateway, host="127.0.0.1", port=port, lifespan="off", log_config=None
        )
    )
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await eventually(started, what="the gateway listening")
    yield f"http://localhost:{port}"
    server.should_exit = True
    await task


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium(), headless=True, args=["--no-sandbox"]
        )
        yield launched
        await launched.close()


class Journey:
    """One person's tab: each step checked for accessibility and kept as a screenshot."""

    def __init__(self, page: Page, who: str, problems: list[str]) -> None:
        self.page, self.who, self.problems = page, who, problems
        page.set_default_timeout(10_000)
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "response",
            lambda r: self.errors.append(f"{r.status} {r.url}") if r.status == 404 else None,
        )

    async def check(self, step: str) -> None:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=ARTEFACTS / f"{self.who}-{step}.png", full_page=True)
        results = await Axe().run(self.page)
        for violation in results.response["violations"]:
            if violation["impact"] in HELD:
                targets = [n["target"] for n in violation["nodes"]][:3]
                self.problems.append(
                    f"{self.page.url} ({step}): {violation['id']} {violation['help']} {targets}"
                )
        assert not self.errors, f"{step}: the browser reported {self.errors}"

    async def open(self, url: str, step: str) -> None:
        await self.page.goto(url)
        await self.check(step)


async def sign_in(journey: Journey, site: str, email: str) -> None:
    await journey.open(f"{site}/sign-in", "sign-in")
    await journey.page.get_by_label("Email address").fill(email)
    await journey.page.get_by_label("Password", exact=True).fill(STRONG_PASSWORD)
    await journey.page.get_by_role("button", name="Sign in").click()


async def test_apply_approve_rank_register_plan_and_share(
    platform: Platform, site: str, browser: Browser
) -> None:
    problems: list[str] = []
    facilitator, _ = await platform.membership.member_with_roles("SW", ["member", "facilitator"])
    operator = await platform.membership.as_operator()
    organisation = await platform.membership.http.post(
        "/v1/organisations",
        json={"name": f"Kernow Health {new_id()[-5:]}", "region": "SW"},
        headers=operator,
    )
    assert organisation.status_code == 201, organisation.text
    name = f"Morwenna {new_id()[-6:]}"
    email = f"{new_id()}@nhs.net"
    title = f"Evidence café {new_id()[-6:]}"

    # A visitor applies.
    visitor = Journey(await (await browser.new_context()).new_page(), "visitor", problems)
    await visitor.open(site, "home")
    await visitor.page.get_by_role("link", name="Apply to join").first.click()
    await visitor.check("apply")
    page = visitor.page
    await page.get_by_label("Full name").fill(name)
    await page.get_by_label("Work email address").fill(email)
    await page.get_by_label("Create a password").fill(STRONG_PASSWORD)
    await page.get_by_label("Region").select_option("SW")
    # The picker: typed letter by letter, the matches follow (only the latest answer shown).
    await page.get_by_label("Your organisation").press_sequentially(
        organisation.json()["name"].lower(), delay=20
    )
    await page.get_by_label(organisation.json()["name"], exact=True).check()
    await visitor.check("apply-organisation-chosen")
    await page.set_viewport_size({"width": 360, "height": 800})
    await visitor.check("apply-organisation-chosen-360")
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.get_by_label("Your role").fill("Clinical librarian")
    await page.get_by_label("Interests").fill("evidence search, peer assist")
    await page.get_by_role("button", name="Send application").click()
    await expect(page.locator("h1")).to_contain_text("Application sent")
    await visitor.check("applied")

    # Their region's facilitator approves, and organises an event.
    host = Journey(await (await browser.new_context()).new_page(), "facilitator", problems)
    await sign_in(host, site, facilitator["email"])
    await host.open(f"{site}/approvals", "approvals")
    await host.page.get_by_role("button", name=f"Approve {name}").click()
    await expect(host.page.locator(".nhsuk-notification-banner")).to_contain_text("Approved")
    await host.check("approved")
    # The organisation the newcomer chose, as their region's facilitator looks after it.
    await host.open(f"{site}/organisations/{organisation.json()['id']}", "organisation")
    await host.page.set_viewport_size({"width": 360, "height": 800})
    await host.check("organisation-360")
    await host.page.set_viewport_size({"width": 1280, "height": 800})
    await host.open(f"{site}/events/new", "organise")
    form = host.page
    await form.get_by_label("Title").fill(title)
    await form.get_by_label("Date").fill((datetime.now(UTC) + timedelta(days=9)).date().isoformat())
    await form.get_by_label("Starts at").fill("10:00")
    await form.get_by_label("Ends at").fill("11:00")
    await form.get_by_label("Joining link").fill("https://meet.example.nhs.uk/cafe")
    await form.get_by_label("Places").fill("20")
    await form.get_by_role("button", name="Save event").click()
    await expect(form.locator(".nhsuk-notification-banner")).to_contain_text("published")
    await host.check("event-published")

    # The new member signs in and ranks the recommendations, moving one with the buttons.
    member = Journey(await (await browser.new_context()).new_page(), "member", problems)
    page = member.page
    await sign_in(member, site, email)
    await expect(page.locator("h1")).to_contain_text(f"Welcome, {name}")
    await member.check("welcome")
    await member.open(f"{site}/recommendations/rank", "ballot")
    await page.get_by_label("R1:").select_option("2")
    await page.get_by_label("R3:").select_option("1")
    await page.get_by_role("button", name="Move up: R2").click()  # the enhancement
    await page.get_by_role("button", name="Save my ranking").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Your ranking is saved"
    )
    await member.check("ranked")
    await member.open(f"{site}/recommendations", "rankings")

    # Registers for the event.
    await member.open(f"{site}/events?region=SW", "calendar")
    await page.get_by_role("link", name=title).click()
    await page.get_by_role("button", name="Register").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have a place")
    await member.check("registered")
    await member.open(f"{site}/events/mine", "my-events")
    await expect(page.locator("main")).to_contain_text(title)
    await member.open(f"{site}/regions/SW", "region")
    await expect(page.locator("main")).to_contain_text(title)  # among its upcoming events

    # Their region's facilitator starts the regional plan for R2.
    await host.open(f"{site}/plans/new?code=R2", "new-regional-plan")
    await host.page.get_by_label("Regional: South West").check()
    await host.page.get_by_label("Goal").fill(f"Peer assist across the South West {title}")
    await host.page.get_by_role("button", name="Start the plan").click()
    await expect(host.page.locator(".nhsuk-notification-banner")).to_contain_text("started")
    regional_url = host.page.url.split("?")[0]

    # Starts a plan for their organisation and reports progress.
    async def plan_started() -> bool:
        await member.open(f"{site}/plans/new?code=R2", "new-plan")
        await page.get_by_label(f"Local: {organisation.json()['name']}").check()
        await page.get_by_label("Goal").fill("Every ward team knows who to ask")
        await page.get_by_role("button", name="Start the plan").click()
        banner = page.locator(".nhsuk-notification-banner")
        return await banner.count() > 0 and "started" in await banner.inner_text()

    # Recommendations learns the member's organisation from membership's facts, on its own.
    await eventually(plan_started, timeout=30, what="the plan started")
    await member.check("plan")
    await page.get_by_label("What has happened").fill("Two ward teams trained")
    await page.get_by_label("Green: on track").check()
    await page.get_by_label("Evidence links").fill("https://example.nhs.uk/wards")
    await page.get_by_role("button", name="Save progress report").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "progress report is saved"
    )
    await expect(page.locator("main")).to_contain_text("Two ward teams trained")
    await member.check("progress")
    # ...sets a milestone, which passes unreached...
    await page.get_by_text("Add a milestone").click()
    await page.get_by_label("What will have happened").fill("Every ward has a KM champion")
    await page.get_by_label("By when").fill(
        (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    )
    await page.get_by_role("button", name="Add milestone").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("milestone is added")
    await expect(page.locator("#milestones + ul")).to_contain_text("Missed")
    await member.check("plan-milestone-missed")
    # ...and counts it in the region's plan, which the page offers.
    await page.get_by_role("button", name="Count it in the regional plan").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("now counts")
    await member.check("plan-linked")

    # The facilitator sees it in the regional plan's roll-up, in words as well as colour.
    await host.open(regional_url, "regional-plan-rollup")
    await expect(host.page.locator("main")).to_contain_text("1 plan counts in this one")
    await expect(host.page.locator("main")).to_contain_text("1 overdue")
    await expect(host.page.locator("main")).to_contain_text("Green: on track")
    await expect(host.page.locator("main")).to_contain_text(organisation.json()["name"])
    await host.page.set_viewport_size({"width": 360, "height": 800})
    await host.check("regional-plan-rollup-360")
    await host.page.set_viewport_size({"width": 1280, "height": 800})

    # Shares a case study.
    await member.open(f"{site}/case-studies/new?code=R3", "new-case-study")
    await page.get_by_label("Title").fill(f"Ward huddles {title}")
    await page.get_by_label("The setting and the problem").fill("Questions went unasked")
    await page.get_by_label("What was done").fill("Five-minute evidence huddles")
    await page.get_by_label("What changed").fill("Questions answered the same day")
    await page.get_by_role("button", name="Share the case study").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("shared")
    await member.check("shared")
    await member.open(f"{site}/people/{await _my_id(page)}", "my-page")
    await member.open(f"{site}/case-studies?q=huddles", "search")
    await expect(page.locator("main")).to_contain_text(f"Ward huddles {title}")

    # htmx: a changed filter shows its results in place, and the address follows.
    await member.open(f"{site}/people", "people")
    await page.evaluate("window.knetSamePage = true")
    await page.get_by_label("Region").select_option("SW")
    await expect(page).to_have_url(re.compile(r"/people\?.*region=SW"))
    await expect(page.locator("#results")).to_contain_text(name)
    assert await page.evaluate("window.knetSamePage === true"), "filtered without a reload"
    await member.check("people-filtered")

    assert not problems, "axe-core found problems:\n" + "\n".join(problems)


XSS = (
    '<script>window.knetPwned = 1</script> <img src=x onerror="window.knetPwned = 2"> '
    '[click me](javascript:window.knetPwned=3) <svg onload="window.knetPwned=4"></svg> '
    '<a href="javascript:window.knetPwned=5">a link</a>'
)


async def test_ask_the_network_reply_mention_and_accept_in_the_browser(
    platform: Platform, site: str, browser: Browser
) -> None:
    """The issue's journey: a question on a recommendation (with hostile markup, inert), a
    reply that quotes and mentions a colleague, who sees it in their inbox, the answer accepted,
    and the answerer's contribution record counting it."""
    problems: list[str] = []
    asker, _ = await platform.membership.member_with_roles("SW", ["member"])
    helper, _ = await platform.membership.member_with_roles("SW", ["member"])
    colleague, _ = await platform.membership.member_with_roles("SW", ["member"])
    stores = platform.services["conversations"].state.stores

    async def known() -> bool:
        ids = [asker["id"], helper["id"], colleague["id"]]
        return len(await stores.members.get_many(ids)) == 3

    await eventually(known, timeout=120, what="the members in conversations' read model")
    title = f"Who runs a clinical librarian service? {new_id()[-6:]}"

    ask = Journey(await (await browser.new_context()).new_page(), "asker", problems)
    page = ask.page
    await sign_in(ask, site, asker["email"])
    await ask.open(f"{site}/recommendations/R4", "recommendation")
    await page.get_by_role(
        "link", name="Ask the network a question or start a conversation"
    ).click()
    await ask.check("ask")
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("This is a question").check()
    await page.get_by_label("Your post").fill(f"We are **starting** one. {XSS}")
    await page.get_by_label("Tags").fill("clinical librarians")
    await page.get_by_role("button", name="Post").click()
    await expect(page.locator("h1")).to_contain_text(title)
    await expect(page.locator(".knet-post strong").first).to_have_text("starting")
    assert await page.evaluate("window.knetPwned === undefined"), "hostile markup ran"
    await ask.check("question")
    thread_url = page.url

    reply = Journey(await (await browser.new_context()).new_page(), "helper", problems)
    page = reply.page
    await sign_in(reply, site, helper["email"])
    await reply.open(thread_url, "thread")
    mention = f"@[{colleague['name']}](member:{colleague['id']})"
    await page.get_by_label("Your reply").fill(f"We run one. {mention} set it up.")
    await page.get_by_label("Quote a post (optional)").select_option(index=1)
    await page.get_by_role("button", name="Post your reply").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("reply is posted")
    await expect(page.locator(".knet-quote")).to_contain_text("wrote:")
    await expect(page.get_by_role("link", name=f"@{colleague['name']}")).to_be_visible()
    assert await page.evaluate("window.knetPwned === undefined"), "hostile markup ran"
    await reply.check("replied")

    told = Journey(await (await browser.new_context()).new_page(), "colleague", problems)
    await sign_in(told, site, colleague["email"])

    async def in_inbox() -> bool:
        await told.page.goto(f"{site}/notifications")
        return f"You were mentioned: {title}" in await told.page.locator("main").inner_text()

    await eventually(in_inbox, timeout=120, what="the mention in the colleague's inbox")
    await told.check("mentioned")

    page = ask.page
    await ask.open(thread_url, "answers")
    await page.get_by_role("button", name=re.compile("Mark as the answer")).click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("answer is marked")
    await expect(page.locator("main")).to_contain_text("Accepted answer")
    await ask.check("answered")

    async def counted() -> bool:
        await ask.page.goto(f"{site}/people/{helper['id']}")
        rows = ask.page.locator(".nhsuk-summary-list__row", has_text="Answers accepted")
        return await rows.count() == 1 and "1" in await rows.inner_text()

    await eventually(counted, timeout=120, what="the answer in the helper's contribution record")
    await ask.check("record")
    assert not problems, "axe-core found problems:\n" + "\n".join(problems)


async def _a_thread(platform: Platform, member_id: str) -> str:
    """A question with a reply, for the walk (started through the service's API)."""
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=platform.services["conversations"]),
        base_url="http://conversations",
    )
    headers = platform.membership.headers(member_id, {"member"}, "SW")
    async with http:
        started = await http.post(
            "/v1/threads",
            headers=headers,
            json={
                "subject_kind": "region",
                "subject_id": "SW",
                "title": "Which librarian skills matter most?",
                "question": True,
                "tags": ["skills"],
                "body": "A table:\n\n| skill | why |\n|---|---|\n| searching | always |",
            },
        )
        assert started.status_code == 201, started.text
        thread_id: str = started.json()["thread"]["id"]
    return thread_id


async def _my_id(page: Page) -> Any:
    await page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/")[2] + "/profile")
    href = await page.get_by_role("link", name="See your page as others see it").get_attribute(
        "href"
    )
    return (href or "").rsplit("/", 1)[-1]


async def test_every_other_page_as_an_operator(
    platform: Platform, site: str, browser: Browser
) -> None:
    problems: list[str] = []
    operator = Journey(await (await browser.new_context()).new_page(), "operator", problems)
    settings = platform.membership.settings
    await operator.open(f"{site}/sign-in", "sign-in")
    await operator.page.get_by_label("Email address").fill(settings.operator_email)
    await operator.page.get_by_label("Password", exact=True).fill(settings.operator_password)
    await operator.page.get_by_role("button", name="Sign in").click()
    someone, _ = await platform.membership.member_with_roles("SW", ["member"])
    thread_id = await _a_thread(platform, someone["id"])
    pages = [
        "/",
        "/people",
        f"/people/{someone['id']}",
        "/profile",
        "/profile/api-tokens",
        "/password",
        "/password/forgotten",
        "/password/reset?token=x",
        "/events",
        "/events/mine",
        "/recommendations",
        "/recommendations/R1",
        "/adoption",
        "/plans",
        "/plans/new",
        "/case-studies",
        "/regions/SW",
        "/organisations",
        "/organisations?status=proposed",
        "/organisations/new",
        "/approvals?region=SW",
        "/node-keys?region=SW",
        "/network-health",
        "/operations",
        "/operations/dead-letters",
        "/operations/mail",
        "/notifications",
        "/notifications/preferences",
        "/notifications/deliveries",
        "/conversations",
        "/conversations/new",
        "/conversations/search?q=librarian",
        "/conversations/flags",
        f"/conversations/{thread_id}",
        f"/conversations/{thread_id}?unread=true",
        "/unsubscribe?token=x",
        "/accessibility",
        "/privacy",
        "/sign-out",
        "/no-such-page",
    ]
    phone_context = await browser.new_context(viewport={"width": 360, "height": 740})
    phone = Journey(await phone_context.new_page(), "operator-phone", problems)
    # The same signed-in session, on the phone's screen.
    cookies: list[Any] = list(await operator.page.context.cookies())
    await phone_context.add_cookies(cookies)
    for path in pages:
        step = path.strip("/").split("?")[0].replace("/", "-") or "home"
        for journey in (operator, phone):
            response = await journey.page.goto(f"{site}{path}")
            assert response is not None
            assert response.status == (404 if path == "/no-such-page" else 200), path
            if path == "/no-such-page":
                journey.errors.clear()  # the page's own 404 is the point here
            await journey.check(step)
        # On a phone nothing is wider than the screen: wide tables scroll inside their box.
        overflow = await phone.page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a phone's screen"
    assert not problems, "axe-core found problems:\n" + "\n".join(problems)

    # The live unread count: server-sent events over real HTTP, with the session's cookie.
    jar = {c["name"]: c["value"] for c in await operator.page.context.cookies()}
    async with (
        httpx.AsyncClient(base_url=site, cookies=jar, timeout=10) as client,
        client.stream("GET", "/notifications/unread-stream") as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        async for line in stream.aiter_lines():
            if line.startswith("data:"):
                assert re.fullmatch(r'data: \{"unread": \d+\}', line), line
                break
