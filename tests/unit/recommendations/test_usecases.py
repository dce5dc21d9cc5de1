"""The recommendations service's use cases on the in-memory stores, in milliseconds (the
stores' contract suite keeps the in-memory ones honest)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.recommendations import facts as fact
from services.recommendations.domain.plan import Rag, Scope, Status
from services.recommendations.domain.queries import PlanListing
from services.recommendations.stores import Stores
from services.recommendations.usecases import case_studies, catalogue, follows, plans, resonance
from shared.caller import Caller
from shared.clock import ManualClock
from shared.errors import Conflict, Forbidden, Invalid, NotFound
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
OPERATOR = Caller("op", None, frozenset({"member", "operator"}))


def member(member_id: str, region: str = "LDN", *roles: str) -> Caller:
    return Caller(member_id, region, frozenset({"member", *roles}))


@pytest.fixture
async def stores() -> Stores:
    ids = iter(f"id{i:04d}" for i in range(1000))
    found = Stores(
        catalogue=InMemoryCatalogue(),
        members=InMemoryMembers(),
        ballots=InMemoryBallots(),
        rankings=InMemoryRankings(),
        plans=InMemoryPlans(),
        case_studies=InMemoryCaseStudies(),
        follows=InMemoryFollows(),
        clock=ManualClock(NOW),
        new_id=lambda: next(ids),
    )
    await catalogue.seed_catalogue(found)
    return found


def clock(stores: Stores) -> ManualClock:
    assert isinstance(stores.clock, ManualClock)
    return stores.clock


async def test_operators_keep_the_catalogue(stores: Stores) -> None:
    with pytest.raises(Forbidden):
        await catalogue.retire_recommendation(stores, caller=member("m"), code="R5", reason="x")
    await catalogue.retire_recommendation(stores, caller=OPERATOR, code="R5", reason="Done")
    shown = await catalogue.list_recommendations(stores, include_retired=False)
    assert [r.code for r in shown] == ["R1", "R2", "R3", "R4"]
    with pytest.raises(Invalid):
        await resonance.endorse(stores, caller=member("m"), codes=["R5"])


async def test_ballots_add_up_and_are_announced_at_most_once_a_minute(stores: Stores) -> None:
    await resonance.member_changed(
        stores, member_id="a", as_of=NOW, changes={"region": "LDN", "active": True}
    )
    await resonance.endorse(stores, caller=member("a"), codes=["R4", "R1"])
    await resonance.endorse(stores, caller=member("b", "NW"), codes=["R1"])
    assert await resonance.recompute_rankings(stores) >= 1
    national = await resonance.rankings(stores, region=None)
    assert [s["code"] for s in national["standings"]][:2] == ["R1", "R4"]
    assert await resonance.recompute_rankings(stores) == 0, "nothing moved"
    clock(stores).advance(timedelta(seconds=10))
    await resonance.endorse(stores, caller=member("c"), codes=["R4"])
    await resonance.endorse(stores, caller=member("d"), codes=["R4"])
    assert await resonance.recompute_rankings(stores) == 0, "held within the minute"
    clock(stores).advance(timedelta(minutes=1))
    assert await resonance.recompute_rankings(stores) >= 1
    with pytest.raises(Invalid):
        await resonance.rankings(stores, region="ATLANTIS")


async def test_withdrawing_keeps_the_ballots_facts(stores: Stores) -> None:
    await resonance.endorse(stores, caller=member("a"), codes=["R2"])
    await resonance.withdraw_ballot(stores, caller=member("a"))
    with pytest.raises(NotFound):
        await resonance.ballot_of(stores, caller=member("a"))
    assert isinstance(stores.ballots, InMemoryBallots)
    assert [type(f) for f in stores.ballots.published] == [fact.RecommendationEndorsed]
    again = await resonance.endorse(stores, caller=member("a"), codes=["R2"])
    assert again.ranking == ("R2",)
    assert len(stores.ballots.published) == 2, "endorsed anew after withdrawing"


async def test_leaving_withdraws_and_erasure_forgets(stores: Stores) -> None:
    await resonance.member_changed(stores, member_id="a", as_of=NOW, changes={"region": "LDN"})
    await resonance.endorse(stores, caller=member("a"), codes=["R1"])
    await follows.follow(stores, caller=member("a"), kind="recommendation", target="R1", on=True)
    shared = await case_studies.share_case_study(stores, caller=member("a"), **study_fields())
    await resonance.member_changed(
        stores, member_id="a", as_of=NOW + timedelta(hours=1), changes={"region": "NW"}
    )
    moved = await stores.ballots.get("a")
    assert moved is not None
    assert moved.region == "NW"
    await resonance.member_left(stores, member_id="a", as_of=NOW + timedelta(hours=2), erased=True)
    assert await stores.ballots.all() == []
    assert await follows.follows_of(stores, caller=member("a"), cursor=None, limit=5) == ([], None)
    assert (await case_studies.case_study(stores, shared.id)).contact == ""


def study_fields(**change: Any) -> dict[str, Any]:
    return {
        "title": "Peer assists before procurement",
        "context": "Big purchases repeated old mistakes",
        "what_was_done": "A peer assist before each",
        "outcome": "Two avoided",
        "evidence_links": [],
        "contact": "ada@nhs.net",
        "region": "LDN",
        "organisation_id": None,
        "recommendation_codes": ["R4"],
        "techniques": ["peer assist"],
        **change,
    }


async def create(stores: Stores, caller: Caller, **change: Any) -> Any:
    return await plans.create_plan(
        stores,
        caller=caller,
        **{
            "code": "R4",
            "scope": Scope.REGION,
            "scope_id": "LDN",
            "region": None,
            "owner_member_id": None,
            "co_lead_member_ids": [],
            "goal": "A named KM lead in every team",
            **change,
        },
    )


async def test_plans_are_created_within_remit_and_changed_by_their_leads(stores: Stores) -> None:
    with pytest.raises(Forbidden):
        await create(stores, member("m"))
    facilitator = member("f", "LDN", "facilitator")
    created = await create(stores, facilitator)
    with pytest.raises(Conflict):
        await create(stores, OPERATOR)
    with pytest.raises(Forbidden):
        await plans.change_status(
            stores,
            caller=member("x", "NW", "facilitator"),
            plan_id=created.id,
            status=Status.ACTIVE,
            note="",
        )
    await plans.change_status(
        stores, caller=facilitator, plan_id=created.id, status=Status.ACTIVE, note=""
    )
    with_action = await plans.add_action(
        stores,
        caller=facilitator,
        plan_id=created.id,
        title="Train",
        owner_member_id=None,
        due_on=date(2027, 1, 1),
    )
    assert with_action.actions[0].owner_member_id == "f"
    progressed = await plans.report_progress(
        stores,
        caller=facilitator,
        plan_id=created.id,
        summary="On track",
        rag=Rag.AMBER,
        evidence_links=[],
    )
    assert progressed.rag is Rag.AMBER
    assert await plans.report_overdue(stores) == 1
    assert await plans.report_overdue(stores) == 0
    found, _ = await plans.plans_page(stores, listing=PlanListing(lead="f"), cursor=None, limit=5)
    assert [p.id for p in found] == [created.id]
    (r4,) = [row for row in await plans.adoption_view(stores) if row.code == "R4"]
    assert r4.regions["LDN"].plans == 1
    assert isinstance(stores.plans, InMemoryPlans)
    assert fact.PlanOverdue in [type(f) for f in stores.plans.published]


async def test_case_studies_are_corrected_by_their_author_and_found(stores: Stores) -> None:
    shared = await case_studies.share_case_study(stores, caller=member("a"), **study_fields())
    with pytest.raises(Forbidden):
        await case_studies.revise_case_study(
            stores, caller=member("b"), case_study_id=shared.id, **study_fields(outcome="x")
        )
    revised = await case_studies.revise_case_study(
        stores, caller=member("a"), case_study_id=shared.id, **study_fields(outcome="Three")
    )
    assert revised.outcome == "Three"
    await case_studies.mark_useful(stores, caller=member("b"), case_study_id=shared.id, useful=True)
    await case_studies.mark_useful(stores, caller=member("b"), case_study_id=shared.id, useful=True)
    assert (await case_studies.case_study(stores, shared.id)).useful_by == ["b"]
    found, _ = await case_studies.search(stores, text="peer PROCUREMENT", cursor=None, limit=5)
    assert [s.id for s in found] == [shared.id]


async def test_only_recommendations_and_plans_are_followed(stores: Stores) -> None:
    with pytest.raises(Invalid) as wrong:
        await follows.follow(stores, caller=member("a"), kind="member", target="x", on=True)
    assert wrong.value.code == "not_followable"
    with pytest.raises(NotFound):
        await follows.follow(stores, caller=member("a"), kind="plan", target="nope", on=True)
    await follows.follow(stores, caller=member("a"), kind="recommendation", target="R1", on=True)
    await follows.follow(stores, caller=member("a"), kind="recommendation", target="R1", on=True)
    found, _ = await follows.follows_of(stores, caller=member("a"), cursor=None, limit=5)
    assert [(f.kind, f.target) for f in found] == [("recommendation", "R1")]


async def test_an_organisations_plans_follow_its_merge_once(stores: Stores) -> None:
    local = {"scope": Scope.ORGANISATION, "region": "NEY"}
    absorbed = await create(stores, OPERATOR, scope_id="org-a", **local)
    other = await create(stores, OPERATOR, scope_id="org-a", code="R2", **local)
    survivors_own = await create(stores, OPERATOR, scope_id="org-b", **local)
    untouched = await create(stores, OPERATOR, scope_id="org-c", **local)

    moved = await plans.follow_merge(stores, organisation_id="org-a", into_organisation_id="org-b")
    again = await plans.follow_merge(stores, organisation_id="org-a", into_organisation_id="org-b")

    assert (moved, again) == (2, 0)
    for plan_id in (absorbed.id, other.id, survivors_own.id):
        assert (await plans.plan(stores, plan_id)).scope_id == "org-b"
    assert (await plans.plan(stores, untouched.id)).scope_id == "org-c"
    kept = await plans.plan(stores, absorbed.id)
    assert kept.merged_from == "org-a"
    assert kept.history[-1].what == "organisation_merged"
    # Both plans for R4 are kept, and the survivor can still tell them apart.
    assert kept.key != (await plans.plan(stores, survivors_own.id)).key
    listing = PlanListing(scope=Scope.ORGANISATION, scope_id="org-b")
    found, _ = await plans.plans_page(stores, listing=listing, cursor=None, limit=10)
    assert {p.id for p in found} == {absorbed.id, other.id, survivors_own.id}


async def test_leads_come_from_the_plans_scope(stores: Stores) -> None:
    for member_id, organisation in (("ada", "org-a"), ("bo", "org-a"), ("cy", "org-b")):
        await resonance.member_changed(
            stores,
            member_id=member_id,
            as_of=NOW,
            changes={"region": "NW", "organisation_id": organisation, "active": True},
        )
    local = {"scope": Scope.ORGANISATION, "scope_id": "org-a", "region": "NW"}
    with pytest.raises(Invalid) as outside:
        await create(
            stores, member("ada", "NW"), co_lead_member_ids=["bo", "cy", "nobody"], **local
        )
    assert outside.value.code == "leads_out_of_scope"
    assert "cy, nobody" in outside.value.message
    started = await create(stores, member("ada", "NW"), co_lead_member_ids=["bo"], **local)
    assert started.co_lead_member_ids == ["bo"]
    with pytest.raises(Invalid):
        await plans.revise_plan(
            stores,
            caller=member("ada", "NW"),
            plan_id=started.id,
            goal=None,
            owner_member_id=None,
            co_lead_member_ids=["bo", "cy"],
        )
    # A national plan is a sponsor's to start, led by whoever they name.
    national = await create(
        stores,
        member("sp", "LDN", "sponsor"),
        scope=Scope.NATIONAL,
        scope_id=None,
        owner_member_id="cy",
        co_lead_member_ids=["ada"],
    )
    assert national.owner_member_id == "cy"
    with pytest.raises(Forbidden):
        await create(stores, member("core", "LDN", "core"), scope=Scope.NATIONAL, code="R2")


async def test_plans_link_upward_and_the_roll_up_counts_each_once(stores: Stores) -> None:
    sponsor = member("sp", "LDN", "sponsor")
    national = await create(stores, sponsor, scope=Scope.NATIONAL, scope_id=None)
    regional = {}
    for region in ("NW", "LDN"):
        regional[region] = await create(
            stores, member(f"f-{region}", region, "facilitator"), scope_id=region
        )
    locals_ = []
    for i in range(6):
        region = ("NW", "LDN")[i % 2]
        lead = member(f"m{i}", region)
        await resonance.member_changed(
            stores,
            member_id=lead.member_id,
            as_of=NOW,
            changes={"region": region, "organisation_id": f"org{i}", "active": True},
        )
        local = {"scope": Scope.ORGANISATION, "scope_id": f"org{i}", "region": region}
        locals_.append((lead, await create(stores, lead, **local)))

    # A local plan contributes to its region's plan, not another's nor the national one.
    lead, first = locals_[0]
    offered = await plans.parent_offered(stores, first)
    assert offered is not None
    assert offered.id == regional["NW"].id
    with pytest.raises(Invalid) as wrong:
        await plans.link_plan(stores, caller=lead, plan_id=first.id, parent_plan_id=national.id)
    assert wrong.value.code == "parent_wrong_level"
    with pytest.raises(Invalid):
        await plans.link_plan(
            stores, caller=lead, plan_id=first.id, parent_plan_id=regional["LDN"].id
        )
    with pytest.raises(Forbidden):  # only its own leads link it
        await plans.link_plan(
            stores, caller=member("x", "NW"), plan_id=first.id, parent_plan_id=offered.id
        )

    # Every child links and reports at once; a second, redelivered link changes nothing.
    async def link_and_report(lead: Caller, child_id: str, region: str, n: int) -> None:
        parent = regional[region].id
        await plans.link_plan(stores, caller=lead, plan_id=child_id, parent_plan_id=parent)
        await plans.link_plan(stores, caller=lead, plan_id=child_id, parent_plan_id=parent)
        await plans.report_progress(
            stores,
            caller=lead,
            plan_id=child_id,
            summary="Under way",
            rag=(Rag.RED, Rag.AMBER, Rag.GREEN)[n % 3],
            evidence_links=["https://example.nhs.uk/evidence"],
        )
        await plans.add_milestone(
            stores,
            caller=lead,
            plan_id=child_id,
            title="Baseline",
            target_on=(NOW - timedelta(days=2)).date(),
        )

    await asyncio.gather(
        *(
            link_and_report(lead, child.id, ("NW", "LDN")[i % 2], i)
            for i, (lead, child) in enumerate(locals_)
        )
    )
    for region, plan in regional.items():
        await plans.link_plan(
            stores,
            caller=member(f"f-{region}", region, "facilitator"),
            plan_id=plan.id,
            parent_plan_id=national.id,
        )

    north_west = await plans.plan_rollup(stores, regional["NW"].id)
    assert north_west.plans == 3
    assert {c.plan_id for c in north_west.children} == {c.id for _, c in locals_[0::2]}
    assert north_west.milestones_overdue == 3
    assert north_west.evidence == 3
    whole = await plans.plan_rollup(stores, national.id)
    assert whole.plans == 8  # two regional plans and six local ones, each once
    assert len(whole.children) == 2
    assert whole.by_rag == {"red": 2, "amber": 2, "green": 2, "unrated": 2}
    assert whole.milestones_overdue == 6
    assert isinstance(stores.plans, InMemoryPlans)
    linked = [f for f in stores.plans.published if isinstance(f, fact.PlanLinked)]
    assert len(linked) == 8  # the redelivered links recorded nothing


async def test_a_missed_milestone_is_reported_once(stores: Stores) -> None:
    facilitator = member("f", "LDN", "facilitator")
    created = await create(stores, facilitator)
    await plans.add_milestone(
        stores,
        caller=facilitator,
        plan_id=created.id,
        title="Every trust has a KM lead",
        target_on=(NOW - timedelta(days=1)).date(),
    )
    await plans.add_milestone(
        stores, caller=facilitator, plan_id=created.id, title="Later", target_on=NOW.date()
    )
    assert await plans.report_overdue(stores) == 1
    assert await plans.report_overdue(stores) == 0
    assert isinstance(stores.plans, InMemoryPlans)
    (missed,) = [f for f in stores.plans.published if isinstance(f, fact.PlanMilestoneMissed)]
    assert (missed.milestone_title, missed.owner_member_id) == ("Every trust has a KM lead", "f")
