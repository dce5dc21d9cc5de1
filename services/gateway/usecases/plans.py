"""Plans: the list with its filters, starting a plan at my scope (my organisation, my region,
national: the recommendations service decides who may), a plan's page (its team by name,
whether I lead it, whether I follow it), changing its status and reporting progress."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from services.gateway.clients import Clients
from services.gateway.clients.models import recommendations as r
from services.gateway.clients.operations import request
from services.gateway.domain.ratings import rag_words
from services.gateway.usecases.conversations import Panel, panel
from services.gateway.usecases.names import member_names
from services.gateway.usecases.resonance import catalogue, follows_of, titles
from shared.caller import Caller
from shared.errors import Forbidden, Invalid
from shared.pagination import MAX_PAGE_SIZE
from shared.reference import regions

PLANS_PAGE = 20


LEVELS = {"organisation": "Local", "region": "Regional", "national": "National"}


@dataclass(frozen=True)
class PlanList:
    page: r.PagePlanRow
    titles: dict[str, str]
    organisations: dict[str, str]  # the names of the local plans' organisations
    organisation: str  # the name of the organisation filtered by, if any


async def plans(
    clients: Clients,
    caller: Caller,
    *,
    code: str,
    region: str,
    status: str,
    mine: bool,
    cursor: str | None,
    level: str = "",
    organisation: str = "",
) -> PlanList:
    scope = "organisation" if organisation else (level if level in LEVELS else None)
    page, found = await asyncio.gather(
        clients.recommendations.plans(
            caller,
            code=code,
            region=region,
            status=status,
            lead=caller.member_id if mine else None,
            scope=scope,
            scope_id=organisation or None,
            cursor=cursor,
            limit=PLANS_PAGE,
        ),
        catalogue(clients, caller),
    )
    local = [p.scope_id for p in page.items if p.scope == "organisation"]
    if organisation:
        local.append(organisation)
    named = await clients.membership.organisations_named(local)
    names = {i: o.name for i, o in named.items()}
    return PlanList(page, titles(found), names, names.get(organisation, ""))


async def choices(clients: Clients, caller: Caller) -> dict[str, str]:
    """The recommendations a plan may put into practice, as the form lists them."""
    return {rec.code: f"{rec.code}: {rec.title}" for rec in await catalogue(clients, caller)}


@dataclass(frozen=True)
class Scopes:
    """The levels this person may start a plan at, in words, and what would open the local one."""

    offered: dict[str, str]
    no_organisation: bool  # they could start a local plan once their profile names theirs


async def scopes(clients: Clients, caller: Caller) -> Scopes:
    """Local: any member for their own active organisation. Regional: the region's
    facilitators and core group. National: sponsors. Operators: region and nation."""
    me = await clients.membership.member(caller, caller.member_id)
    offered: dict[str, str] = {}
    if me.organisation_id:
        named = await clients.membership.organisations_named([me.organisation_id])
        mine = named.get(me.organisation_id)
        if mine is not None and mine.status == "active":
            offered["organisation"] = f"Local: {mine.name}"
    region = regions().get(caller.region or "")
    leads_region = caller.has("facilitator") or caller.has("core") or caller.has("operator")
    if region is not None and leads_region:
        offered["region"] = f"Regional: {region.name}"
    if caller.has("sponsor") or caller.has("operator"):
        offered["national"] = "National"
    return Scopes(offered, no_organisation=not me.organisation_id)


async def start(
    clients: Clients, caller: Caller, *, code: str, scope: str, goal: str
) -> r.PlanView:
    """A plan for my organisation (as my profile names it), my region, or the nation.
    Invalid `no_organisation` when an organisation plan is asked without one."""
    fields: dict[str, object] = {"code": code, "scope": scope, "goal": goal}
    if scope == "organisation":
        me = await clients.membership.member(caller, caller.member_id)
        if not me.organisation_id:
            raise Invalid(
                "no_organisation", "Your profile names no organisation: choose region or national"
            )
        fields |= {"scope_id": me.organisation_id, "region": me.region}
    elif scope == "region":
        fields |= {"scope_id": caller.region}
    return await clients.recommendations.start_plan(caller, request(r.PlanIn, **fields))


@dataclass(frozen=True)
class PlanPage:
    plan: r.PlanView
    names: dict[str, str]
    team: list[str]
    leads: bool  # on its team, or a facilitator of its region: may change and report on it
    following: bool
    conversations: Panel
    parent: r.PlanView | None  # the plan a level up it contributes to
    offered: r.PlanRow | None  # the plan a level up it could contribute to, when not linked
    rollup: r.RollUpView
    places: dict[str, str]  # organisation ids -> names, for the plans below and this one


async def plan_page(clients: Clients, caller: Caller, plan_id: str) -> PlanPage:
    plan, follows, talk, rollup = await asyncio.gather(
        clients.recommendations.plan(caller, plan_id),
        follows_of(clients, caller),
        panel(clients, caller, "plan", plan_id),
        clients.recommendations.rollup(caller, plan_id),
    )
    team = [plan.owner_member_id, *plan.co_lead_member_ids]
    authors = [str(u["by"]) for u in plan.updates]
    leads = caller.member_id in team or caller.governs(plan.region)
    parent = offered = None
    if plan.parent_plan_id:
        parent = await clients.recommendations.plan(caller, plan.parent_plan_id)
    elif plan.scope != "national" and leads:
        offered = await clients.recommendations.parent_offered(caller, plan_id)
    local = [c.scope_id for c in rollup.children if c.scope == "organisation"]
    if plan.scope == "organisation":
        local.append(plan.scope_id)
    names, named = await asyncio.gather(
        member_names(clients, caller, [*team, *authors]),
        clients.membership.organisations_named(local),
    )
    return PlanPage(
        plan=plan,
        names=names,
        team=team,
        leads=leads,
        following=("plan", plan_id) in follows,
        conversations=talk,
        parent=parent,
        offered=offered,
        rollup=rollup,
        places={i: o.name for i, o in named.items()},
    )


async def link(clients: Clients, caller: Caller, plan_id: str, parent_plan_id: str | None) -> None:
    await clients.recommendations.link_plan(caller, plan_id, parent_plan_id)


async def change_status(
    clients: Clients, caller: Caller, plan_id: str, *, status: str, note: str
) -> None:
    await clients.recommendations.change_status(caller, plan_id, status=status, note=note)


async def report_progress(
    clients: Clients,
    caller: Caller,
    plan_id: str,
    *,
    summary: str,
    rag: str,
    evidence_links: list[str],
) -> None:
    await clients.recommendations.report_progress(
        caller, plan_id, summary=summary, rag=rag, evidence_links=evidence_links
    )


EXPORT_BOUND = 2000  # plans in one region's file; a region has hundreds at national scale
EXPORT_COLUMNS = (
    "Plan",
    "Recommendation",
    "Level",
    "Organisation",
    "Region",
    "Goal",
    "Status",
    "RAG",
    "Owner",
    "Counts in plan",
    "Milestones",
    "Milestones reached",
    "Milestones overdue",
    "Milestone dates",
    "Latest progress on",
    "Latest progress",
    "Evidence",
)


def may_export(caller: Caller, region: str) -> bool:
    """The region's facilitators and sponsors, and operators: those who report to boards."""
    in_region = caller.region == region and (caller.has("facilitator") or caller.has("sponsor"))
    return in_region or caller.has("operator")


