"""Conversations end to end, over HTTP and Kafka against the session's real broker and store:
members learned from membership's facts; a question on a recommendation; a reply that quotes
and mentions (a member, and a stranger who stays text); hostile HTML inert; a post over the
limit refused with its code; the answer accepted; a hidden post never served to members; a
locked thread refusing replies; a post whole (Markdown and earlier words) for its edit form,
a page with HTML only; the facts published once each, valid against contracts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from services.conversations.app import create_app
from services.conversations.domain.writing import MAX_SOURCE_CHARS
from services.conversations.stores import Stores
from services.membership import facts as membership
from shared import topics
from shared.clock import new_id
from shared.cloudevents import make_event
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.callers import as_member
from tests.integration.published import assert_valid, events_about


@pytest.fixture(scope="module")
async def service(infra: PlatformSettings) -> AsyncIterator[tuple[httpx.AsyncClient, Stores]]:
    settings = PlatformSettings(**{**infra.model_dump(), "database_suffix": f"_conv_{new_id()}"})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://conv") as http:
            yield http, app.state.stores


async def approve(infra: PlatformSettings, stores: Stores, *members: tuple[str, str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for member_id, name in members:
            fact = membership.MemberApproved(
                member_id=member_id,
                region="LDN",
                name=name,
                email=f"{member_id}@nhs.net",
                organisation_id=None,
                roles=["member"],
                interests=[],
                approved_by="op",
            )
            event = make_event(fact, source="/services/membership", subject=member_id)
            # Approved a month ago: established members, not held to the new-member rate.
            event = event.model_copy(update={"time": datetime.now(UTC) - timedelta(days=30)})
            await producer.send_and_wait(topics.MEMBERSHIP, event.to_json(), key=member_id.encode())
    finally:
        await producer.stop()

    async def known() -> bool:
        found = await stores.members.get_many([m for m, _ in members])
        return len(found) == len(members)

    await eventually(known, timeout=120, what="the members in conversations' read model")


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_a_question_answered_with_mentions_moderation_and_facts(
    infra: PlatformSettings, service: tuple[httpx.AsyncClient, Stores]
) -> None:
    http, stores = service
    asker, helper, colleague = (f"{who}-{new_id()}" for who in ("asker", "helper", "colleague"))
    await approve(infra, stores, (asker, "Ann Asker"), (helper, "Hal Helper"), (colleague, "Cal"))
    me = as_member(infra, asker, region="LDN")
    them = as_member(infra, helper, region="LDN")
    facilitator = as_member(infra, f"fac-{new_id()}", "facilitator", region="LDN")

    started = ok(
        await http.post(
            "/v1/threads",
            headers=me,
            json={
                "subject_kind": "recommendation",
                "subject_id": "R4",
                "title": "Who runs a clinical librarian service?",
                "tags": ["clinical librarians"],
                "question": True,
                "body": "We are starting one. <script>alert(1)</script>",
            },
        ),
        201,
    )
    thread_id = started["thread"]["id"]
    assert "<script>" not in started["post"]["html"]
    reply_body = f"We do: ask @[Cal](member:{colleague}) or @[Nobody](member:nobody-x)"
    reply = ok(
        await http.post(
            f"/v1/threads/{thread_id}/posts",
            headers=them,
            json={"body": reply_body, "quoted_post_id": started["post"]["id"]},
        ),
        201,
    )
    assert reply["mentions"] == [colleague]
    assert f'href="/people/{colleague}"' in reply["html"]
    assert "@Nobody" in reply["html"]
    too_long = await http.post(
        f"/v1/threads/{thread_id}/posts", headers=them, json={"body": "x" * (MAX_SOURCE_CHARS + 1)}
    )
    assert too_long.status_code == 422
    assert too_long.json()["error"]["code"] == "post_too_long"

    ok(
        await http.post(
            f"/v1/threads/{thread_id}/answer", headers=me, json={"post_id": reply["id"]}
        )
    )
    asked = ok(await http.get("/v1/threads?open_questions=true&region=LDN", headers=me))
    assert thread_id not in [t["id"] for t in asked["items"]], "answered"
    found = ok(await http.get("/v1/search?q=librarian+clinical", headers=them))
    assert thread_id in [p["thread_id"] for p in found["items"]]

    spam = ok(
        await http.post(f"/v1/threads/{thread_id}/posts", headers=them, json={"body": "Buy now"}),
        201,
    )
    ok(await http.post(f"/v1/posts/{spam['id']}/flags", headers=me, json={"reason": "Advert"}))
    refused = await http.post(
        f"/v1/posts/{spam['id']}/hidden", headers=me, json={"hidden": True, "reason": "Advert"}
    )
    assert refused.status_code == 403
    ok(
        await http.post(
            f"/v1/posts/{spam['id']}/hidden",
            headers=facilitator,
            json={"hidden": True, "reason": "Advertising"},
        )
    )
    page = ok(await http.get(f"/v1/threads/{thread_id}", headers=me))
    assert spam["id"] not in [p["id"] for p in page["posts"]]
    assert started["post"]["id"] in page["quoted"], "the reply's quote, for its preview"
    moderated = ok(await http.get(f"/v1/threads/{thread_id}", headers=facilitator))
    assert [p["hidden"] for p in moderated["posts"] if p["id"] == spam["id"]] == [True]
    hidden = await http.get(f"/v1/posts/{spam['id']}", headers=me)
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "no_such_post")
    assert ok(await http.get(f"/v1/posts/{spam['id']}", headers=facilitator))["hidden"]

    edited = ok(
        await http.put(f"/v1/posts/{reply['id']}", headers=them, json={"body": "We do: ask Cal"})
    )
    whole = ok(await http.get(f"/v1/posts/{reply['id']}", headers=me))
    assert (whole["source"], whole["html"]) == ("We do: ask Cal", edited["html"])
    assert [r["source"] for r in whole["history"]] == [reply_body], "the earlier words kept"
    shown = [p for p in ok(await http.get(f"/v1/threads/{thread_id}", headers=me))["posts"]]
    assert [p["edits"] for p in shown if p["id"] == reply["id"]] == [1]
    assert not any("source" in p or "history" in p for p in shown), "a page carries HTML only"
    ok(
        await http.post(
            f"/v1/threads/{thread_id}/lock",
            headers=facilitator,
            json={"locked": True, "reason": "Answered"},
        )
    )
    locked = await http.post(f"/v1/threads/{thread_id}/posts", headers=them, json={"body": "More"})
    assert locked.status_code == 409
    assert locked.json()["error"]["code"] == "thread_locked"

    events = await events_about(infra, topics.CONVERSATIONS, {thread_id}, expected=7)
    types = [e["type"].removeprefix("uk.nhs.knet.").removesuffix(".v1") for e in events]
    assert sorted(types) == sorted(
        [
            "thread.started",
            "post.added",
            "member.mentioned",
            "answer.accepted",
            "post.added",
            "post.hidden",
            "post.edited",
        ]
    )
    assert len({e["id"] for e in events}) == len(events), "each once"
    for event in events:
        assert_valid(event)
