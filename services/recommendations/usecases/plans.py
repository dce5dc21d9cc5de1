"""Implementation plans: created at a scope, changed by their leads and the region's
authority, overdue actions reported once; and the adoption view over all of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from services.recommendations.domain.adoption import Adoption, adoption
from services.recommendations.domain.permissions import (
    may_create_plan,
    may_edit_plan,
    out_of_scope,
)
from services.recommendations.domain.plan import Plan, Rag, Scope, Status, parent_place
from services.recommendations.domain.queries import PlanListing
from services.recommendations.domain.rollup import RollUp, roll_up, roll_up_kept, tally
from services.recommendations.stores import Stores
from services.recommendations.usecases.case_studies import case_study
from services.recommendations.usecases.catalogue import recommendation
from shared.caller import Caller
from shared.errors import Busy, Conflict, Forbidden, Invalid, NotFound
from shared.reference import region_codes
from shared.retry import change

NATIONAL = "national"


async def create_plan(
    stores: Stores,
    *,
    caller: Caller,
    code: str,
    scope: Scope,
    scope_id: str | None,
    region: str | None,
    owner_member_id: str | None,
    co_lead_member_ids: list[str],
    goal: str,
) -> Plan:
    found = await recommendation(stores, code)
    if not found.active:
        raise Conflict("recommendation_retired", f"{code} is retired; it takes no new plans")
    scope_id, region = _place(scope, scope_id, region)
    member = await stores.members.get(caller.member_id)
    organisation = member.organisation_id if member else None
    allowed = may_create_plan(
        caller, scope=scope, scope_id=scope_id, region=region, organisation_id=organisation
    )
    if not allowed:
        raise Forbidden("scope_not_permitted", f"You cannot act for {scope.value} {scope_id}")
    # Whoever may start it may own it; anyone else named to lead it comes from its scope.
    named = [m for m in [owner_member_id, *co_lead_member_ids] if m and m != caller.member_id]
    await require_leads_in_scope(stores, scope, scope_id, named)
    plan = Plan.propose(
        plan_id=stores.new_id(),
        code=code,
        scope=scope,
        scope_id=scope_id,
        region=region,
        owner_member_id=owner_member_id or caller.member_id,
        co_lead_member_ids=co_lead_member_ids,
        goal=goal,
        by=caller.member_id,
        now=stores.clock.now(),
    )
    await stores.plans.add(plan)
    return plan


async def require_leads_in_scope(
    stores: Stores, scope: Scope, scope_id: str, leads: list[str]
) -> None:
    """Invalid `leads_out_of_scope` naming those who are not of the plan's scope."""
    if not leads:
        return
    known = {}
    for member_id in dict.fromkeys(leads):
        found = await stores.members.get(member_id)
        known[member_id] = (found.region, found.organisation_id) if found and found.active else None
    outside = out_of_scope(scope, scope_id, known)
    if outside:
        where = {Scope.ORGANISATION: "the organisation", Scope.REGION: "the region"}
        raise Invalid(
            "leads_out_of_scope",
            f"A plan's leads are members of {where.get(scope, 'the network')}: "
            f"not {', '.join(outside)}",
        )


def _place(scope: Scope, scope_id: str | None, region: str | None) -> tuple[str, str | None]:
    """The plan's scope id and region, checked for its scope."""
    if scope is Scope.NATIONAL:
        return NATIONAL, None
    if scope is Scope.REGION:
        scope_id = scope_id or region
        if scope_id not in region_codes():
            raise Invalid("unknown_region", f"'{scope_id}' is not a region")
        if region not in (None, scope_id):
            raise Invalid("region_mismatch", "A region's plan is in that region")
        return scope_id, scope_id
    if not scope_id:
        raise Invalid("scope_id_required", "Name the organisation (its id)")
    if region not in region_codes():
        raise Invalid("unknown_region", "An organisation's plan names the organisation's region")
    return scope_id, region


async def plan(stores: Stores, plan_id: str) -> Plan:
    found = await stores.plans.get(plan_id)
    if found is None:
        raise NotFound("plan_not_found", f"No plan {plan_id}")
    return found


PlanChange = Callable[[Plan, str, datetime], object]


