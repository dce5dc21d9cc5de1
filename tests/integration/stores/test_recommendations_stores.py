"""One suite, two implementations: the recommendations service's MongoDB repositories and
its in-memory ones behave alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import pytest
from pymongo import AsyncMongoClient

from services.recommendations.domain import catalogue
from services.recommendations.domain.case_study import share
from services.recommendations.domain.plan import Plan, Rag, Scope, Status
from services.recommendations.domain.queries import CaseStudySearch, PlanListing
from services.recommendations.domain.rollup import Tally
from services.recommendations.facts import FollowStarted, FollowStopped
from services.recommendations.repository import (
    INDEXES,
    Ballots,
    CaseStudies,
    Catalogue,
    Follows,
    Members,
    Plans,
    Rankings,
)
from services.recommendations.stores import CATALOGUE_BOUND, Ballot
from services.recommendations.stores import Ballots as BallotsStore
from services.recommendations.stores import CaseStudies as CaseStudiesStore
from services.recommendations.stores import Catalogue as CatalogueStore
from services.recommendations.stores import Follows as FollowsStore
from services.recommendations.stores import Members as MembersStore
from services.recommendations.stores import Plans as PlansStore
from services.recommendations.stores import Rankings as RankingsStore
from shared.clock import SystemClock, new_id
from shared.errors import Conflict, Stale
from shared.mongo import ensure_indexes
from tests.fakes.recommendations import (
    InMemoryBallots,
    InMemoryCaseStudies,
    InMemoryCatalogue,
    InMemoryFollows,
    InMemoryMembers,
    InMemoryPlans,
    InMemoryRankings,
)

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@dataclass
class All:
    catalogue: CatalogueStore
    members: MembersStore
    ballots: BallotsStore
    rankings: RankingsStore
    plans: PlansStore
    case_studies: CaseStudiesStore
    follows: FollowsStore


@pytest.fixture(params=["memory", "mongo"])
async def stores(
    request: pytest.FixtureRequest, mongo: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[All]:
    if request.param == "memory":
        yield All(
            InMemoryCatalogue(),
            InMemoryMembers(),
            InMemoryBallots(),
            InMemoryRankings(),
            InMemoryPlans(),
            InMemoryCaseStudies(),
            InMemoryFollows(),
        )
        return
    db = mongo[f"knet_recommendations_contract_{new_id()}"]
    await ensure_indexes(db, INDEXES)
    clock = SystemClock()
    yield All(
        Catalogue(db),
        Members(db),
        Ballots(db, clock),
        Rankings(db, clock),
        Plans(db, clock),
        CaseStudies(db, clock),
        Follows(db, clock),
    )


async def test_the_catalogue_seeds_once_and_keeps_a_retirement(stores: All) -> None:
    assert await stores.catalogue.seed(catalogue.seed()) == 5
    r5 = await stores.catalogue.get("R5")
    assert r5 is not None
    await stores.catalogue.replace(r5.retire(reason="Done", now=NOW))
    assert await stores.catalogue.seed(catalogue.seed()) == 0
    assert [r.code for r in await stores.catalogue.all() if r.active] == ["R1", "R2", "R3", "R4"]
    with pytest.raises(Conflict) as taken:
        await stores.catalogue.add(catalogue.seed()[0])
    assert taken.value.code == "code_taken"


async def test_the_members_read_model_ignores_older_news(stores: All) -> None:
    assert await stores.members.apply("m", NOW, {"region": "LDN", "active": True})
    assert not await stores.members.apply("m", NOW - timedelta(hours=1), {"region": "NW"})
    assert await stores.members.apply("m", NOW + timedelta(hours=1), {"organisation_id": "o"})
    found = await stores.members.get("m")
    assert found is not None
    assert (found.region, found.organisation_id, found.active) == ("LDN", "o", True)
    assert await stores.members.get("nobody") is None


async def test_ballots_and_rankings_save_at_the_version_read(stores: All) -> None:
    ballot = Ballot("m", ("R1", "R4"), "LDN", NOW)
    await stores.ballots.save(ballot, [], new=True)
    with pytest.raises(Stale):
        await stores.ballots.save(ballot, [], new=True)
    loaded = await stores.ballots.get("m")
    assert loaded == Ballot("m", ("R1", "R4"), "LDN", NOW, 0)
    loaded.ranking, loaded.updated_at = (), NOW + timedelta(minutes=5)
    await stores.ballots.save(loaded, [], new=False)
    with pytest.raises(Stale):
        await stores.ballots.save(loaded, [], new=False)
    await stores.ballots.save(Ballot("n", ("R2",), None, NOW), [], new=True)
    assert await stores.ballots.all() == [(("R2",), None)], "a withdrawn ballot counts not"
    assert await stores.ballots.changed_since(NOW + timedelta(minutes=1)) == {
        "m": NOW + timedelta(minutes=5)
    }

    assert await stores.rankings.get() is None
    await stores.rankings.save({"standings": {"national": []}}, None, [])
    with pytest.raises(Stale):
        await stores.rankings.save({"x": 1}, None, [])
    snapshot = await stores.rankings.get()
    assert snapshot is not None
    await stores.rankings.save({"recent": [["m", NOW]]}, snapshot["version"], [])
    again = await stores.rankings.get()
    assert again is not None
    assert (again["version"], again["recent"], again["standings"]) == (
        1,
        [["m", NOW]],
        {"national": []},
    )


def plan(plan_id: str, code: str, scope_id: str, region: str | None, owner: str) -> Plan:
    scope = Scope.NATIONAL if scope_id == "national" else Scope.REGION
    return Plan.propose(
        plan_id=plan_id,
        code=code,
        scope=scope,
        scope_id=scope_id,
        region=region,
        owner_member_id=owner,
        co_lead_member_ids=["co"],
        goal="A named KM lead in every team",
        by=owner,
        now=NOW,
    )


async def test_plans_one_per_scope_listed_and_counted(stores: All) -> None:
    await stores.plans.add(plan("p2", "R4", "LDN", "LDN", "a"))
    await stores.plans.add(plan("p1", "R1", "LDN", "LDN", "b"))
    await stores.plans.add(plan("p3", "R4", "national", None, "b"))
    with pytest.raises(Conflict) as exists:
        await stores.plans.add(plan("p9", "R4", "LDN", "LDN", "c"))
    assert exists.value.details == {"plan_id": "p2"}
    p2 = await stores.plans.get("p2")
    assert p2 is not None
    p2.change_status(to=Status.ACTIVE, note="", by="a", now=NOW)
    p2.report_progress(summary="Going", rag=Rag.GREEN, evidence_links=[], by="a", now=NOW)
    p2.add_action(
        action_id="x", title="Train", owner_member_id="a", due_on=date(2027, 1, 1), by="a", now=NOW
    )
    await stores.plans.save(p2)
    stale = await stores.plans.get("p1")
    assert stale is not None
    stale.version = 7
    with pytest.raises(Stale):
        await stores.plans.save(stale)
    page, cursor = await stores.plans.page(PlanListing(), cursor=None, limit=2)
    rest, last = await stores.plans.page(PlanListing(), cursor=cursor, limit=2)
    assert [p.id for p in page + rest] == ["p1", "p2", "p3"]
    assert last is None
    by_lead, _ = await stores.plans.page(PlanListing(lead="b"), cursor=None, limit=10)
    assert [p.id for p in by_lead] == ["p1", "p3"]
    co_led, _ = await stores.plans.page(PlanListing(lead="co", code="R4"), cursor=None, limit=10)
    assert [p.id for p in co_led] == ["p2", "p3"]
    active, _ = await stores.plans.page(
        PlanListing(status=Status.ACTIVE, scope=Scope.REGION, region="LDN"), cursor=None, limit=5
    )
    assert [p.id for p in active] == ["p2"]
    counts = {(s.code, s.region, s.status, s.rag): s.count for s in await stores.plans.summaries()}
    assert counts == {
        ("R4", "LDN", "active", "green"): 1,
        ("R1", "LDN", "proposed", None): 1,
        ("R4", None, "proposed", None): 1,
    }
    assert await stores.plans.with_overdue_actions(date(2027, 1, 4)) == ["p2"]
    assert await stores.plans.with_overdue_actions(date(2026, 12, 31)) == []


def study(study_id: str, title: str, region: str, codes: list[str]) -> Any:
    return share(
        case_study_id=study_id,
        author_member_id="author",
        known_codes=frozenset({"R1", "R4"}),
        now=NOW,
        title=title,
        context="Big purchases repeated old mistakes",
        what_was_done="A peer assist before each",
        outcome="Two avoided",
        evidence_links=[],
        contact="",
        region=region,
        organisation_id=None,
        recommendation_codes=codes,
        techniques=["Peer assist"],
    )


async def test_case_studies_search_newest_first_by_every_word(stores: All) -> None:
    for study_id, title, region, codes in [
        ("c1", "Procurement peer assists", "LDN", ["R4"]),
        ("c3", "Wiki for tenders", "NW", ["R1"]),
        ("c2", "Procurement wiki", "LDN", ["R1", "R4"]),
    ]:
        await stores.case_studies.add(study(study_id, title, region, codes))

    async def found(**query: Any) -> list[str]:
        page, _ = await stores.case_studies.search(
            CaseStudySearch.of(**query), cursor=None, limit=10
        )
        return [s.id for s in page]

    assert await found() == ["c3", "c2", "c1"]
    assert await found(text="procurement") == ["c2", "c1"]
    assert await found(text="WIKI procure") == ["c2"]
    assert await found(text="rement") == [], "a word's beginning, not any part of it"
    assert await found(text="wiki .*") == []
    assert await found(region="LDN", code="R1") == ["c2"]
    assert await found(technique=" peer ASSIST") == ["c3", "c2", "c1"]
    first, cursor = await stores.case_studies.search(CaseStudySearch(), cursor=None, limit=2)
    rest, _ = await stores.case_studies.search(CaseStudySearch(), cursor=cursor, limit=2)
    assert [s.id for s in first + rest] == ["c3", "c2", "c1"]
    assert sorted(await stores.case_studies.ids_by_author("author")) == ["c1", "c2", "c3"]
    c1 = await stores.case_studies.get("c1")
    assert c1 is not None
    assert c1.mark_useful("m")
    await stores.case_studies.save(c1)
    saved = await stores.case_studies.get("c1")
    assert saved is not None
    assert (saved.useful_by, saved.version) == (["m"], 1)


def started(member: str, kind: Literal["recommendation", "plan"], target: str) -> FollowStarted:
    return FollowStarted(member_id=member, kind=kind, target=target)


def stopped(member: str, kind: Literal["recommendation", "plan"], target: str) -> FollowStopped:
    return FollowStopped(member_id=member, kind=kind, target=target)


async def test_follows_once_paged_and_forgotten(stores: All) -> None:
    assert await stores.follows.follow(started("m", "recommendation", "R4"), NOW)
    assert not await stores.follows.follow(started("m", "recommendation", "R4"), NOW)
    await stores.follows.follow(started("m", "plan", "p1"), NOW)
    await stores.follows.follow(started("m", "plan", "p0"), NOW)
    await stores.follows.follow(started("n", "plan", "p1"), NOW)
    page, cursor = await stores.follows.page("m", cursor=None, limit=2)
    rest, last = await stores.follows.page("m", cursor=cursor, limit=2)
    assert [(f.kind, f.target) for f in page + rest] == [
        ("plan", "p0"),
        ("plan", "p1"),
        ("recommendation", "R4"),
    ]
    assert last is None
    assert await stores.follows.unfollow(stopped("m", "plan", "p0"))
    assert not await stores.follows.unfollow(stopped("m", "plan", "p0"))
    assert [
        (f.kind, f.target) for f in (await stores.follows.page("m", cursor=None, limit=5))[0]
    ] == [
        ("plan", "p1"),
        ("recommendation", "R4"),
    ], "a stopped follow is no longer listed"
    assert await stores.follows.follow(started("m", "plan", "p0"), NOW), "and can start again"
    await stores.follows.forget_member("m")
    assert await stores.follows.page("m", cursor=None, limit=5) == ([], None)
    assert len((await stores.follows.page("n", cursor=None, limit=5))[0]) == 1


async def test_the_catalogue_is_read_whole_up_to_its_bound(stores: All) -> None:
    extra = [
        catalogue.new(
            code=f"X{i:04d}", title="More", description="", aims=[], challenges=[], source="s"
        )
        for i in range(CATALOGUE_BOUND + 1)
    ]
    await stores.catalogue.seed(extra)
    assert len(await stores.catalogue.all()) == CATALOGUE_BOUND


async def test_plans_contributing_to_others_with_what_a_roll_up_reads(stores: All) -> None:
    national = plan("n", "R2", "national", None, "a")
    await stores.plans.add(national)
    await stores.plans.add(plan("r", "R2", "NW", "NW", "a"))
    regional = await stores.plans.get("r")
    assert regional is not None
    regional.link_to(national, by="a", now=NOW)
    regional.add_milestone(
        milestone_id="m", title="Baseline", target_on=date(2026, 1, 1), by="a", now=NOW
    )
    regional.report_progress(
        summary="Going", rag=Rag.AMBER, evidence_links=["https://example.nhs.uk/e"], by="a", now=NOW
    )
    await stores.plans.save(regional)
    (below,) = await stores.plans.contributing_to(["n"])
    assert (below.plan_id, below.parent_plan_id, below.scope, below.rag) == (
        "r",
        "n",
        "region",
        "amber",
    )
    assert below.milestones == ((date(2026, 1, 1), False),)
    assert below.evidence == 1
    assert await stores.plans.contributing_to(["r"]) == []
    again = await stores.plans.get("r")
    assert again is not None
    assert again.parent_plan_id == "n"


async def test_a_kept_tally_is_never_overwritten_by_an_older_recomputation(stores: All) -> None:
    await stores.plans.add(plan("k", "R3", "NW", "NW", "a"))
    first, second = await stores.plans.tally_ticket("k"), await stores.plans.tally_ticket("k")
    assert second > first
    newer, older = Tally(plans=2), Tally(plans=1)
    assert await stores.plans.keep_tally("k", newer, second)
    assert not await stores.plans.keep_tally("k", older, first)  # it read before the newer one
    assert await stores.plans.kept_tallies(["k", "nope"]) == {"k": newer}
    kept = await stores.plans.get("k")
    assert kept is not None
    kept.change_status(to=Status.ACTIVE, note="", by="a", now=NOW)
    await stores.plans.save(kept)  # the plan's own writes leave what it keeps alone
    assert await stores.plans.kept_tallies(["k"]) == {"k": newer}
