"""Membership over HTTP against real Kafka and store: the events it publishes (schema-valid,
one per change, in order per member) and the errors bad input gets (4xx with a code, nothing
half-written)."""

from __future__ import annotations

from typing import Any

import pytest

from shared import topics
from shared.clock import new_id
from shared.settings import PlatformSettings
from tests.integration.membership.conftest import STRONG_PASSWORD, MembershipClient
from tests.integration.published import assert_valid, events_about

T = "uk.nhs.knet.member."


async def test_a_members_lifecycle_publishes_one_valid_event_per_change_in_order(
    membership: MembershipClient, infra: PlatformSettings
) -> None:
    http = membership.http
    operator = await membership.as_operator()
    applicant = await membership.apply("NW", interests=["Peer Assist"])
    me = membership.headers(applicant["id"], {"member"}, "NW")
    assert applicant["status"] == "pending"
    assert applicant["email"].endswith("@nhs.net")
    assert (
        await http.post(f"/v1/applications/{applicant['id']}/approve", headers=operator)
    ).status_code == 200
    edited = await http.patch(
        f"/v1/members/{applicant['id']}", json={"skills": ["Taxonomy"]}, headers=me
    )
    assert edited.json()["skills"] == ["taxonomy"]
    roles = await http.put(
        f"/v1/members/{applicant['id']}/roles", json={"roles": ["core"]}, headers=operator
    )
    assert roles.json()["roles"] == ["core", "member"]
    assert (await http.post(f"/v1/members/{applicant['id']}/leave", headers=me)).status_code == 200

    published = await events_about(infra, topics.MEMBERSHIP, {applicant["id"]}, expected=5)
    assert [e["type"] for e in published] == [
        T + "applied.v1",
        T + "approved.v1",
        T + "profile_updated.v1",
        T + "role_changed.v1",
        T + "left.v1",
    ]
    assert len({e["id"] for e in published}) == 5
    for event in published:
        assert_valid(event)
        assert event["region"] == "NW"
        assert event["source"] == "/services/membership"
    assert published[2]["data"]["changed"] == ["skills"]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"email": "not-an-email"}, 422, "invalid_email"),
        ({"region": "ATLANTIS"}, 422, "unknown_region"),
        ({"organisation_id": "no-such-org"}, 422, "unknown_organisation"),
        ({"password": "short"}, 422, "weak_password"),
        ({"links": ["javascript:alert(1)"]}, 422, "invalid_links"),
        ({"name": ""}, 422, "invalid_name"),
        ({"interests": "not a list"}, 422, "invalid_request"),
    ],
)
async def test_bad_applications_get_a_code_and_write_nothing(
    membership: MembershipClient, change: dict[str, Any], status: int, code: str
) -> None:
    email = f"{new_id()}@nhs.net"
    body = {
        "name": "Bad Input",
        "email": email,
        "password": STRONG_PASSWORD,
        "region": "LDN",
        **change,
    }
    response = await membership.http.post(
        "/v1/applications", json=body, headers=membership.headers()
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert await membership.app.state.stores.members.by_email(email) is None


async def test_applying_with_a_members_address_answers_as_for_a_new_one_and_tells_the_member(
    membership: MembershipClient, infra: PlatformSettings
) -> None:
    first = await membership.apply()
    new = {"name": "Someone New", "email": f"{new_id()}@nhs.net"}
    answers = []
    for who in (new, {"name": "Twin", "email": first["email"].upper()}):
        body = {**who, "password": STRONG_PASSWORD, "region": "LDN"}
        response = await membership.http.post(
            "/v1/applications", json=body, headers=membership.headers()
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1], "nothing tells an address with an account from a new one"
    assert answers[0][0] == 202
    twin = await membership.app.state.stores.members.by_email(first["email"])
    assert (twin.id, twin.profile.name) == (first["id"], first["name"]), "nothing overwritten"
    # The member is told, once a day however often someone tries.
    await membership.http.post(
        "/v1/applications",
        json={"name": "Twin", "email": first["email"], "password": STRONG_PASSWORD, "region": "NW"},
        headers=membership.headers(),
    )
    told = await events_about(infra, topics.MEMBERSHIP, {first["id"]}, expected=2)
    assert [e["type"] for e in told] == [T + "applied.v1", T + "applied_again.v1"]


async def test_decisions_and_edits_outside_the_rules_are_refused(
    membership: MembershipClient,
) -> None:
    http = membership.http
    _, facilitator = await membership.member_with_roles("LDN", ["facilitator"])
    elsewhere = await membership.apply("NW")
    refused = await http.post(f"/v1/applications/{elsewhere['id']}/approve", headers=facilitator)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "outside_remit"

    local = await membership.apply("LDN")
    assert (
        await http.post(f"/v1/applications/{local['id']}/approve", headers=facilitator)
    ).status_code == 200
    again = await http.post(f"/v1/applications/{local['id']}/approve", headers=facilitator)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_pending"

    someone_else = membership.headers(local["id"], {"member"}, "LDN")
    edit = await http.patch(
        f"/v1/members/{elsewhere['id']}", json={"bio": "hacked"}, headers=someone_else
    )
    assert edit.status_code == 403
    assert edit.json()["error"]["code"] == "not_your_profile"
    sponsor = await http.put(
        f"/v1/members/{local['id']}/roles", json={"roles": ["sponsor"]}, headers=facilitator
    )
    assert sponsor.status_code == 403
    assert (await membership.app.state.stores.members.get(local["id"])).roles == {"member"}

    assert (await http.get("/v1/members")).status_code == 401
    decline = await http.post(
        f"/v1/applications/{elsewhere['id']}/decline",
        json={"reason": " "},
        headers=await membership.as_operator(),
    )
    assert decline.json()["error"]["code"] == "reason_required"


async def test_declined_applicant_hears_why(
    membership: MembershipClient, infra: PlatformSettings
) -> None:
    applicant = await membership.apply("SW")
    declined = await membership.http.post(
        f"/v1/applications/{applicant['id']}/decline",
        json={"reason": "Outside the NHS"},
        headers=await membership.as_operator(),
    )
    assert declined.status_code == 200
    published = await events_about(infra, topics.MEMBERSHIP, {applicant["id"]}, expected=2)
    assert published[-1]["type"] == T + "declined.v1"
    assert published[-1]["data"]["reason"] == "Outside the NHS"
    assert published[-1]["data"]["email"] == applicant["email"]


async def test_sign_in(membership: MembershipClient) -> None:
    applicant = await membership.apply()
    wrong = await membership.http.post(
        "/v1/sessions",
        json={"email": applicant["email"], "password": "nope"},
        headers=membership.headers(),
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    right = await membership.http.post(
        "/v1/sessions",
        json={"email": applicant["email"].upper(), "password": STRONG_PASSWORD},
        headers=membership.headers(),
    )
    assert right.status_code == 200
    assert right.json()["member_id"] == applicant["id"]


async def test_erasure_removes_personal_data_and_tells_everyone(
    membership: MembershipClient, infra: PlatformSettings
) -> None:
    member, headers = await membership.member_with_roles("EOE", ["member"])
    erased = await membership.http.post(f"/v1/members/{member['id']}/erasure", headers=headers)
    assert erased.status_code == 200
    assert (
        await membership.http.get(f"/v1/members/{member['id']}", headers=headers)
    ).status_code == 404
    stored = await membership.app.state.stores.members.get(member["id"])
    assert stored.profile.name == "Former member"
    assert member["email"] not in stored.email
    assert stored.password_hash is None
    published = await events_about(infra, topics.MEMBERSHIP, {member["id"]}, expected=3)
    last = published[-1]
    assert last["type"] == T + "left.v1"
    assert last["data"] == {"member_id": member["id"], "region": "EOE", "erased": True}


async def test_directory_search_filters_and_pages(membership: MembershipClient) -> None:
    tag = f"topic-{new_id()[-8:]}"
    made = []
    for i in range(7):
        applicant = await membership.apply("MID", interests=[tag], name=f"Dir {tag} {i}")
        await membership.http.post(
            f"/v1/applications/{applicant['id']}/approve", headers=await membership.as_operator()
        )
        made.append(applicant["id"])
    pending = await membership.apply("MID", interests=[tag])
    seen: list[str] = []
    cursor = None
    viewer = membership.headers("viewer", {"member"}, "MID")
    while True:
        params: dict[str, str | int] = {"interest": tag, "region": "MID", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await membership.http.get("/v1/members", params=params, headers=viewer)).json()
        assert len(page["items"]) <= 3
        seen += [m["id"] for m in page["items"]]
        assert all(m["email"] is None for m in page["items"]), "a member's email is not public"
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made, "each active member once, in name order; the pending one is not listed"
    assert pending["id"] not in seen
    by_name = await membership.http.get(
        "/v1/members", params={"name": f"dir {tag} 3"}, headers=viewer
    )
    assert [m["id"] for m in by_name.json()["items"]] == [made[3]]
    bad = await membership.http.get("/v1/members", params={"cursor": "garbage"}, headers=viewer)
    assert bad.json()["error"]["code"] == "invalid_cursor"


async def test_suggestions_and_key_players(membership: MembershipClient) -> None:
    tag = f"kms-{new_id()[-8:]}"
    me, my_headers = await membership.member_with_roles("WAL", ["member"])
    await membership.http.patch(
        f"/v1/members/{me['id']}", json={"interests": [tag]}, headers=my_headers
    )
    near, _ = await membership.member_with_roles("WAL", ["facilitator"])
    far, _ = await membership.member_with_roles("SCO", ["member"])
    for who in (near, far):
        headers = membership.headers(who["id"], {"member"}, who["region"])
        await membership.http.patch(
            f"/v1/members/{who['id']}", json={"skills": [tag]}, headers=headers
        )
    found = (
        await membership.http.get(f"/v1/members/{me['id']}/suggestions", headers=my_headers)
    ).json()
    assert [s["member"]["id"] for s in found] == [near["id"], far["id"]]
    assert found[0]["reason"] == f"They have skills in {tag} (in your region)"
    region = (await membership.http.get("/v1/regions/WAL", headers=my_headers)).json()
    assert near["id"] in [m["id"] for m in region["facilitators"]]
    assert region["members"] >= 2


async def test_names_for_a_page_come_in_one_call(membership: MembershipClient) -> None:
    http = membership.http
    ada, _ = await membership.member_with_roles("LDN", ["member"])
    bea, _ = await membership.member_with_roles("NW", ["member"])
    me = membership.headers(ada["id"], {"member"}, "LDN")
    found = await http.get(
        "/v1/members/names", params={"id": [ada["id"], bea["id"], "nobody", ada["id"]]}, headers=me
    )
    assert found.status_code == 200, found.text
    assert found.json() == {"names": {ada["id"]: ada["name"], bea["id"]: bea["name"]}}
    applicant = await membership.apply("LDN")
    refused = await http.get(
        "/v1/members/names",
        params={"id": [ada["id"]]},
        headers=membership.headers(applicant["id"], set(), "LDN"),
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_permitted")
    too_many = await http.get(
        "/v1/members/names", params={"id": [str(i) for i in range(101)]}, headers=me
    )
    assert too_many.status_code == 422
    none = await http.get("/v1/members/names", headers=me)
    assert none.status_code == 422
