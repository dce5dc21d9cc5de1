"""HTTP routes for implementation plans and the adoption view."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from services.recommendations.api import Link, MemberId, StoresDep, Title
from services.recommendations.domain.adoption import Tally
from services.recommendations.domain.plan import TRANSITIONS, Plan, Rag, Scope, Status
from services.recommendations.domain.queries import PlanListing
from services.recommendations.usecases import plans as usecases
from shared.auth import MEMBERS, CurrentCaller
from shared.pagination import Limit, Page
from shared.requests import Cursor, Paragraphs, Region, RegionFilter, RequestModel, WordFilter
from shared.text import WITHOUT_CONTROL_CHARACTERS

router = APIRouter(prefix="/v1")


class PlanIn(RequestModel):
    code: str = Field(max_length=16, examples=["R4"])
    scope: Scope
    scope_id: str | None = Field(
        None, max_length=64, description="Region code or organisation id; none for national"
    )
    region: Region | None = Field(None, description="An organisation's region")
    owner_member_id: MemberId | None = None
    co_lead_member_ids: list[MemberId] = Field(default_factory=list, max_length=10)
    goal: Paragraphs = Field(min_length=1, max_length=2000)


class PlanRevision(RequestModel):
    goal: Paragraphs | None = Field(None, min_length=1, max_length=2000)
    owner_member_id: MemberId | None = None
    co_lead_member_ids: list[MemberId] | None = Field(None, max_length=10)


class ActionIn(RequestModel):
    title: Title
    owner_member_id: MemberId | None = None
    due_on: date


class MilestoneIn(RequestModel):
    title: Title
    target_on: date


class StatusChange(RequestModel):
    status: Status
    note: Paragraphs = Field("", max_length=2000)


class ProgressIn(RequestModel):
    summary: Paragraphs = Field(min_length=1, max_length=5000)
    rag: Rag
    evidence_links: list[Link] = Field(default_factory=list, max_length=10)


class Attachment(RequestModel):
    case_study_id: str = Field(max_length=64)


class PlanRow(BaseModel):
    id: str
    code: str
    scope: str
    scope_id: str
    region: str | None
    owner_member_id: str
    goal: str
    status: str
    rag: str | None
    parent_plan_id: str | None = Field(
        None, description="The plan a level up it contributes to (same recommendation)"
    )

    @classmethod
    def of(cls, p: Plan) -> PlanRow:
        return cls(
            id=p.id,
            code=p.code,
            scope=p.scope.value,
            scope_id=p.scope_id,
            region=p.region,
            owner_member_id=p.owner_member_id,
            goal=p.goal,
            status=p.status.value,
            rag=p.rag.value if p.rag else None,
            parent_plan_id=p.parent_plan_id,
        )


class PlanView(PlanRow):
    co_lead_member_ids: list[str]
    actions: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    updates: list[dict[str, Any]]
    case_study_ids: list[str]
    history: list[dict[str, Any]]
    allowed_next: list[str]

    @classmethod
    def full(cls, p: Plan) -> PlanView:
        return cls(
            **PlanRow.of(p).model_dump(),
            co_lead_member_ids=p.co_lead_member_ids,
            actions=[
                {
                    "id": a.id,
                    "title": a.title,
                    "owner_member_id": a.owner_member_id,
                    "due_on": a.due_on,
                    "done_at": a.done_at,
                    "overdue": a.overdue_reported and a.done_at is None,
                }
                for a in p.actions
            ],
            milestones=[
                {"id": m.id, "title": m.title, "target_on": m.target_on, "reached_at": m.reached_at}
                for m in p.milestones
            ],
            updates=[
                {
                    "at": u.at,
                    "by": u.by,
                    "summary": u.summary,
                    "rag": u.rag.value,
                    "evidence_links": list(u.evidence_links),
                }
                for u in p.updates
            ],
            case_study_ids=p.case_study_ids,
            history=[{"at": h.at, "by": h.by, "what": h.what, **h.detail} for h in p.history],
            allowed_next=sorted(s.value for s in TRANSITIONS[p.status]),
        )


@router.post("/plans", dependencies=[MEMBERS], status_code=status.HTTP_201_CREATED)
async def create_plan(body: PlanIn, stores: StoresDep, caller: CurrentCaller) -> PlanView:
    created = await usecases.create_plan(stores, caller=caller, **body.model_dump())
    return PlanView.full(created)


@router.get("/plans", dependencies=[MEMBERS])
async def plans(
    stores: StoresDep,
    _: CurrentCaller,
    code: WordFilter = None,
    region: RegionFilter = None,
    scope: Scope | None = None,
    status: Status | None = None,
    lead: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=WITHOUT_CONTROL_CHARACTERS,
            description="Owned or co-led by this member",
        ),
    ] = None,
    scope_id: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=WITHOUT_CONTROL_CHARACTERS,
            description="An organisation's plans (with scope=organisation), or a region's",
        ),
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[PlanRow]:
    listing = PlanListing(
        code=code, region=region, scope=scope, status=status, lead=lead, scope_id=scope_id
    )
    found, next_cursor = await usecases.plans_page(
        stores, listing=listing, cursor=cursor, limit=limit
    )
    return Page(items=[PlanRow.of(p) for p in found], next_cursor=next_cursor)


@router.get("/plans/{plan_id}", dependencies=[MEMBERS])
async def plan(plan_id: str, stores: StoresDep, _: CurrentCaller) -> PlanView:
    return PlanView.full(await usecases.plan(stores, plan_id))


@router.patch("/plans/{plan_id}", dependencies=[MEMBERS])
async def revise_plan(
    plan_id: str, body: PlanRevision, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    changed = await usecases.revise_plan(
        stores, caller=caller, plan_id=plan_id, **body.model_dump()
    )
    return PlanView.full(changed)


@router.post(
    "/plans/{plan_id}/actions", dependencies=[MEMBERS], status_code=status.HTTP_201_CREATED
)
async def add_action(
    plan_id: str, body: ActionIn, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    changed = await usecases.add_action(stores, caller=caller, plan_id=plan_id, **body.model_dump())
    return PlanView.full(changed)


@router.post("/plans/{plan_id}/actions/{action_id}/done", dependencies=[MEMBERS])
async def action_done(
    plan_id: str, action_id: str, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    changed = await usecases.complete_action(
        stores, caller=caller, plan_id=plan_id, action_id=action_id
    )
    return PlanView.full(changed)


@router.post(
    "/plans/{plan_id}/milestones", dependencies=[MEMBERS], status_code=status.HTTP_201_CREATED
)
async def add_milestone(
    plan_id: str, body: MilestoneIn, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    changed = await usecases.add_milestone(
        stores, caller=caller, plan_id=plan_id, **body.model_dump()
    )
    return PlanView.full(changed)


@router.post("/plans/{plan_id}/milestones/{milestone_id}/reached", dependencies=[MEMBERS])
async def milestone_reached(
    plan_id: str, milestone_id: str, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    changed = await usecases.reach_milestone(
        stores, caller=caller, plan_id=plan_id, milestone_id=milestone_id
    )
    return PlanView.full(changed)


@router.post("/plans/{plan_id}/status", dependencies=[MEMBERS])
async def change_status(
    plan_id: str, body: StatusChange, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    changed = await usecases.change_status(
        stores, caller=caller, plan_id=plan_id, **body.model_dump()
    )
    return PlanView.full(changed)


@router.post(
    "/plans/{plan_id}/progress", dependencies=[MEMBERS], status_code=status.HTTP_201_CREATED
)
async def report_progress(
    plan_id: str, body: ProgressIn, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    changed = await usecases.report_progress(
        stores, caller=caller, plan_id=plan_id, **body.model_dump()
    )
    return PlanView.full(changed)


@router.post("/plans/{plan_id}/case-studies", dependencies=[MEMBERS])
async def attach_case_study(
    plan_id: str, body: Attachment, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    changed = await usecases.attach_case_study(
        stores, caller=caller, plan_id=plan_id, case_study_id=body.case_study_id
    )
    return PlanView.full(changed)


class TallyView(BaseModel):
    plans: int
    by_status: dict[str, int]
    by_rag: dict[str, int]

    @classmethod
    def of(cls, tally: Tally) -> TallyView:
        return cls(plans=tally.plans, by_status=dict(tally.by_status), by_rag=dict(tally.by_rag))


class AdoptionRow(BaseModel):
    code: str
    national: TallyView
    regions: dict[str, TallyView]


@router.get("/adoption", dependencies=[MEMBERS])
async def adoption(stores: StoresDep, _: CurrentCaller) -> list[AdoptionRow]:
    """For each recommendation: plans by status and latest RAG per region, and nationally."""
    return [
        AdoptionRow(
            code=row.code,
            national=TallyView.of(row.national),
            regions={region: TallyView.of(t) for region, t in row.regions.items()},
        )
        for row in await usecases.adoption_view(stores)
    ]


class ParentIn(RequestModel):
    parent_plan_id: str | None = Field(
        max_length=64, description="The plan a level up to contribute to; null: to none"
    )


class ContributionView(BaseModel):
    plan_id: str
    scope: str
    scope_id: str
    region: str | None
    status: str
    rag: str | None
    milestones: int
    milestones_overdue: int


class RollUpView(BaseModel):
    """What the plans below add up to (those contributing to it, and to those)."""

    plans: int
    by_status: dict[str, int]
    by_rag: dict[str, int] = Field(description="red, amber, green, unrated")
    milestones: int
    milestones_reached: int
    milestones_due: int = Field(description="Not reached, due within 30 days")
    milestones_overdue: int
    evidence: int = Field(description="Evidence links reported and case studies attached")
    children: list[ContributionView] = Field(description="The plans directly below")


@router.post("/plans/{plan_id}/parent", dependencies=[MEMBERS])
async def link_plan(
    plan_id: str, body: ParentIn, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    """The plan's leads choose the plan a level up it contributes to (`plan.linked`)."""
    linked = await usecases.link_plan(
        stores, caller=caller, plan_id=plan_id, parent_plan_id=body.parent_plan_id
    )
    return PlanView.full(linked)