async def region_export(
    clients: Clients, caller: Caller, region: str, today: date
) -> list[list[str]]:
    """A region's plans (local and regional), one row each, as a KM lead reports to a board:
    Forbidden `not_permitted` for anyone else."""
    if region not in regions() or not may_export(caller, region):
        raise Forbidden("not_permitted", "Only the region's facilitators and sponsors export it")
    rows: list[r.PlanRow] = []
    cursor: str | None = None
    while len(rows) < EXPORT_BOUND:
        page = await clients.recommendations.plans(
            caller, region=region, cursor=cursor, limit=MAX_PAGE_SIZE
        )
        rows += page.items
        cursor = page.next_cursor
        if not cursor:
            break
    gate = asyncio.Semaphore(8)

    async def full(plan_id: str) -> r.PlanView:
        async with gate:
            return await clients.recommendations.plan(caller, plan_id)

    plans = await asyncio.gather(*(full(p.id) for p in rows[:EXPORT_BOUND]))
    owners = await member_names(clients, caller, [p.owner_member_id for p in plans])
    named = await clients.membership.organisations_named(
        [p.scope_id for p in plans if p.scope == "organisation"]
    )
    return [list(EXPORT_COLUMNS)] + [
        _export_row(p, owners, {i: o.name for i, o in named.items()}, today) for p in plans
    ]


def _export_row(
    plan: r.PlanView, owners: dict[str, str], organisations: dict[str, str], today: date
) -> list[str]:
    milestones = plan.milestones
    reached = [m for m in milestones if m.get("reached_at")]
    overdue = [
        m for m in milestones if not m.get("reached_at") and str(m["target_on"]) < today.isoformat()
    ]
    latest = plan.updates[-1] if plan.updates else {}
    evidence = sum(len(u.get("evidence_links", [])) for u in plan.updates)
    return [
        plan.id,
        plan.code,
        LEVELS.get(plan.scope, plan.scope),
        organisations.get(plan.scope_id, "") if plan.scope == "organisation" else "",
        regions()[plan.region].name if plan.region in regions() else "",
        plan.goal,
        plan.status.capitalize(),
        rag_words(plan.rag),
        owners.get(plan.owner_member_id, ""),
        plan.parent_plan_id or "",
        str(len(milestones)),
        str(len(reached)),
        str(len(overdue)),
        "; ".join(f"{m['title']} ({m['target_on']})" for m in milestones),
        str(latest.get("at", ""))[:10],
        str(latest.get("summary", "")),
        str(evidence + len(plan.case_study_ids)),
    ]