async def change_plan(stores: Stores, *, caller: Caller, plan_id: str, change: PlanChange) -> Plan:
    """Loads, checks the caller may edit, applies `change(plan, by, now)`, saves it with its
    facts when anything changed (retrying when someone else saved first)."""

    def decide(found: Plan) -> None:
        if not may_edit_plan(caller, found):
            raise Forbidden(
                "not_permitted", "Only its owner, co-leads, the region's facilitators or operators"
            )
        change(found, caller.member_id, stores.clock.now())

    changed = await _change(
        stores, plan_id, decide, busy="Others are changing this plan right now; try again"
    )
    # The plan above keeps what this one adds to it (a regional plan, for the national one).
    await refresh_tally(stores, changed.parent_plan_id)
    return changed


async def _change(
    stores: Stores, plan_id: str, decide: Callable[[Plan], object], *, busy: str
) -> Plan:
    return await change(stores.plans, lambda: plan(stores, plan_id), decide, busy=busy)


async def revise_plan(
    stores: Stores,
    *,
    caller: Caller,
    plan_id: str,
    goal: str | None,
    owner_member_id: str | None,
    co_lead_member_ids: list[str] | None,
) -> Plan:
    current = await plan(stores, plan_id)
    newcomers = [
        m for m in [owner_member_id, *(co_lead_member_ids or [])] if m and m not in current.leads()
    ]
    if newcomers:  # who leads already stays (they may since have moved on)
        await require_leads_in_scope(stores, current.scope, current.scope_id, newcomers)
    return await change_plan(
        stores,
        caller=caller,
        plan_id=plan_id,
        change=lambda p, by, now: p.revise(
            by=by,
            now=now,
            goal=goal,
            owner_member_id=owner_member_id,
            co_lead_member_ids=co_lead_member_ids,
        ),
    )


async def add_action(
    stores: Stores,
    *,
    caller: Caller,
    plan_id: str,
    title: str,
    owner_member_id: str | None,
    due_on: date,
) -> Plan:
    action_id, owner = stores.new_id(), owner_member_id or caller.member_id
    return await change_plan(
        stores,
        caller=caller,
        plan_id=plan_id,
        change=lambda p, by, now: p.add_action(
            action_id=action_id, title=title, owner_member_id=owner, due_on=due_on, by=by, now=now
        ),
    )


async def complete_action(stores: Stores, *, caller: Caller, plan_id: str, action_id: str) -> Plan:
    return await change_plan(
        stores,
        caller=caller,
        plan_id=plan_id,
        change=lambda p, by, now: p.complete_action(action_id=action_id, by=by, now=now),
    )


async def add_milestone(
    stores: Stores, *, caller: Caller, plan_id: str, title: str, target_on: date
) -> Plan:
    milestone_id = stores.new_id()
    return await change_plan(
        stores,
        caller=caller,
        plan_id=plan_id,
        change=lambda p, by, now: p.add_milestone(
            milestone_id=milestone_id, title=title, target_on=target_on, by=by, now=now
        ),
    )


async def reach_milestone(
    stores: Stores, *, caller: Caller, plan_id: str, milestone_id: str
) -> Plan:
    return await change_plan(
        stores,
        caller=caller,
        plan_id=plan_id,
        change=lambda p, by, now: p.reach_milestone(milestone_id=milestone_id, by=by, now=now),
    )


async def change_status(
    stores: Stores, *, caller: Caller, plan_id: str, status: Status, note: str
) -> Plan:
    return await change_plan(
        stores,
        caller=caller,
        plan_id=plan_id,
        change=lambda p, by, now: p.change_status(to=status, note=note, by=by, now=now),
    )


async def report_progress(
    stores: Stores,
    *,
    caller: Caller,
    plan_id: str,
    summary: str,
    rag: Rag,
    evidence_links: list[str],
) -> Plan:
    return await change_plan(
        stores,
        caller=caller,
        plan_id=plan_id,
        change=lambda p, by, now: p.report_progress(
            summary=summary, rag=rag, evidence_links=evidence_links, by=by, now=now
        ),
    )


async def plans_page(
    stores: Stores, *, listing: PlanListing, cursor: str | None, limit: int
) -> tuple[list[Plan], str | None]:
    return await stores.plans.page(listing, cursor=cursor, limit=limit)


async def attach_case_study(
    stores: Stores, *, caller: Caller, plan_id: str, case_study_id: str
) -> Plan:
    await case_study(stores, case_study_id)
    return await change_plan(
        stores,
        caller=caller,
        plan_id=plan_id,
        change=lambda p, by, now: p.attach_case_study(case_study_id=case_study_id, by=by, now=now),
    )


