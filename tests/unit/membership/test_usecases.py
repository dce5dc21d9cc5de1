"""Membership's use cases on the in-memory stores: every rule through the same functions the
routes and consumers call, in milliseconds (the stores' contract suite keeps the in-memory
ones honest: tests/integration/stores/test_membership_stores.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.membership import facts as fact
from services.membership import usecases
from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member, Status
from services.membership.memory import (
    InMemoryContributions,
    InMemoryMembers,
    InMemoryOrganisations,
)
from services.membership.stores import Stores
from shared.clock import ManualClock
from shared.errors import Busy, Conflict, Forbidden, Invalid, NotFound, Stale, Unauthorized
from tests.unit.membership.factories import member

PASSWORD = "Knowledge-Network-2016"


@pytest.fixture
def stores() -> Stores:
    ids = iter(f"id{i}" for i in range(1000))
    return Stores(
        members=InMemoryMembers(),
        organisations=InMemoryOrganisations(),
        contributions=InMemoryContributions(),
        clock=ManualClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
        new_id=lambda: next(ids),
    )


def published(stores: Stores) -> list[object]:
    assert isinstance(stores.members, InMemoryMembers)
    return stores.members.published


async def seat(stores: Stores, *people: Member) -> None:
    for person in people:
        await stores.members.add(person)


async def apply(stores: Stores, region: str = "LDN", **fields: object) -> Member:
    return await usecases.apply_to_join(
        stores,
        name=str(fields.pop("name", "Ada Lovelace")),
        email=str(fields.pop("email", "Ada.Lovelace@NHS.net")),
        password=PASSWORD,
        region=region,
        **fields,  # type: ignore[arg-type]
    )


async def test_an_application_waits_for_its_regions_facilitator(stores: Stores) -> None:
    await seat(stores, member("fac", roles={"member", "facilitator"}))
    applicant = await apply(stores, interests=["Evidence"])
    assert (applicant.id, applicant.email, applicant.status) == (
        "id0",
        "ada.lovelace@nhs.net",
        Status.PENDING,
    )
    pending, _ = await usecases.pending_applications(
        stores, actor_id="fac", region="LDN", cursor=None, limit=10
    )
    assert [m.id for m in pending] == ["id0"]
    approved = await usecases.approve(stores, actor_id="fac", member_id="id0")
    assert approved.status is Status.ACTIVE
    assert [type(f) for f in published(stores)] == [fact.MemberApplied, fact.MemberApproved]
    with pytest.raises(Conflict):
        await usecases.approve(stores, actor_id="fac", member_id="id0")


async def test_facilitators_act_only_in_their_region(stores: Stores) -> None:
    await seat(stores, member("nw", region="NW", roles={"member", "facilitator"}), member("m"))
    await apply(stores)
    with pytest.raises(Forbidden) as outside:
        await usecases.approve(stores, actor_id="nw", member_id="id0")
    assert outside.value.code == "outside_remit"
    with pytest.raises(Forbidden) as plain:
        await usecases.decline(stores, actor_id="m", member_id="id0", reason="No")
    assert plain.value.code == "not_permitted"
    with pytest.raises(Forbidden):
        await usecases.pending_applications(
            stores, actor_id="nw", region="LDN", cursor=None, limit=5
        )
    with pytest.raises(Forbidden):
        await usecases.register_organisation(
            stores, actor_id="nw", name="Guy's", region="LDN", ods_code=None
        )
    assert (await stores.members.get("id0") or member()).status is Status.PENDING


async def test_bad_applications_write_nothing(stores: Stores) -> None:
    with pytest.raises(Invalid) as weak:
        await usecases.apply_to_join(
            stores, name="A", email="a@nhs.net", password="short", region="LDN"
        )
    assert weak.value.code == "weak_password"
    with pytest.raises(Invalid) as org:
        await apply(stores, organisation_id="nowhere")
    assert org.value.code == "unknown_organisation"
    with pytest.raises(Invalid):
        await apply(stores, region="ATLANTIS")
    await apply(stores)
    with pytest.raises(Conflict) as taken:
        await apply(stores, name="Someone Else")
    assert taken.value.code == "email_taken"
    assert len(published(stores)) == 1


async def test_a_profile_change_saves_once_and_a_no_op_saves_nothing(stores: Stores) -> None:
    await seat(stores, member("m"))
    await usecases.update_profile(stores, actor_id="m", member_id="m", changes={"bio": "KM lead"})
    await usecases.update_profile(stores, actor_id="m", member_id="m", changes={"bio": "KM lead"})
    saved = await stores.members.get("m")
    assert saved is not None
    assert (saved.profile.bio, saved.version) == ("KM lead", 1)
    with pytest.raises(Forbidden):
        await usecases.update_profile(stores, actor_id="other", member_id="m", changes={})


async def test_a_save_that_loses_a_race_is_retried(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seat(stores, member("m"))
    members = stores.members
    real_save = members.save
    losses = iter([True, True])

    async def racing_save(m: Member) -> None:
        if next(losses, False):
            rival = await members.get("m")
            assert rival is not None
            rival.profile = rival.profile.with_changes(job_title=f"v{rival.version}")
            await real_save(rival)
            raise Stale("lost")
        await real_save(m)

    monkeypatch.setattr(members, "save", racing_save)
    updated = await usecases.update_profile(
        stores, actor_id="m", member_id="m", changes={"bio": "x"}
    )
    assert (updated.profile.bio, updated.profile.job_title, updated.version) == ("x", "v1", 3)

    async def always_losing(m: Member) -> None:
        raise Stale("lost")

    monkeypatch.setattr(members, "save", always_losing)
    monkeypatch.setattr("shared.retry.RETRY_SECONDS", 0.05)
    with pytest.raises(Busy):
        await usecases.update_profile(stores, actor_id="m", member_id="m", changes={"bio": "y"})


async def test_roles_sign_in_leave_and_erasure(stores: Stores) -> None:
    await seat(stores, member("op", roles={"member", "operator"}))
    await apply(stores)
    await usecases.approve(stores, actor_id="op", member_id="id0")
    assert (
        await usecases.sign_in(stores, email="ADA.lovelace@nhs.net", password=PASSWORD)
    ).id == "id0"
    with pytest.raises(Unauthorized):
        await usecases.sign_in(stores, email="ada.lovelace@nhs.net", password="Wrong-Password-2016")
    promoted = await usecases.set_roles(stores, actor_id="op", member_id="id0", roles=["core"])
    assert promoted.roles == frozenset({"member", "core"})
    assert (await usecases.region_overview(stores, code="LDN")).key_players[0].id == "id0"
    await usecases.leave(stores, actor_id="id0", member_id="id0")
    with pytest.raises(Unauthorized):
        await usecases.sign_in(stores, email="ada.lovelace@nhs.net", password=PASSWORD)
    await usecases.erase(stores, actor_id="op", member_id="id0")
    with pytest.raises(NotFound):
        await usecases.get_member(stores, "id0")


async def test_the_first_operator_is_made_once(stores: Stores) -> None:
    first = await usecases.ensure_operator(
        stores, email="op@nhs.net", name="Op", password=PASSWORD, region="LDN"
    )
    assert first is not None
    assert first.has("operator")
    again = await usecases.ensure_operator(
        stores, email="op@nhs.net", name="Op", password=PASSWORD, region="LDN"
    )
    assert again is None


async def test_organisations_directory_suggestions_and_contributions(stores: Stores) -> None:
    await seat(
        stores,
        member("fac", roles={"member", "facilitator"}),
        member("me", interests=("taxonomy",)),
        member("you", skills=("taxonomy",), name="You"),
    )
    org = await usecases.register_organisation(
        stores, actor_id="fac", name="  Guy's   and St Thomas' ", region="LDN", ods_code="rj1"
    )
    assert (org.name, org.ods_code) == ("Guy's and St Thomas'", "RJ1")
    page, _ = await usecases.organisations_page(stores, region="LDN", cursor=None, limit=5)
    assert page == [org]
    found, _ = await usecases.search_directory(
        stores, query=DirectoryQuery.of(name="yo"), cursor=None, limit=5
    )
    assert [m.id for m in found] == ["you"]
    (suggestion,) = await usecases.suggestions_for(stores, member_id="me", limit=5)
    assert suggestion.member.id == "you"
    when = datetime(2026, 11, 30, tzinfo=UTC)
    for event_id in ("e1", "e1", "e2"):
        await usecases.record_contribution(
            stores, event_id=event_id, member_id="me", kind="endorsements", ref="R1", at=when
        )
    record = await usecases.contribution_record(stores, member_id="me")
    assert record["endorsements"] == 2
    assert record["events_hosted"] == 0


async def test_the_last_operator_stays(stores: Stores) -> None:
    await seat(stores, member("op", roles={"member", "operator"}))
    for attempt in (
        usecases.leave(stores, actor_id="op", member_id="op"),
        usecases.erase(stores, actor_id="op", member_id="op"),
    ):
        with pytest.raises(Conflict) as caught:
            await attempt
        assert caught.value.code == "last_operator"
    await seat(stores, member("op2", roles={"member", "operator"}))
    await usecases.set_roles(stores, actor_id="op2", member_id="op", roles=["member"])
    with pytest.raises(Conflict):
        await usecases.set_roles(stores, actor_id="op2", member_id="op2", roles=["member"])
    await usecases.leave(stores, actor_id="op", member_id="op")
