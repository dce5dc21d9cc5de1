"""Membership's use cases on the in-memory stores: every rule through the same functions the
routes and consumers call, in milliseconds (the stores' contract suite keeps the in-memory
ones honest: tests/integration/stores/test_membership_stores.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.membership import facts as fact
from services.membership import usecases
from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member, Status
from services.membership.domain.organisation import OrganisationQuery
from services.membership.stores import Stores
from shared.clock import ManualClock
from shared.errors import Busy, Conflict, Forbidden, Invalid, NotFound, Stale, Unauthorized
from tests.fakes.membership import (
    InMemoryMembers,
)
from tests.unit.membership.factories import member

PASSWORD = "Knowledge-Network-2016"
NEW = "Lantern-Orchard-Pebble-27"


def published(stores: Stores) -> list[object]:
    assert isinstance(stores.members, InMemoryMembers)
    return stores.members.published


async def seat(stores: Stores, *people: Member) -> None:
    for person in people:
        await stores.members.add(person)


async def apply(stores: Stores, region: str = "LDN", **fields: object) -> Member:
    applicant = await usecases.apply_to_join(
        stores,
        name=str(fields.pop("name", "Ada Lovelace")),
        email=str(fields.pop("email", "Ada.Lovelace@NHS.net")),
        password=PASSWORD,
        region=region,
        **fields,  # type: ignore[arg-type]
    )
    assert applicant is not None, "a new address"
    return applicant


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
    assert len(published(stores)) == 1


async def test_an_address_with_an_account_is_told_and_nothing_is_overwritten(
    stores: Stores,
) -> None:
    first = await apply(stores)
    again = await usecases.apply_to_join(
        stores, name="Someone Else", email="ADA.lovelace@nhs.net", password=PASSWORD, region="NW"
    )
    assert again is None
    kept = await stores.members.get(first.id)
    assert kept is not None
    assert (kept.profile.name, kept.region) == ("Ada Lovelace", "LDN")
    await usecases.apply_to_join(
        stores, name="Once More", email="ada.lovelace@nhs.net", password=PASSWORD, region="NW"
    )
    told = [f for f in published(stores) if isinstance(f, fact.MemberAppliedAgain)]
    assert len(told) == 1, "once a day, however often someone tries"
    assert isinstance(stores.clock, ManualClock)
    stores.clock.advance(timedelta(days=1))
    await usecases.apply_to_join(
        stores, name="Next Day", email="ada.lovelace@nhs.net", password=PASSWORD, region="NW"
    )
    assert len([f for f in published(stores) if isinstance(f, fact.MemberAppliedAgain)]) == 2
    with pytest.raises(Invalid):  # the same checks as a new application first
        await usecases.apply_to_join(
            stores, name="X", email="ada.lovelace@nhs.net", password="short", region="NW"
        )


async def test_a_password_is_changed_with_the_current_one(stores: Stores) -> None:
    applicant = await apply(stores)
    with pytest.raises(Invalid) as wrong:
        await usecases.change_password(
            stores, actor_id=applicant.id, member_id=applicant.id, current="nope", new=NEW
        )
    assert wrong.value.code == "wrong_password"
    with pytest.raises(Forbidden):
        await usecases.change_password(
            stores, actor_id="someone", member_id=applicant.id, current=PASSWORD, new=NEW
        )
    with pytest.raises(Invalid) as weak:
        await usecases.change_password(
            stores,
            actor_id=applicant.id,
            member_id=applicant.id,
            current=PASSWORD,
            new="Passw0rd2026",
        )
    assert weak.value.code == "weak_password"
    changed = await usecases.change_password(
        stores, actor_id=applicant.id, member_id=applicant.id, current=PASSWORD, new=NEW
    )
    assert changed.credentials_changed_at == stores.clock.now()
    assert (await usecases.sign_in(stores, email=applicant.email, password=NEW)).id == applicant.id
    with pytest.raises(Unauthorized):
        await usecases.sign_in(stores, email=applicant.email, password=PASSWORD)
    (told,) = [f for f in published(stores) if isinstance(f, fact.MemberPasswordChanged)]
    assert told.how == "changed"


async def test_a_reset_link_works_once_within_half_an_hour(stores: Stores) -> None:
    applicant = await apply(stores)
    assert await usecases.request_reset(stores, email="nobody@nhs.net") is None
    assert await usecases.request_reset(stores, email="not an address") is None
    first = await usecases.request_reset(stores, email="Ada.Lovelace@nhs.net")
    assert first is not None
    stored = await stores.members.get(applicant.id)
    assert stored is not None
    assert stored.reset is not None
    assert first.token not in str(stored), "kept only as its hash"
    link = await usecases.request_reset(stores, email="ada.lovelace@nhs.net")
    assert link is not None
    with pytest.raises(Invalid) as replaced:
        await usecases.reset_password(stores, token=first.token, new=NEW)
    assert replaced.value.code == "reset_link_invalid", "asking again replaces the link"
    with pytest.raises(Invalid) as weak:
        await usecases.reset_password(stores, token=link.token, new="Summer2024!!")
    assert weak.value.code == "weak_password"
    done = await usecases.reset_password(stores, token=link.token, new=NEW)
    assert done.credentials_changed_at == stores.clock.now()
    with pytest.raises(Invalid):
        await usecases.reset_password(stores, token=link.token, new=NEW + "!")
    late = await usecases.request_reset(stores, email="ada.lovelace@nhs.net")
    assert late is not None
    assert isinstance(stores.clock, ManualClock)
    stores.clock.advance(timedelta(minutes=30))
    with pytest.raises(Invalid) as expired:
        await usecases.reset_password(stores, token=late.token, new=NEW + "!")
    assert expired.value.code == "reset_link_expired"


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
    page, _ = await usecases.organisations_page(
        stores, query=OrganisationQuery.of(region="LDN"), cursor=None, limit=5
    )
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


async def test_an_account_elsewhere_links_by_its_verified_address_once(stores: Stores) -> None:
    ada = await apply(stores)
    issuer = "https://login.example/nhs"
    assert await usecases.sso_sign_in(stores, issuer=issuer, subject="x", email="n@nhs.net") is None
    found = await usecases.sso_sign_in(
        stores, issuer=issuer, subject="ada-1", email="ADA.lovelace@nhs.net"
    )
    assert found is not None
    assert found.id == ada.id
    assert found.identities == (f"{issuer}#ada-1",)
    again = await usecases.sso_sign_in(stores, issuer=issuer, subject="ada-1", email="new@nhs.net")
    assert again is not None
    assert again.id == ada.id, "found by the account once linked, whatever address it says"
    with pytest.raises(Conflict) as recycled:
        await usecases.sso_sign_in(
            stores, issuer=issuer, subject="someone-else", email="ada.lovelace@nhs.net"
        )
    assert recycled.value.code == "identity_mismatch"


async def test_an_application_with_an_account_elsewhere_has_no_password(stores: Stores) -> None:
    applicant = await usecases.apply_to_join(
        stores,
        name="Grace",
        email="grace@nhs.net",
        password=None,
        region="SW",
        identity="https://login.example/nhs#grace-1",
    )
    assert applicant is not None
    assert applicant.password_hash is None
    with pytest.raises(Unauthorized):
        await usecases.sign_in(stores, email="grace@nhs.net", password="")
    with pytest.raises(Invalid) as needed:
        await usecases.apply_to_join(
            stores, name="X", email="x@nhs.net", password=None, region="SW"
        )
    assert needed.value.code == "password_required"