async def report_overdue(stores: Stores) -> int:
    """plan.overdue for every action past its due date, plan.milestone_missed for every
    milestone past its date, once each across replicas (the versioned plan write lets one
    replica report it). Returns how many this call reported."""
    now = stores.clock.now()
    reported = 0
    for plan_id in await stores.plans.with_overdue_actions(now.date()):
        reported += await _report_overdue(stores, plan_id, now)
    return reported


async def _report_overdue(stores: Stores, plan_id: str, now: datetime) -> int:
    reported: list[int] = []  # one per attempt: the last is the one saved

    def decide(found: Plan) -> None:
        today = now.date()
        late = found.report_overdue(today=today, now=now)
        reported.append(len(late) + len(found.report_missed(today=today, now=now)))

    try:
        await _change(stores, plan_id, decide, busy=f"Plan {plan_id} kept changing")
    except Busy:
        return 0  # contended: the next round reports it
    return reported[-1]


async def adoption_view(stores: Stores) -> list[Adoption]:
    codes = [r.code for r in await stores.catalogue.all()]
    return adoption(await stores.plans.summaries(), codes)


async def follow_merge(
    stores: Stores, *, organisation_id: str, into_organisation_id: str, page: int = 200
) -> int:
    """An organisation merged into another: its plans belong to that one now; how many moved.
    Idempotent (a moved plan is no longer the merged organisation's), so a redelivered fact
    finishes what a crash left."""
    listing = PlanListing(scope=Scope.ORGANISATION, scope_id=organisation_id)
    moved = 0
    while True:
        found, _ = await stores.plans.page(listing, cursor=None, limit=page)
        if not found:
            return moved
        for each in found:

            async def load(plan_id: str = each.id) -> Plan:
                return await plan(stores, plan_id)

            await change(
                stores.plans,
                load,
                lambda p: p.follow_merge(
                    from_organisation_id=organisation_id,
                    into_organisation_id=into_organisation_id,
                    now=stores.clock.now(),
                ),
            )
            moved += 1


async def link_plan(
    stores: Stores, *, caller: Caller, plan_id: str, parent_plan_id: str | None
) -> Plan:
    """The plan's leads say which plan a level up it contributes to (None: none)."""
    parent = await plan(stores, parent_plan_id) if parent_plan_id else None
    before = (await plan(stores, plan_id)).parent_plan_id
    linked = await change_plan(
        stores,
        caller=caller,
        plan_id=plan_id,
        change=lambda p, by, now: p.link_to(parent, by=by, now=now),
    )
    if before and before != linked.parent_plan_id:
        await refresh_tally(stores, before)  # the plan it no longer counts in
    return linked


async def parent_offered(stores: Stores, found: Plan) -> Plan | None:
    """The plan a level up for the same recommendation, if there is one: what the plan's
    page offers to contribute to."""
    place = parent_place(found)
    if place is None:
        return None
    scope, scope_id = place
    listing = PlanListing(code=found.code, scope=scope, scope_id=scope_id)
    candidates, _ = await stores.plans.page(listing, cursor=None, limit=1)
    return candidates[0] if candidates else None


async def plan_rollup(stores: Stores, plan_id: str) -> RollUp:
    """What the plans below add up to: those contributing to it, and to those (a national
    plan's regional plans and their local plans). A regional plan's is computed from its
    plans each time; a national plan's reads what each regional plan keeps of its own (and
    computes, for one that keeps nothing yet)."""
    found = await plan(stores, plan_id)
    today = stores.clock.now().date()
    below = await stores.plans.contributing_to([found.id])
    if found.scope is not Scope.NATIONAL or not below:
        return roll_up(found.id, below, today)
    kept = await stores.plans.kept_tallies([c.plan_id for c in below])
    missing = [c.plan_id for c in below if c.plan_id not in kept]
    if missing:
        further = await stores.plans.contributing_to(missing)
        for child_id in missing:
            kept[child_id] = tally([c for c in further if c.parent_plan_id == child_id])
    return roll_up_kept(found.id, below, kept, today)


async def refresh_tally(stores: Stores, plan_id: str | None) -> None:
    """Recomputes what a plan keeps of the plans below it, after one of them changed. The
    ticket is taken before the read, so a recomputation that read earlier never overwrites
    one that read later: the last change's own recomputation, which starts after it was
    saved, is the one that stays."""
    if not plan_id:
        return
    ticket = await stores.plans.tally_ticket(plan_id)
    below = await stores.plans.contributing_to([plan_id])
    await stores.plans.keep_tally(plan_id, tally(below), ticket)
