"""What facilitators do in the site: the approvals queue for their region (approve; decline
with a reason, which is required), node keys (issued once, listed, revoked, and then refused
at the node API), and network roles. Members, pending applicants and facilitators of other
regions are refused."""

from __future__ import annotations

import re
from datetime import timedelta

from shared.clock import new_id
from tests.conftest import eventually
from tests.integration.events.test_node_api import submission
from tests.integration.gateway.conftest import Platform
from tests.integration.gateway.test_accounts import application
from tests.integration.membership.conftest import STRONG_PASSWORD

KEY = re.compile(r'<code class="knet-feed" id="issued-key">([^<]+)</code>')


async def test_approve_and_decline_in_my_region_only(platform: Platform) -> None:
    facilitator, _ = await platform.membership.member_with_roles("MID", ["member", "facilitator"])
    member, _ = await platform.membership.member_with_roles("MID", ["member"])
    welcome, unwelcome = application("MID"), application("MID")
    async with platform.browser() as visitor:
        for person in (welcome, unwelcome):
            await visitor.submit("/apply", "/apply", person)

    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        assert (await browser.get("/approvals")).status_code == 403
    async with platform.browser() as browser:
        await browser.sign_in(welcome["email"], STRONG_PASSWORD)
        pending = await browser.get("/approvals")
        assert (pending.status_code, pending.headers["location"]) == (303, "/application")

    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        assert (await browser.get("/approvals?region=NW")).status_code == 403
        queue = await browser.get("/approvals")
        assert welcome["name"] in queue.text
        assert unwelcome["name"] in queue.text
        ids = dict(
            re.findall(
                r'action="/approvals/([0-9a-z]+)/approve"[^<]*<input[^>]*>\s*'
                r"<button[^>]*>\s*Approve ([^<]+?)\s*</button>",
                queue.text,
            )
        )
        by_name = {name: member_id for member_id, name in ids.items()}
        assert set(by_name) >= {welcome["name"], unwelcome["name"]}, ids

        no_reason = await browser.submit(
            "/approvals", f"/approvals/{by_name[unwelcome['name']]}/decline", {"reason": " "}
        )
        assert no_reason.status_code == 422
        assert f'href="#reason-{by_name[unwelcome["name"]]}"' in no_reason.text
        declined = await browser.submit(
            "/approvals",
            f"/approvals/{by_name[unwelcome['name']]}/decline",
            {"reason": "Outside the NHS"},
        )
        assert declined.headers["location"] == "/approvals?region=MID&done=declined"
        approved = await browser.submit(
            "/approvals", f"/approvals/{by_name[welcome['name']]}/approve", {}
        )
        assert approved.headers["location"] == "/approvals?region=MID&done=approved"
        after = await browser.get("/approvals")
        assert welcome["name"] not in after.text
        assert unwelcome["name"] not in after.text

    async with platform.browser() as browser:
        signed_in = await browser.sign_in(welcome["email"], STRONG_PASSWORD)
        assert signed_in.headers["location"] == "/"
    async with platform.browser() as browser:
        refused = await browser.sign_in(unwelcome["email"], STRONG_PASSWORD)
        assert refused.status_code == 401, "a declined application signs in no more"


async def test_node_keys_are_shown_once_listed_and_revoked(platform: Platform) -> None:
    facilitator, _ = await platform.membership.member_with_roles("SCO", ["member", "facilitator"])
    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        assert (await browser.get("/node-keys?region=WAL")).status_code == 403
        unnamed = await browser.submit("/node-keys", "/node-keys", {"label": ""})
        assert unnamed.status_code == 422
        assert 'href="#label"' in unnamed.text
        issued = await browser.submit("/node-keys", "/node-keys", {"label": "Scottish calendar"})
        assert issued.status_code == 200
        key = KEY.search(issued.text)
        assert key, "the new key is shown on the answer"
        listed = await browser.get("/node-keys")
        assert "Scottish calendar" in listed.text
        assert key[1] not in listed.text, "and never again"

        async with platform.browser() as node:
            headers = {"x-node-key": key[1], "idempotency-key": "sco-1"}
            accepted = await node.http.post(
                "/api/v1/node/submissions", json=submission("sco-1", region="SCO"), headers=headers
            )
            assert accepted.status_code == 200, accepted.text

        revoke = re.search(r'action="(/node-keys/SCO/[0-9a-z]+/revoke)"', listed.text)
        assert revoke
        revoked = await browser.submit("/node-keys", revoke[1], {})
        assert revoked.headers["location"] == "/node-keys?region=SCO&done=revoked"
        assert "Revoked" in (await browser.get("/node-keys")).text

        async with platform.browser() as node:
            headers = {"x-node-key": key[1], "idempotency-key": "sco-2"}
            refused = await node.http.post(
                "/api/v1/node/submissions", json=submission("sco-2", region="SCO"), headers=headers
            )
            assert refused.status_code == 401


