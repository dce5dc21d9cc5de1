"""Organisations: who may change them, proposals confirmed with the member, merges followed by
members exactly once, the picker's query, and the import run twice."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.membership import facts as fact
from services.membership import usecases
from services.membership.domain.member import Member, Status
from services.membership.domain.organisation import (
    Organisation,
    OrganisationQuery,
    OrganisationStatus,
)
from services.membership.stores import Stores
from services.membership.usecases import Imported
from shared.errors import Conflict, Forbidden, Invalid
from tests.fakes.membership import (
    InMemoryMembers,
    InMemoryOrganisations,
)
from tests.unit.membership.factories import applicant, member

PASSWORD = "Knowledge-Network-2016"


def organisation_facts(stores: Stores) -> list[object]:
    assert isinstance(stores.organisations, InMemoryOrganisations)
    return stores.organisations.published


def in_organisation(person: Member, organisation_id: str) -> Member:
    person.profile = replace(person.profile, organisation_id=organisation_id)
    return person


async def seat(stores: Stores, *people: Member) -> None:
    for person in people:
        await stores.members.add(person)


async def leeds(stores: Stores, name: str = "Leeds Teaching Hospitals NHS Trust") -> Organisation:
    return await usecases.register_organisation(
        stores, actor_id="fac", name=name, region="NEY", kind="trust", ods_code="rr8"
    )


async def test_a_facilitator_adds_organisations_in_their_region_only(stores: Stores) -> None:
    await seat(
        stores,
        member("fac", region="NEY", roles={"member", "facilitator"}),
        member("m", region="NEY"),
    )
    added = await leeds(stores)
    assert (added.name, added.ods_code, added.kind.value) == (
        "Leeds Teaching Hospitals NHS Trust",
        "RR8",
        "trust",
    )
    (event,) = organisation_facts(stores)
    assert isinstance(event, fact.OrganisationAdded)
    assert (event.region, event.status, event.by_member_id) == ("NEY", "active", "fac")

    with pytest.raises(Forbidden) as elsewhere:
        await usecases.register_organisation(stores, actor_id="fac", name="Barts", region="LDN")
    assert elsewhere.value.code == "outside_remit"
    with pytest.raises(Forbidden):
        await usecases.register_organisation(stores, actor_id="m", name="Mine", region="NEY")
    with pytest.raises(Conflict) as taken:
        await usecases.register_organisation(
            stores, actor_id="fac", name="Twin", region="NEY", ods_code="RR8"
        )
    assert taken.value.code == "ods_code_taken"
    with pytest.raises(Invalid) as bad:
        await usecases.register_organisation(
            stores, actor_id="fac", name="Odd", region="NEY", ods_code="R-8"
        )
    assert bad.value.code == "invalid_ods_code"
    with pytest.raises(Invalid) as kind:
        await usecases.register_organisation(
            stores, actor_id="fac", name="Odd", region="NEY", kind="hospital"
        )
    assert kind.value.code == "invalid_kind"
    assert len(organisation_facts(stores)) == 1  # nothing half-written by the refusals


async def test_a_member_proposes_theirs_and_the_approving_facilitator_confirms_it(
    stores: Stores,
) -> None:
    await seat(stores, member("fac", region="NW", roles={"member", "facilitator"}))
    ada = await usecases.apply_to_join(
        stores,
        name="Ada Lovelace",
        email="ada@nhs.net",
        password=PASSWORD,
        region="NW",
        proposed_organisation="Bolton Library and Knowledge Service",
    )
    assert ada is not None
    assert ada.profile.organisation_id is not None
    proposed = await usecases.get_organisation(stores, ada.profile.organisation_id)
    assert (proposed.status, proposed.proposed_by) == (OrganisationStatus.PROPOSED, ada.id)
    # Nobody else can join a proposal.
    with pytest.raises(Invalid) as not_open:
        await usecases.apply_to_join(
            stores,
            name="Bo Peep",
            email="bo@nhs.net",
            password=PASSWORD,
            region="NW",
            organisation_id=proposed.id,
        )
    assert not_open.value.code == "organisation_not_open"

    await usecases.approve(stores, actor_id="fac", member_id=ada.id)
    confirmed = await usecases.get_organisation(stores, proposed.id)
    assert confirmed.status is OrganisationStatus.ACTIVE
    updated = organisation_facts(stores)[-1]
    assert isinstance(updated, fact.OrganisationUpdated)
    assert (updated.changed, updated.by_member_id) == (["status"], "fac")


async def test_an_organisation_must_be_in_the_applicants_region(stores: Stores) -> None:
    await seat(stores, member("fac", region="NEY", roles={"member", "facilitator"}))
    trust = await leeds(stores)
    with pytest.raises(Invalid) as elsewhere:
        await usecases.apply_to_join(
            stores,
            name="Ada Lovelace",
            email="ada@nhs.net",
            password=PASSWORD,
            region="LDN",
            organisation_id=trust.id,
        )
    assert elsewhere.value.code == "organisation_elsewhere"


async def test_a_move_to_an_unlisted_organisation_proposes_it(stores: Stores) -> None:
    await seat(
        stores,
        member("fac", region="NEY", roles={"member", "facilitator"}),
        member("m", region="NEY"),
    )
    moved = await usecases.request_move(
        stores,
        actor_id="m",
        member_id="m",
        region="NEY",
        organisation_id=None,
        proposed_organisation="Harrogate Library Service",
    )
    assert moved.move is not None
    assert moved.move.organisation_id is not None
    await usecases.approve_move(stores, actor_id="fac", member_id="m")
    proposal = await usecases.get_organisation(stores, moved.move.organisation_id)
    assert proposal.status is OrganisationStatus.ACTIVE
    with pytest.raises(Forbidden):
        await usecases.request_move(
            stores,
            actor_id="fac",
            member_id="m",
            region="NEY",
            organisation_id=None,
            proposed_organisation="Somewhere else",
        )


async def test_a_merge_moves_every_member_once_and_closes_the_door_behind(
    stores: Stores,
) -> None:
    await seat(stores, member("fac", region="NEY", roles={"member", "facilitator"}))
    survivor = await leeds(stores)
    absorbed = await usecases.register_organisation(
        stores, actor_id="fac", name="Leeds Community Healthcare", region="NEY", kind="trust"
    )
    elsewhere = await usecases.register_organisation(
        stores, actor_id="fac", name="Hull Royal", region="NEY", kind="trust"
    )
    people = [in_organisation(member(f"p{i}", region="NEY"), absorbed.id) for i in range(5)]
    await seat(stores, *people, in_organisation(member("other", region="NEY"), elsewhere.id))
    await seat(stores, member("mover", region="NEY"))
    await usecases.request_move(
        stores, actor_id="mover", member_id="mover", region="NEY", organisation_id=absorbed.id
    )

    merged = await usecases.merge_organisation(
        stores, actor_id="fac", organisation_id=absorbed.id, into_organisation_id=survivor.id
    )
    assert (merged.status, merged.merged_into) == (OrganisationStatus.MERGED, survivor.id)
    event = organisation_facts(stores)[-1]
    assert isinstance(event, fact.OrganisationMerged)
    assert event.into_organisation_id == survivor.id

    # The consumer follows the fact; a redelivery finds nothing left to move.
    assert (
        await usecases.follow_merge(
            stores, organisation_id=absorbed.id, into_organisation_id=survivor.id
        )
        == 6
    )
    assert (
        await usecases.follow_merge(
            stores, organisation_id=absorbed.id, into_organisation_id=survivor.id
        )
        == 0
    )
    for person in people:
        found = await stores.members.get(person.id)
        assert found is not None
        assert found.profile.organisation_id == survivor.id
    mover = await stores.members.get("mover")
    assert mover is not None
    assert mover.move is not None
    assert mover.move.organisation_id == survivor.id
    other = await stores.members.get("other")
    assert other is not None
    assert other.profile.organisation_id == elsewhere.id
    assert isinstance(stores.members, InMemoryMembers)
    moved = [f for f in stores.members.published if isinstance(f, fact.MemberProfileUpdated)]
    assert sorted(f.member_id for f in moved) == [p.id for p in people]

    # Merging again into the same one changes nothing; into another is refused.
    again = await usecases.merge_organisation(
        stores, actor_id="fac", organisation_id=absorbed.id, into_organisation_id=survivor.id
    )
    assert again.version == merged.version
    with pytest.raises(Conflict):
        await usecases.merge_organisation(
            stores, actor_id="fac", organisation_id=absorbed.id, into_organisation_id=elsewhere.id
        )
    with pytest.raises(Invalid) as joining:
        await usecases.request_move(
            stores, actor_id="other", member_id="other", region="NEY", organisation_id=absorbed.id
        )
    assert joining.value.code == "organisation_not_open"


async def test_merges_stay_within_a_region_and_need_an_open_survivor(stores: Stores) -> None:
    await seat(stores, member("op", region="LDN", roles={"member", "operator"}))
    north = await usecases.register_organisation(stores, actor_id="op", name="A", region="NEY")
    south = await usecases.register_organisation(stores, actor_id="op", name="B", region="LDN")
    closed = await usecases.register_organisation(stores, actor_id="op", name="C", region="NEY")
    await usecases.close_organisation(stores, actor_id="op", organisation_id=closed.id)
    with pytest.raises(Invalid) as across:
        await usecases.merge_organisation(
            stores, actor_id="op", organisation_id=north.id, into_organisation_id=south.id
        )
    assert across.value.code == "merge_across_regions"
    with pytest.raises(Conflict) as shut:
        await usecases.merge_organisation(
            stores, actor_id="op", organisation_id=north.id, into_organisation_id=closed.id
        )
    assert shut.value.code == "survivor_not_active"
    with pytest.raises(Invalid):
        await usecases.merge_organisation(
            stores, actor_id="op", organisation_id=north.id, into_organisation_id=north.id
        )


async def test_renaming_closing_and_reopening(stores: Stores) -> None:
    await seat(stores, member("fac", region="NEY", roles={"member", "facilitator"}))
    trust = await leeds(stores)
    renamed = await usecases.revise_organisation(
        stores, actor_id="fac", organisation_id=trust.id, name="Leeds Teaching Hospitals"
    )
    assert renamed.name == "Leeds Teaching Hospitals"
    closed = await usecases.close_organisation(stores, actor_id="fac", organisation_id=trust.id)
    assert closed.status is OrganisationStatus.CLOSED
    reopened = await usecases.revise_organisation(
        stores, actor_id="fac", organisation_id=trust.id, reopen=True
    )
    assert reopened.status is OrganisationStatus.ACTIVE
    changes = [
        f.changed for f in organisation_facts(stores) if isinstance(f, fact.OrganisationUpdated)
    ]
    assert changes == [["name"], ["status"], ["status"]]


async def test_the_picker_finds_any_word_of_a_name_accents_folded(stores: Stores) -> None:
    await seat(stores, member("op", region="LDN", roles={"member", "operator"}))
    for name, region in [
        ("Guy's and St Thomas' NHS Foundation Trust", "LDN"),
        ("Ysbyty Gwynedd Llyfrgell", "WAL"),
        ("Clínica São Tomé Library", "LDN"),
        ("Royal Free London", "LDN"),
    ]:
        await usecases.register_organisation(stores, actor_id="op", name=name, region=region)

    async def names(text: str, region: str | None = None) -> list[str]:
        query = OrganisationQuery.of(text=text, region=region)
        found, _ = await usecases.organisations_page(stores, query=query, cursor=None, limit=10)
        return [o.name for o in found]

    assert await names("thom") == ["Guy's and St Thomas' NHS Foundation Trust"]
    assert await names("sao tom") == ["Clínica São Tomé Library"]
    assert await names("lib", region="LDN") == ["Clínica São Tomé Library"]
    assert await names("london free") == ["Royal Free London"]
    assert await names("oyal") == []  # words begin where typed, not anywhere inside


async def test_the_import_adds_updates_and_changes_nothing_the_second_time(
    stores: Stores,
) -> None:
    await seat(stores, member("fac", region="NEY", roles={"member", "facilitator"}))
    trust = await leeds(stores, name="Leeds Teaching Hospitals")
    rows = [
        Imported("RR8", "Leeds Teaching Hospitals NHS Trust", "NEY", "trust", False),
        Imported("RXF", "Mid Yorkshire Teaching NHS Trust", "NEY", "trust", False),
        Imported("RAE", "Bradford Teaching Hospitals NHS Foundation Trust", "NEY", "trust", True),
        Imported("QWO", "NHS West Yorkshire ICB", "NEY", "icb", False),
        Imported("RXX", "Somewhere in Scotland", None, "trust", False),
        Imported("R!", "Broken code", "NEY", "trust", False),
    ]
    first = await usecases.import_organisations(stores, rows)
    assert (first.added, first.updated, first.unchanged) == (3, 1, 0)
    assert [code for code, _ in first.skipped] == ["RXX", "R!"]
    renamed = await usecases.get_organisation(stores, trust.id)
    assert renamed.name == "Leeds Teaching Hospitals NHS Trust"
    closed = (await stores.organisations.by_ods_codes(["RAE"]))["RAE"]
    assert closed.status is OrganisationStatus.CLOSED

    published = len(organisation_facts(stores))
    second = await usecases.import_organisations(stores, rows)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 4)
    assert len(organisation_facts(stores)) == published

    moved = [Imported("RR8", "Leeds Teaching Hospitals NHS Trust", "NW", "trust", False)]
    third = await usecases.import_organisations(stores, moved)
    assert third.skipped == [("RR8", "it moved from NEY to NW")]


async def test_an_applicant_cannot_be_the_one_who_confirms(stores: Stores) -> None:
    await seat(stores, applicant("a1", region="NEY"))
    trust = Organisation.propose(organisation_id="o1", name="Mine", region="NEY", by="a1")
    await stores.organisations.add(trust)
    with pytest.raises(Forbidden):
        await usecases.confirm_organisation(stores, actor_id="a1", organisation_id="o1")


async def test_a_refused_move_leaves_no_proposal_behind(stores: Stores) -> None:
    await seat(stores, member("gone", region="NEY", status=Status.LEFT))
    with pytest.raises(Forbidden):
        await usecases.request_move(
            stores,
            actor_id="gone",
            member_id="gone",
            region="NEY",
            organisation_id=None,
            proposed_organisation="Harrogate Library Service",
        )
    assert organisation_facts(stores) == []
