"""Remit holds over HTTP: what authority hangs on (region, organisation, roles) changes only
with the destination's facilitator, a role held for a region stays there, and an application
is read only by its applicant and those who decide it."""

from __future__ import annotations

from tests.integration.membership.conftest import MembershipClient


async def test_a_facilitator_cannot_hop_to_another_region(membership: MembershipClient) -> None:
    facilitator, as_facilitator = await membership.member_with_roles("LDN", ["facilitator"])
    hop = await membership.http.patch(
        f"/v1/members/{facilitator['id']}", json={"region": "NW"}, headers=as_facilitator
    )
    assert hop.status_code == 403, hop.text
    assert hop.json()["error"]["code"] == "move_needs_approval"
    operator = await membership.as_operator()
    found = await membership.http.get(f"/v1/members/{facilitator['id']}", headers=operator)
    assert (found.json()["region"], found.json()["roles"]) == ("LDN", ["facilitator", "member"])
    # Restating the region they have is no change, and the rest of the profile saves.
    same = await membership.http.patch(
        f"/v1/members/{facilitator['id']}",
        json={"region": "LDN", "bio": "Librarian"},
        headers=as_facilitator,
    )
    assert same.status_code == 200, same.text


async def test_a_move_approved_by_the_destination_leaves_the_regional_role_behind(
    membership: MembershipClient,
) -> None:
    mover, as_mover = await membership.member_with_roles("LDN", ["facilitator"])
    asked = await membership.http.post(
        f"/v1/members/{mover['id']}/move", json={"region": "NW"}, headers=as_mover
    )
    assert asked.status_code == 200, asked.text
    assert (asked.json()["region"], asked.json()["move"]["region"]) == ("LDN", "NW")

    # The facilitator they are now cannot approve their own move, nor can LDN's.
    for who in (as_mover, (await membership.member_with_roles("LDN", ["facilitator"]))[1]):
        refused = await membership.http.post(f"/v1/members/{mover['id']}/move/approve", headers=who)
        assert refused.status_code == 403, refused.text

    _, nw_facilitator = await membership.member_with_roles("NW", ["facilitator"])
    waiting = await membership.http.get("/v1/moves?region=NW&limit=100", headers=nw_facilitator)
    assert mover["id"] in [m["id"] for m in waiting.json()["items"]]
    approved = await membership.http.post(
        f"/v1/members/{mover['id']}/move/approve", headers=nw_facilitator
    )
    assert approved.status_code == 200, approved.text
    moved = approved.json()
    assert (moved["region"], moved["roles"], moved["move"]) == ("NW", ["member"], None)
    waiting = await membership.http.get("/v1/moves?region=NW&limit=100", headers=nw_facilitator)
    assert mover["id"] not in [m["id"] for m in waiting.json()["items"]]

    # As the gateway sees them now (identity read again), NW's applications are not theirs.
    now_as = membership.headers(mover["id"], set(moved["roles"]), moved["region"])
    queue = await membership.http.get("/v1/applications?region=NW", headers=now_as)
    assert queue.status_code == 403


async def test_an_application_is_read_by_its_applicant_and_those_who_decide_it(
    membership: MembershipClient,
) -> None:
    applicant = await membership.apply("LDN")
    path = f"/v1/members/{applicant['id']}"
    _, member = await membership.member_with_roles("LDN", ["member"])
    _, other_facilitator = await membership.member_with_roles("NW", ["facilitator"])
    _, facilitator = await membership.member_with_roles("LDN", ["facilitator"])
    for who in (member, other_facilitator):
        hidden = await membership.http.get(path, headers=who)
        assert hidden.status_code == 404, hidden.text
    names = await membership.http.get(f"/v1/members/names?id={applicant['id']}", headers=member)
    assert names.json()["names"] == {}
    seen = await membership.http.get(path, headers=facilitator)
    assert seen.status_code == 200
    assert seen.json()["email"] == applicant["email"]