async def test_a_facilitator_grants_the_core_role_and_it_reaches_the_session(
    platform: Platform,
) -> None:
    facilitator, _ = await platform.membership.member_with_roles("SE", ["member", "facilitator"])
    member, _ = await platform.membership.member_with_roles("SE", ["member"])
    elsewhere, _ = await platform.membership.member_with_roles("LDN", ["member"])
    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        page = await browser.get(f"/people/{member['id']}")
        assert 'name="roles" type="checkbox" value="core"' in page.text
        assert 'value="operator"' not in page.text, "only what a facilitator may grant"
        assert "Network roles" not in (await browser.get(f"/people/{elsewhere['id']}")).text
        granted = await browser.submit(
            f"/people/{member['id']}", f"/people/{member['id']}/roles", {"roles": "core"}
        )
        assert granted.headers["location"] == f"/people/{member['id']}?done=roles"
        refused = await browser.submit(
            f"/people/{member['id']}", f"/people/{elsewhere['id']}/roles", {"roles": "core"}
        )
        assert refused.status_code == 403

    async with platform.browser() as browser:
        await browser.sign_in(member["email"], STRONG_PASSWORD)
        platform.clock.advance(timedelta(seconds=61))
        assert "Core" in (await browser.get(f"/people/{member['id']}")).text


async def test_a_facilitator_who_asks_to_move_keeps_their_remit_until_the_destination_approves(
    platform: Platform,
) -> None:
    mover, _ = await platform.membership.member_with_roles("EOE", ["member", "facilitator"])
    ney, _ = await platform.membership.member_with_roles("NEY", ["member", "facilitator"])
    async with platform.browser() as browser:
        await browser.sign_in(mover["email"], STRONG_PASSWORD)
        # The member API refuses the hop outright; the profile offers a request instead.
        hop = await browser.submit(
            "/profile", "/profile", {"name": mover["name"], "region": "NEY", "bio": "Moving"}
        )
        assert hop.headers["location"] == "/profile?saved=1", "the region field is not read"
        asked = await browser.submit("/profile", "/profile/move", {"move_region": "NEY"})
        assert asked.headers["location"] == "/profile?moving=1"
        waiting = await browser.get("/profile")
        assert "A facilitator of North East and Yorkshire decides" in waiting.text
        assert (await browser.get("/approvals?region=NEY")).status_code == 403, "not yet theirs"

    async with platform.browser() as browser:
        await browser.sign_in(ney["email"], STRONG_PASSWORD)
        queue = await browser.get("/approvals")
        assert mover["name"] in queue.text
        approved = await browser.submit("/approvals", f"/approvals/moves/{mover['id']}/approve", {})
        assert approved.headers["location"] == "/approvals?region=NEY&done=moved"

    async with platform.browser() as browser:
        await browser.sign_in(mover["email"], STRONG_PASSWORD)
        assert (await browser.get("/approvals")).status_code == 403, (
            "its role stayed in the East of England"
        )
        profile = await browser.get("/profile")
        assert "North East and Yorkshire" in profile.text


async def test_a_node_key_stops_when_its_issuers_role_is_removed(platform: Platform) -> None:
    facilitator, _ = await platform.membership.member_with_roles("WAL", ["member", "facilitator"])
    async with platform.browser() as browser:
        await browser.sign_in(facilitator["email"], STRONG_PASSWORD)
        issued = await browser.submit("/node-keys", "/node-keys", {"label": "Welsh calendar"})
        key = KEY.search(issued.text)
        assert key

    async def submits(external_id: str) -> int:
        async with platform.browser() as node:
            sent = await node.http.post(
                "/api/v1/node/submissions",
                json=submission(external_id, region="WAL"),
                headers={"x-node-key": key[1]},
            )
            return sent.status_code

    assert await submits("wal-1") == 200
    operator = await platform.membership.as_operator()
    removed = await platform.membership.http.put(
        f"/v1/members/{facilitator['id']}/roles", json={"roles": ["member"]}, headers=operator
    )
    assert removed.status_code == 200, removed.text

    async def stopped() -> bool:
        return await submits(f"wal-{new_id()}") == 401

    await eventually(stopped, what="the key to stop with its issuer's role")
