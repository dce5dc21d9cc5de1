"""The people and approvals page use cases on fake services: who may change a member's roles,
what the directory asks for, a roles change that keeps what the caller may not touch, the
region a facilitator's page is about, and declines that say why."""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.clients.http import ServiceRefused
from services.gateway.usecases import approvals, people
from shared.caller import Caller
from shared.errors import Forbidden
from tests.unit.gateway.fakes import FakeServices, member

M = "membership"
FACILITATOR = Caller("f1", "LDN", frozenset({"member", "facilitator"}))
OPERATOR = Caller("op", "NW", frozenset({"member", "operator"}))
MEMBER = Caller("m2", "LDN", frozenset({"member"}))


def person_answers(fake: FakeServices, **change: Any) -> None:
    fake.answer(M, "GET", "/v1/members/m1", member("m1", **change))
    fake.answer(M, "GET", "/v1/members/m1/suggestions", [])
    fake.answer(M, "GET", "/v1/members/m1/contributions", {"posts": 3})


@pytest.mark.parametrize(
    ("caller", "change", "offered"),
    [
        (FACILITATOR, {}, {"core", "facilitator"}),
        (OPERATOR, {}, {"core", "facilitator", "sponsor", "operator"}),
        (MEMBER, {}, set()),
        (FACILITATOR, {"region": "NW"}, set()),  # another region's member
        (FACILITATOR, {"status": "left"}, set()),
    ],
)
async def test_a_persons_page_offers_only_the_roles_the_caller_may_change(
    caller: Caller, change: dict[str, Any], offered: set[str]
) -> None:
    fake = FakeServices()
    person_answers(fake, **change)
    found = await people.person(fake.clients(), caller, "m1")
    assert set(found.grantable) == offered
    assert found.record == {"posts": 3}
    assert not found.mine
    assert fake.to(M, "GET", "/v1/members/m1/suggestions")[0].query == {"limit": ["5"]}


async def test_the_directory_asks_only_for_the_filters_given() -> None:
    fake = FakeServices()
    fake.answer(M, "GET", "/v1/members", {"items": [member("m1")], "next_cursor": "c2"})
    page = await people.directory(
        fake.clients(), MEMBER, {"name": "ada", "region": "", "role": "core"}, "c1"
    )
    assert [m.id for m in page.items] == ["m1"]
    assert page.next_cursor == "c2"
    (sent,) = fake.sent
    assert sent.query == {"name": ["ada"], "role": ["core"], "cursor": ["c1"], "limit": ["20"]}


async def test_setting_roles_keeps_those_the_caller_may_not_give() -> None:
    fake = FakeServices()
    fake.answer(M, "GET", "/v1/members/m1", member("m1", roles=["member", "sponsor", "core"]))
    fake.answer(M, "PUT", "/v1/members/m1/roles", member("m1"))
    # A facilitator unticks core and ticks facilitator and operator (not theirs to give).
    await people.set_roles(fake.clients(), FACILITATOR, "m1", ["facilitator", "operator"])
    (put,) = fake.to(M, "PUT", "/v1/members/m1/roles")
    assert put.body == {"roles": ["facilitator", "member", "sponsor"]}


async def test_a_profile_change_sends_what_the_form_read_and_a_refusal_comes_back() -> None:
    fake = FakeServices()
    fake.answer(M, "PATCH", "/v1/members/m2", member("m2"))
    await people.change_profile(
        fake.clients(),
        MEMBER,
        name="Ada",
        job_title="",
        interests=["peer assist"],
        skills=[],
        bio="",
        links=["https://example.org"],
    )
    assert fake.sent[0].body == {
        "name": "Ada",
        "job_title": "",
        "interests": ["peer assist"],
        "skills": [],
        "bio": "",
        "links": ["https://example.org"],
    }
    fake.refuse(M, "POST", "/v1/members/m2/move", 403, "not_your_own_move")
    with pytest.raises(ServiceRefused) as refused:
        await people.ask_to_move(fake.clients(), MEMBER, region="NW", organisation_id=None)
    assert (refused.value.status_code, refused.value.code) == (403, "not_your_own_move")


@pytest.mark.parametrize(
    ("caller", "asked", "region"),
    [
        (FACILITATOR, None, "LDN"),
        (FACILITATOR, "LDN", "LDN"),
        (OPERATOR, "WAL", "WAL"),
        (OPERATOR, None, "NW"),
        (OPERATOR, "ATLANTIS", "NW"),
    ],
)
async def test_the_queue_is_of_the_facilitators_region_or_the_operators_choice(
    caller: Caller, asked: str | None, region: str
) -> None:
    fake = FakeServices()
    fake.answer(M, "GET", "/v1/applications", {"items": [member("a1")]})
    fake.answer(M, "GET", "/v1/moves", {"items": []})
    queue = await approvals.queue(fake.clients(), caller, asked, None)
    assert queue.region == region
    assert queue.chooses_region == ("operator" in caller.roles)
    assert [m.id for m in queue.applications.items] == ["a1"]
    assert {s.query["region"][0] for s in fake.sent} == {region}


async def test_a_facilitator_cannot_look_after_another_region() -> None:
    with pytest.raises(Forbidden):
        await approvals.queue(FakeServices().clients(), FACILITATOR, "NW", None)


async def test_a_decline_sends_its_reason() -> None:
    fake = FakeServices()
    fake.answer(M, "POST", "/v1/applications/a1/decline", member("a1", status="declined"))
    await approvals.decline(fake.clients(), FACILITATOR, "a1", "Not an NHS address")
    assert fake.sent[0].body == {"reason": "Not an NHS address"}


async def test_the_queue_names_the_organisations_people_are_joining() -> None:
    fake = FakeServices()
    fake.answer(
        M, "GET", "/v1/applications", {"items": [member("a1", "LDN", organisation_id="o1")]}
    )
    fake.answer(M, "GET", "/v1/moves", {"items": []})
    proposed = {
        "id": "o1",
        "name": "Bolton Library Service",
        "region": "LDN",
        "kind": "other",
        "kind_name": "Other",
        "ods_code": None,
        "status": "proposed",
        "merged_into": None,
        "proposed_by": "a1",
    }
    fake.answer(M, "GET", "/v1/organisations", {"items": [proposed], "next_cursor": None})
    queue = await approvals.queue(fake.clients(), FACILITATOR, "LDN", None)
    assert queue.organisations["o1"].status == "proposed"
    assert fake.sent[-1].query == {"ids": ["o1"]}
