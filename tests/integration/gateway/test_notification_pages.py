"""Notifications in the site: an application reaches the region's facilitator, whose home page
shows the unread count (its live stream is read over real HTTP in the browser tests); opening
one marks it read and goes to its page; preferences are saved; the welcome email's one-click
unsubscribe works from the site, without a CSRF token but never without its signed token."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

from tests.conftest import eventually
from tests.integration.gateway.conftest import Platform
from tests.integration.gateway.test_accounts import application
from tests.integration.membership.conftest import STRONG_PASSWORD

UNREAD = re.compile(r"<span data-unread-count>(\d+)</span>")


async def test_the_inbox_unread_count_preferences_and_unsubscribe(platform: Platform) -> None:
    facilitator, _ = await platform.membership.member_with_roles("EOE", ["member", "facilitator"])
    directory = platform.services["notifications"].state.stores.directory

    async def a_facilitator_to_notifications() -> bool:
        # The application and the role change travel on different partitions: apply only
        # once notifications knows the facilitator as one, or the application finds no one.
        found = await directory.get(facilitator["id"])
        return found is not None and "facilitator" in found.roles

    await eventually(a_facilitator_to_notifications, timeout=90, what="the facilitator's role")
    applicant = application("EOE")
    async with platform.browser() as visitor:
        await visitor.submit("/apply", "/apply", applicant)

    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)

        async def told() -> bool:
            page = await browser.get("/notifications")
            return applicant["name"] in page.text

        # The notifications service reads membership's facts from Kafka: it may be catching up.
        await eventually(told, timeout=90, what="the application in the facilitator's inbox")
        home = await browser.get("/")
        count = UNREAD.search(home.text)
        assert count
        assert int(count[1]) >= 1
        assert 'data-unread-stream="/notifications/unread-stream"' in home.text

        inbox = await browser.get("/notifications")
        opened = re.search(r'action="(/notifications/[^"]+/open)"', inbox.text)
        assert opened
        went = await browser.submit(
            "/notifications", opened[1].replace("&#39;", "'"), {"link": "/approvals"}
        )
        assert went.headers["location"] == "/approvals"
        after = UNREAD.search((await browser.get("/")).text)
        assert after
        assert int(after[1]) == int(count[1]) - 1
        evil = await browser.submit("/notifications", opened[1], {"link": "//evil.example"})
        assert evil.headers["location"] == "/", "never off the site"

        saved = await browser.submit(
            "/notifications/preferences",
            "/notifications/preferences",
            {"membership": "in_app", "events": "in_app", "digest": "daily", "digest_hour": "7"},
        )
        assert saved.headers["location"] == "/notifications/preferences?done=saved"
        page = await browser.get("/notifications/preferences?done=saved")
        assert re.search(r'name="events" type="checkbox" value="email"(?! checked)', page.text)
        assert re.search(r'value="daily" checked', page.text)
        read_all = await browser.submit("/notifications", "/notifications/read", {})
        assert read_all.headers["location"] == "/notifications?done=read"

    # The applicant is approved; their welcome email carries the unsubscribe link.
    operator = await platform.membership.as_operator()
    pending = await platform.membership.http.get(
        "/v1/applications", params={"region": "EOE"}, headers=operator
    )
    (mine,) = [a for a in pending.json()["items"] if a["email"] == applicant["email"]]
    await platform.membership.http.post(f"/v1/applications/{mine['id']}/approve", headers=operator)

    def welcome() -> str | None:
        for path in sorted(platform.mail.folder.glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if str(message["To"]) == applicant["email"] and "Welcome" in str(message["Subject"]):
                return str(message["List-Unsubscribe"]).strip("<>")
        return None

    async def emailed() -> bool:
        return welcome() is not None

    await eventually(emailed, timeout=60, what="the welcome email")
    link = welcome()
    assert link
    path = "/" + link.split("/", 3)[3]
    async with platform.browser() as mail_client:
        page = await mail_client.get(path)
        assert page.status_code == 200
        assert "Unsubscribe" in page.text
        one_click = await mail_client.http.post(path, data={"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 200, one_click.text
        assert "no more membership emails" in one_click.text
        forged = await mail_client.http.post("/unsubscribe?token=forged", data={})
        assert forged.status_code == 422


async def test_a_facilitator_sets_the_nodes_webhook_and_reads_the_delivery_log(
    platform: Platform,
) -> None:
    facilitator, _ = await platform.membership.member_with_roles("NEY", ["member", "facilitator"])
    member, _ = await platform.membership.member_with_roles("NEY", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        page = await browser.get("/notifications/preferences")
        assert "regional node" not in page.text, "webhooks are offered to node keepers only"

    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)

        directory = platform.services["notifications"].state.stores.directory

        async def known() -> bool:
            # Notifications learns the member from membership's facts: it may be catching up
            # (its preferences page shows the defaults until then, so it cannot tell).
            return await directory.get(facilitator["id"]) is not None

        await eventually(known, timeout=90, what="the facilitator in notifications")
        page = await browser.get("/notifications/preferences")
        assert 'value="webhook"' in page.text
        bad = await browser.submit(
            "/notifications/preferences", "/notifications/webhook", {"webhook_url": "ftp://x"}
        )
        assert bad.status_code == 422
        assert "There is a problem" in bad.text
        assert 'id="webhook_url-error"' in bad.text
        url = "http://127.0.0.1:9/knet"
        done = await browser.submit(
            "/notifications/preferences", "/notifications/webhook", {"webhook_url": url}
        )
        assert done.status_code == 200
        secret = re.search(r'id="webhook-secret">(whsec_[^<]+)<', done.text)
        assert secret, "the secret is shown once"
        again = await browser.get("/notifications/preferences")
        assert secret[1] not in again.text
        assert f'value="{url}"' in again.text
        removed = await browser.submit(
            "/notifications/preferences", "/notifications/webhook/remove", {}
        )
        assert removed.headers["location"] == "/notifications/preferences?done=webhook-removed"
        log = await browser.get("/notifications/deliveries")
        assert log.status_code == 200
        assert "Delivery log" in log.text