@router.get("/plans/{plan_id}/parent-offered", dependencies=[MEMBERS])
async def parent_offered(plan_id: str, stores: StoresDep, _: CurrentCaller) -> PlanRow | None:
    """The plan a level up for the same recommendation, if there is one."""
    offered = await usecases.parent_offered(stores, await usecases.plan(stores, plan_id))
    return PlanRow.of(offered) if offered else None


@router.get("/plans/{plan_id}/rollup", dependencies=[MEMBERS])
async def plan_rollup(plan_id: str, stores: StoresDep, _: CurrentCaller) -> RollUpView:
    found = await usecases.plan_rollup(stores, plan_id)
    today = stores.clock.now().date()
    return RollUpView(
        plans=found.plans,
        by_status=found.by_status,
        by_rag=found.by_rag,
        milestones=found.milestones,
        milestones_reached=found.milestones_reached,
        milestones_due=found.milestones_due,
        milestones_overdue=found.milestones_overdue,
        evidence=found.evidence,
        children=[
            ContributionView(
                plan_id=c.plan_id,
                scope=c.scope,
                scope_id=c.scope_id,
                region=c.region,
                status=c.status,
                rag=c.rag,
                milestones=len(c.milestones),
                milestones_overdue=sum(1 for t, met in c.milestones if not met and t < today),
            )
            for c in found.children
        ],
    )
