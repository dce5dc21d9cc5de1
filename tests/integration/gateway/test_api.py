"""The member API and the node API through the gateway: forwarded as the session's member,
CSRF-checked when it changes anything, anonymous callers refused with 401 where members only
may go, errors in the platform's envelope, and a regional node's key as its only credential."""

from __future__ import annotations

import re

from shared.clock import new_id
from tests.integration.events.test_node_api import submission
from tests.integration.gateway.conftest import Platform
from tests.integration.membership.conftest import STRONG_PASSWORD

META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


async def test_a_member_uses_the_api_with_their_session(platform: Platform) -> None:
    member, _ = await platform.membership.member_with_roles("EOE", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        token = META.search((await browser.get("/")).text)
        assert token
        me = await browser.get(f"/api/v1/members/{member['id']}")
        assert me.status_code == 200
        assert me.json()["email"] == member["email"], "the member's own view"

        change = {"job_title": "Evidence lead"}
        forged = await browser.http.patch(f"/api/v1/members/{member['id']}", json=change)
        assert forged.status_code == 403
        assert forged.json()["error"]["code"] == "csrf_failed"
        changed = await browser.http.patch(
            f"/api/v1/members/{member['id']}", json=change, headers={"x-csrf-token": token[1]}
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["job_title"] == "Evidence lead"

        refused = await browser.http.patch(
            f"/api/v1/members/{member['id']}",
            json={"region": "ATLANTIS"},
            headers={"x-csrf-token": token[1]},
        )
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "unknown_region"


async def test_a_path_the_api_answers_with_works_where_it_is_served(platform: Platform) -> None:
    member, _ = await platform.membership.member_with_roles("EOE", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        link = await browser.get(f"/api/v1/members/{member['id']}/calendar-link")
        assert link.status_code == 200, link.text
        path = link.json()["path"]
        assert path.startswith(f"/api/v1/members/{member['id']}/calendar.ics?token=")
        # A client's own prefix is never believed: the gateway says where it serves.
        forged = await browser.http.get(
            f"/api/v1/members/{member['id']}/calendar-link",
            headers={"x-forwarded-prefix": "/elsewhere"},
        )
        assert forged.json()["path"] == path
    async with platform.browser() as calendar_app:  # no session: the link is the credential
        feed = await calendar_app.get(path)
        assert feed.status_code == 200, feed.text
        assert feed.headers["content-type"].startswith("text/calendar")


async def test_anonymous_callers_see_what_anyone_may_and_no_more(platform: Platform) -> None:
    async with platform.browser() as browser:
        events = await browser.get("/api/v1/events")
        assert events.status_code == 200
        assert "items" in events.json()
        directory = await browser.get("/api/v1/members")
        assert directory.status_code == 401
        assert directory.json()["error"]["code"] == "sign_in_required"
        missing = await browser.get("/api/v1/nowhere")
        assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
        options = await browser.http.options("/api/v1/events")
        assert options.status_code == 405
        assert set(options.headers["allow"].split(", ")) == {"GET", "POST"}
        sessions = await browser.http.post("/api/v1/sessions", json={})
        assert sessions.status_code == 404, "sign-in is the gateway's own, not forwarded"


async def test_a_regional_node_submits_through_the_gateway_with_its_key(
    platform: Platform,
) -> None:
    facilitator, _ = await platform.membership.member_with_roles("WAL", ["member", "facilitator"])
    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        csrf = META.search((await browser.get("/")).text)
        assert csrf
        issued = await browser.http.post(
            "/api/v1/regions/WAL/node-keys",
            json={"label": "Wales node"},
            headers={"x-csrf-token": csrf[1]},
        )
        assert issued.status_code == 201, issued.text
        key = issued.json()["key"]

    external_id = f"wal-{new_id()}"
    async with platform.browser() as node:
        refused = await node.http.post(
            "/api/v1/node/submissions", json=submission(external_id, region="WAL")
        )
        assert refused.status_code == 401
        headers = {"x-node-key": key, "idempotency-key": external_id}
        answers = [
            await node.http.post(
                "/api/v1/node/submissions",
                json=submission(external_id, region="WAL"),
                headers=headers,
            )
            for _ in range(2)
        ]
        assert [a.status_code for a in answers] == [200, 200], answers[0].text
        assert answers[0].json()["outcome"] == "published"
        assert answers[1].json()["event_id"] == answers[0].json()["event_id"], "one event"
