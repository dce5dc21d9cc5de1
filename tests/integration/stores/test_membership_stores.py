"""One suite, two implementations: membership's MongoDB repositories and its in-memory ones
behave alike, so use-case tests on the in-memory ones say something true of the real ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member, MoveRequest, Status
from services.membership.domain.organisation import (
    Organisation,
    OrganisationQuery,
    OrganisationStatus,
)
from services.membership.domain.statistics import Movement
from services.membership.repository import (
    INDEXES,
    ContributionRepository,
    MemberRepository,
    OrganisationRepository,
)
from services.membership.stores import KEY_PLAYERS_BOUND, Contributions, Members, Organisations
from shared.clock import SystemClock, new_id
from shared.errors import Conflict, Stale
from shared.mongo import ensure_indexes
from tests.fakes.membership import (
    InMemoryContributions,
    InMemoryMembers,
    InMemoryOrganisations,
)
from tests.unit.membership.factories import member

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def stores(
    request: pytest.FixtureRequest, mongo: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[tuple[Members, Organisations, Contributions]]:
    if request.param == "memory":
        yield InMemoryMembers(), InMemoryOrganisations(), InMemoryContributions()
        return
    db = mongo[f"knet_membership_contract_{new_id()}"]
    await ensure_indexes(db, INDEXES)
    yield (
        MemberRepository(db, SystemClock()),
        OrganisationRepository(db, SystemClock()),
        ContributionRepository(db),
    )


def active(member_id: str, **fields: Any) -> Member:
    return member(member_id, **fields)


async def test_a_member_round_trips_and_saves_only_at_the_version_read(
    stores: tuple[Members, Organisations, Contributions],
) -> None:
    members, _, _ = stores
    ada = active("ada", name="Ada Lovelace", interests=("evidence",))
    await members.add(ada)
    assert ada.facts == []
    loaded = await members.get("ada")
    assert loaded == ada
    assert await members.by_email("ada@nhs.net") == ada
    assert await members.get("nobody") is None

    first, second = await members.get("ada"), await members.get("ada")
    assert first is not None
    assert second is not None
    first.roles = frozenset({"member", "core"})
    await members.save(first)
    assert first.version == 1
    second.roles = frozenset({"member", "sponsor"})
    with pytest.raises(Stale):
        await members.save(second)
    stored = await members.get("ada")
    assert stored is not None
    assert (stored.roles, stored.version) == (frozenset({"member", "core"}), 1)
    assert members.document(stored) == members.document(first)


async def test_names_of_members_and_former_members_but_not_the_erased(
    stores: tuple[Members, Organisations, Contributions],
) -> None:
    members, _, _ = stores
    await members.add(active("n1", name="Nia"))
    await members.add(active("n2", name="Noor", status=Status.LEFT))
    gone = active("n3", name="Ned")
    await members.add(gone)
    loaded = await members.get("n3")
    assert loaded is not None
    loaded.erase(by=loaded, now=datetime.now(UTC))
    await members.save(loaded)
    assert await members.names(["n1", "n2", "n3", "nobody"]) == {"n1": "Nia", "n2": "Noor"}


async def test_an_email_is_registered_once(
    stores: tuple[Members, Organisations, Contributions],
) -> None:
    members, _, _ = stores
    await members.add(active("a1"))
    twin = active("a2")
    twin.email = "a1@nhs.net"
    with pytest.raises(Conflict) as caught:
        await members.add(twin)
    assert caught.value.code == "email_taken"


async def test_the_directory_filters_and_pages_in_name_order(
    stores: tuple[Members, Organisations, Contributions],
) -> None:
    members, _, _ = stores
    names = ["Cara", "ada", "Bea", "Abe", "Bob", "Bea"]
    for i, name in enumerate(names):
        await members.add(
            active(f"m{i}", name=name, region="LDN" if i % 2 else "NW", interests=("kms",))
        )
    await members.add(active("p1", name="Pending Pat", status=Status.PENDING))
    walked: list[str] = []
    cursor: str | None = None
    while True:
        page, cursor = await members.search(DirectoryQuery(), cursor=cursor, limit=2)
        assert len(page) <= 2
        walked += [m.id for m in page]
        if cursor is None:
            break
    assert walked == ["m3", "m1", "m2", "m5", "m4", "m0"], "by lower-case name, then id"
    by_prefix, _ = await members.search(DirectoryQuery.of(name="b"), cursor=None, limit=10)
    assert [m.id for m in by_prefix] == ["m2", "m5", "m4"]
    in_ldn, _ = await members.search(DirectoryQuery.of(region="LDN"), cursor=None, limit=10)
    assert {m.id for m in in_ldn} == {"m1", "m3", "m5"}
    pending, _ = await members.search(
        DirectoryQuery.of(status=Status.PENDING), cursor=None, limit=10
    )
    assert [m.id for m in pending] == ["p1"]
    by_interest, _ = await members.search(
        DirectoryQuery.of(interest="kms", role="member"), cursor=None, limit=10
    )
    assert len(by_interest) == 6


async def test_candidates_key_players_and_counts(
    stores: tuple[Members, Organisations, Contributions],
) -> None:
    members, _, _ = stores
    me = active("me", interests=("taxonomy",), skills=("search",))
    await members.add(me)
    await members.add(active("shares", interests=("taxonomy",)))
    await members.add(active("skilled", skills=("taxonomy",)))
    await members.add(active("needs", interests=("search",)))
    await members.add(active("other", interests=("libraries",)))
    await members.add(active("gone", interests=("taxonomy",), status=Status.LEFT))
    found = await members.candidates_for(me, 10)
    assert {m.id for m in found} == {"shares", "skilled", "needs"}
    assert len(await members.candidates_for(me, 2)) == 2

    await members.add(active("fac", name="Zoe", roles={"member", "facilitator"}))
    await members.add(active("spo", name="Al", roles={"member", "sponsor"}))
    await members.add(active("nwf", roles={"member", "facilitator"}, region="NW"))
    assert [m.id for m in await members.key_players("LDN")] == ["spo", "fac"]
    assert await members.count_active("LDN") == 7
    assert await members.active_per_region() == {"LDN": 7, "NW": 1}
    assert await members.any_with_role("sponsor")
    assert await members.count_active_with_role("facilitator") == 2
    assert not await members.any_with_role("operator")


async def test_organisations_and_contributions(
    stores: tuple[Members, Organisations, Contributions],
) -> None:
    _, organisations, contributions = stores
    for i, (name, region) in enumerate([("Bart's", "LDN"), ("alder hey", "NW"), ("Guy's", "LDN")]):
        await organisations.add(
            Organisation(id=f"o{i}", name=name, region=region, ods_code=f"R{i}A" if i else None)
        )
    await organisations.add(Organisation(id="o9", name="No Code", region="LDN"))
    with pytest.raises(Conflict) as caught:
        await organisations.add(Organisation(id="o8", name="Twin", region="NW", ods_code="R1A"))
    assert caught.value.code == "ods_code_taken"
    assert await organisations.get("o1") == Organisation("o1", "alder hey", "NW", ods_code="R1A")
    in_london = OrganisationQuery.of(region="LDN")
    first, cursor = await organisations.page(in_london, cursor=None, limit=2)
    rest, last = await organisations.page(in_london, cursor=cursor, limit=2)
    assert [o.id for o in first + rest] == ["o0", "o2", "o9"]
    assert last is None
    assert set((await organisations.by_ods_codes(["R1A", "R2A", "ZZZ"])).keys()) == {"R1A", "R2A"}
    assert {o.id for o in await organisations.named(["o1", "o9", "nope"])} == {"o1", "o9"}

    # Changed with a version check, found by any word's beginning (accents folded), and by
    # status: a closed one leaves the default (active) list.
    found = await organisations.get("o2")
    assert found is not None
    found.revise(by="fac", name="Guy's and St Thomás")
    found.close(by="fac")
    await organisations.save(found)
    stale = await organisations.get("o2")
    assert stale is not None
    assert stale.version == 1
    stale.version = 0
    with pytest.raises(Stale):
        await organisations.save(stale)
    closed = OrganisationQuery.of(text="thomas", statuses=(OrganisationStatus.CLOSED,))
    assert [o.id for o in (await organisations.page(closed, cursor=None, limit=5))[0]] == ["o2"]
    assert (await organisations.page(OrganisationQuery.of(text="thom"), cursor=None, limit=5))[
        0
    ] == []
    twin = await organisations.get("o9")
    assert twin is not None
    twin.revise(by="fac", ods_code="R1A")
    with pytest.raises(Conflict):
        await organisations.save(twin)

    assert await contributions.record(event_id="e1", member_id="m", kind="k", ref="r", at=NOW)
    assert not await contributions.record(event_id="e1", member_id="m", kind="k", ref="r", at=NOW)
    assert await contributions.record(event_id="e2", member_id="m", kind="j", ref="r", at=NOW)
    assert await contributions.counts("m") == {"k": 1, "j": 1}
    assert await contributions.counts("x") == {}


async def test_a_regions_key_players_are_bounded(
    stores: tuple[Members, Organisations, Contributions],
) -> None:
    members, _, _ = stores
    for i in range(KEY_PLAYERS_BOUND + 1):
        await members.add(active(f"k{i:04d}", roles={"member", "core"}))
    assert len(await members.key_players("LDN")) == KEY_PLAYERS_BOUND


async def test_movements_count_joins_and_leaves_per_region_and_month(
    stores: tuple[Members, Organisations, Contributions],
) -> None:
    members, _, contributions = stores
    november, december = datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 12, 9, tzinfo=UTC)
    rows = [
        replace(active("j1", region="LDN"), decided_at=november),
        replace(active("j2", region="LDN"), decided_at=november),
        replace(
            active("l1", region="NW"), decided_at=november, status=Status.LEFT, left_at=december
        ),
        replace(active("d1", region="NW"), decided_at=november, status=Status.DECLINED),
        replace(active("p1", region="NW"), status=Status.PENDING),
    ]
    for row in rows:
        await members.add(row)
    found = sorted(await members.movements(), key=lambda m: (m.month, m.region, m.joined))
    assert found == [
        Movement("LDN", "2026-11", joined=2),
        Movement("NW", "2026-11", joined=1),
        Movement("NW", "2026-12", left=1),
    ]
    for i, (who, at) in enumerate([("a", NOW), ("a", NOW), ("b", november), ("c", NOW)]):
        await contributions.record(event_id=f"e{i}", member_id=who, kind="k", ref="r", at=at)
    since = datetime(2026, 11, 15, tzinfo=UTC)
    assert await contributions.contributors_since(since) == {"a", "c"}
    await members.add(active("a"))
    assert await members.count_active_among({"a", "c", "l1"}) == 1, "l1 left; c is unknown"


async def test_an_organisations_members_and_the_moves_asking_for_it(
    stores: tuple[Members, Organisations, Contributions],
) -> None:
    members, _, _ = stores
    inside = active("in")
    inside.profile = replace(inside.profile, organisation_id="org")
    asking = active("asking")
    asking.move = MoveRequest("LDN", "org", NOW)
    erased = active("erased", status=Status.ERASED)
    erased.profile = replace(erased.profile, organisation_id="org")
    for person in (inside, asking, erased, active("elsewhere")):
        await members.add(person)
    assert [m.id for m in await members.of_organisation("org", limit=10)] == ["asking", "in"]
    assert [m.id for m in await members.of_organisation("org", limit=1)] == ["asking"]
