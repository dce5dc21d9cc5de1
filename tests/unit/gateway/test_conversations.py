"""The conversations page use cases on fake services: a subject's panel while conversations is
away, who moderates a thread, and the reply form's member picker (a mention added to what was
written, names that start so, and words when nothing matches)."""

from __future__ import annotations

from typing import Any

import httpx

from services.gateway.usecases import conversations as talk
from shared.caller import Caller
from tests.unit.gateway.fakes import FakeServices, member

C = "conversations"
MEMBER = Caller("m1", "LDN", frozenset({"member"}))
FACILITATOR = Caller("f1", "LDN", frozenset({"member", "facilitator"}))


def thread(**change: Any) -> dict[str, Any]:
    return {
        "id": "t1",
        "subject_kind": "topic",
        "subject_id": None,
        "title": "Who runs a clinical librarian service?",
        "tags": [],
        "region": "LDN",
        "question": True,
        "author_member_id": "m1",
        "created_at": "2026-12-01T09:00:00Z",
        "last_post_at": "2026-12-01T09:00:00Z",
        "locked": False,
        "lock_reason": None,
        "answer_post_id": None,
        **change,
    }


async def test_a_subjects_panel_shows_without_threads_while_conversations_is_away() -> None:
    fake = FakeServices()
    fake.answer(C, "GET", "/v1/threads", lambda _: httpx.Response(503))
    panel = await talk.panel(fake.clients(), MEMBER, "plan", "p1")
    assert (panel.threads, panel.away) == ([], True)
    assert panel.start == "/conversations/new?subject_kind=plan&subject_id=p1"


async def test_a_regions_panel_lists_every_thread_in_the_region() -> None:
    fake = FakeServices()
    fake.answer(C, "GET", "/v1/threads", {"items": [thread()]})
    panel = await talk.panel(fake.clients(), MEMBER, "region", "LDN", region="LDN")
    assert [t.id for t in panel.threads] == ["t1"]
    assert fake.sent[0].query == {"region": ["LDN"], "limit": ["5"]}


async def test_choosing_a_member_adds_their_mention_to_what_was_written() -> None:
    fake = FakeServices()
    fake.answer("membership", "GET", "/v1/members/m9", member("m9", name="Ada [Lovelace]"))
    picked = await talk.pick_member(fake.clients(), MEMBER, body="Ask  ", chosen="m9", name="")
    assert picked.body == "Ask @[Ada (Lovelace)](member:m9) "


async def test_finding_a_member_lists_names_that_start_so_or_says_none_do() -> None:
    fake = FakeServices()
    fake.answer("membership", "GET", "/v1/members", {"items": [member("m9", name="Ada")]})
    found = await talk.pick_member(fake.clients(), MEMBER, body="", chosen="", name=" Ad  ")
    assert [m.id for m in found.matches] == ["m9"]
    assert fake.sent[0].query["name"] == ["Ad"]
    fake.answer("membership", "GET", "/v1/members", {"items": []})
    none = await talk.pick_member(fake.clients(), MEMBER, body="", chosen="", name="Zed")
    assert none.problem == "No member's name starts with Zed"
    blank = await talk.pick_member(fake.clients(), MEMBER, body="", chosen="", name=" ")
    assert blank.problem == "Enter the start of their name"
