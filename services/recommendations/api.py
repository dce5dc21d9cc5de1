"""HTTP routes (called by the gateway with an internal token)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, Field

from services.recommendations import usecases
from services.recommendations.domain.adoption import Tally
from services.recommendations.domain.case_study import CaseStudy
from services.recommendations.domain.catalogue import Recommendation
from services.recommendations.domain.plan import TRANSITIONS, Plan, Rag, Scope, Status
from services.recommendations.repository import Ballot
from services.recommendations.usecases import CaseStudySearch, PlanChange, PlanListing, Stores
from shared.auth import Caller, CurrentCaller
from shared.pagination import MAX_PAGE_SIZE, Page

router = APIRouter(prefix="/v1")

Title = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=5000)]
Link = Annotated[str, Field(max_length=500)]
MemberId = Annotated[str, Field(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


def get_stores(request: Request) -> Stores:
    stores: Stores = request.app.state.stores
    return stores


StoresDep = Annotated[Stores, Depends(get_stores)]


# --- catalogue ---------------------------------------------------------------------------


class RecommendationIn(BaseModel):
    code: str = Field(max_length=16, examples=["R6"])
    title: Title
    description: Text = ""
    aims: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=10)
    challenges: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=20
    )
    source: str = Field(max_length=300, examples=["A later KM report (2027)"])


class Retirement(BaseModel):
    reason: str = Field(max_length=1000)


class RecommendationView(BaseModel):
    code: str
    title: str
    description: str
    aims: list[str]
    challenges: list[str]
    source: str
    status: str
    retired_reason: str | None

    @classmethod
    def of(cls, r: Recommendation) -> RecommendationView:
        return cls(
            code=r.code,
            title=r.title,
            description=r.description,
            aims=list(r.aims),
            challenges=list(r.challenges),
            source=r.source,
            status=r.status.value,
            retired_reason=r.retired_reason,
        )


@router.get("/recommendations")
async def recommendations(
    stores: StoresDep, _: CurrentCaller, include_retired: bool = False
) -> list[RecommendationView]:
    found = await stores.catalogue.all()
    return [RecommendationView.of(r) for r in found if include_retired or r.active]


@router.post("/recommendations", status_code=status.HTTP_201_CREATED)
async def add_recommendation(
    body: RecommendationIn, stores: StoresDep, caller: CurrentCaller
) -> RecommendationView:
    added = await usecases.add_recommendation(stores, caller=caller, **body.model_dump())
    return RecommendationView.of(added)


@router.get("/recommendations/{code}")
async def recommendation(code: str, stores: StoresDep, _: CurrentCaller) -> RecommendationView:
    return RecommendationView.of(await usecases.recommendation(stores, code))


@router.post("/recommendations/{code}/retire")
async def retire(
    code: str, body: Retirement, stores: StoresDep, caller: CurrentCaller
) -> RecommendationView:
    retired = await usecases.retire_recommendation(
        stores, caller=caller, code=code, reason=body.reason
    )
    return RecommendationView.of(retired)


# --- resonance ---------------------------------------------------------------------------


class RankingIn(BaseModel):
    codes: list[Annotated[str, Field(max_length=16)]] = Field(
        max_length=50, description="Best first", examples=[["R4", "R1", "R3"]]
    )


class BallotView(BaseModel):
    member_id: str
    codes: list[str]
    region: str | None
    updated_at: datetime

    @classmethod
    def of(cls, ballot: Ballot) -> BallotView:
        return cls(
            member_id=ballot.member_id,
            codes=list(ballot.ranking),
            region=ballot.region,
            updated_at=ballot.updated_at,
        )


class StandingView(BaseModel):
    code: str
    rank: int
    points: int
    endorsements: int
    first_preferences: int


class RankingsView(BaseModel):
    scope: str
    region: str | None
    ballots: int
    computed_at: datetime | None
    standings: list[StandingView]
    method: str = "modified Borda count: k - i points for position i of a k-code ballot"


@router.put("/members/me/ranking")
async def rank(body: RankingIn, stores: StoresDep, caller: CurrentCaller) -> BallotView:
    return BallotView.of(await usecases.endorse(stores, caller=caller, codes=body.codes))


@router.get("/members/me/ranking")
async def my_ranking(stores: StoresDep, caller: CurrentCaller) -> BallotView:
    return BallotView.of(await usecases.ballot_of(stores, caller=caller))


@router.delete("/members/me/ranking", status_code=status.HTTP_204_NO_CONTENT)
async def withdraw(stores: StoresDep, caller: CurrentCaller) -> None:
    await usecases.withdraw_ballot(stores, caller=caller)


@router.get("/rankings")
async def rankings(stores: StoresDep, _: CurrentCaller, region: str | None = None) -> RankingsView:
    return RankingsView(**await usecases.rankings(stores, region=region))


# --- plans -------------------------------------------------------------------------------


class PlanIn(BaseModel):
    code: str = Field(max_length=16, examples=["R4"])
    scope: Scope
    scope_id: str | None = Field(
        None, max_length=64, description="Region code or organisation id; none for national"
    )
    region: str | None = Field(None, max_length=8, description="An organisation's region")
    owner_member_id: MemberId | None = None
    co_lead_member_ids: list[MemberId] = Field(default_factory=list, max_length=10)
    goal: str = Field(min_length=1, max_length=2000)


class PlanRevision(BaseModel):
    goal: str | None = Field(None, min_length=1, max_length=2000)
    owner_member_id: MemberId | None = None
    co_lead_member_ids: list[MemberId] | None = Field(None, max_length=10)


class ActionIn(BaseModel):
    title: Title
    owner_member_id: MemberId | None = None
    due_on: date


class MilestoneIn(BaseModel):
    title: Title
    target_on: date


class StatusChange(BaseModel):
    status: Status
    note: str = Field("", max_length=2000)


class ProgressIn(BaseModel):
    summary: str = Field(min_length=1, max_length=5000)
    rag: Rag
    evidence_links: list[Link] = Field(default_factory=list, max_length=10)


class Attachment(BaseModel):
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


@router.post("/plans", status_code=status.HTTP_201_CREATED)
async def create_plan(body: PlanIn, stores: StoresDep, caller: CurrentCaller) -> PlanView:
    created = await usecases.create_plan(stores, caller=caller, **body.model_dump())
    return PlanView.full(created)


@router.get("/plans")
async def plans(
    stores: StoresDep,
    _: CurrentCaller,
    code: str | None = Query(None, max_length=16),
    region: str | None = Query(None, max_length=8),
    scope: Scope | None = None,
    status: Status | None = None,
    lead: str | None = Query(None, max_length=64, description="Owned or co-led by this member"),
    limit: Limit = 20,
    cursor: str | None = None,
) -> Page[PlanRow]:
    listing = PlanListing(code=code, region=region, scope=scope, status=status, lead=lead)
    found, next_cursor = await stores.plans.page(listing.criteria(), cursor=cursor, limit=limit)
    return Page(items=[PlanRow.of(p) for p in found], next_cursor=next_cursor)


@router.get("/plans/{plan_id}")
async def plan(plan_id: str, stores: StoresDep, _: CurrentCaller) -> PlanView:
    return PlanView.full(await usecases.plan(stores, plan_id))


async def edit(stores: Stores, caller: Caller, plan_id: str, change: PlanChange) -> PlanView:
    return PlanView.full(
        await usecases.change_plan(stores, caller=caller, plan_id=plan_id, change=change)
    )


@router.patch("/plans/{plan_id}")
async def revise_plan(
    plan_id: str, body: PlanRevision, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    return await edit(
        stores, caller, plan_id, lambda p, by, now: p.revise(by=by, now=now, **body.model_dump())
    )


@router.post("/plans/{plan_id}/actions", status_code=status.HTTP_201_CREATED)
async def add_action(
    plan_id: str, body: ActionIn, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    action_id, owner = stores.new_id(), body.owner_member_id or caller.member_id
    return await edit(
        stores,
        caller,
        plan_id,
        lambda p, by, now: p.add_action(
            action_id=action_id,
            title=body.title,
            owner_member_id=owner,
            due_on=body.due_on,
            by=by,
            now=now,
        ),
    )


@router.post("/plans/{plan_id}/actions/{action_id}/done")
async def action_done(
    plan_id: str, action_id: str, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    return await edit(
        stores,
        caller,
        plan_id,
        lambda p, by, now: p.complete_action(action_id=action_id, by=by, now=now),
    )


@router.post("/plans/{plan_id}/milestones", status_code=status.HTTP_201_CREATED)
async def add_milestone(
    plan_id: str, body: MilestoneIn, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    milestone_id = stores.new_id()
    return await edit(
        stores,
        caller,
        plan_id,
        lambda p, by, now: p.add_milestone(
            milestone_id=milestone_id, title=body.title, target_on=body.target_on, by=by, now=now
        ),
    )


@router.post("/plans/{plan_id}/milestones/{milestone_id}/reached")
async def milestone_reached(
    plan_id: str, milestone_id: str, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    return await edit(
        stores,
        caller,
        plan_id,
        lambda p, by, now: p.reach_milestone(milestone_id=milestone_id, by=by, now=now),
    )


@router.post("/plans/{plan_id}/status")
async def change_status(
    plan_id: str, body: StatusChange, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    return await edit(
        stores,
        caller,
        plan_id,
        lambda p, by, now: p.change_status(to=body.status, note=body.note, by=by, now=now),
    )


@router.post("/plans/{plan_id}/progress", status_code=status.HTTP_201_CREATED)
async def report_progress(
    plan_id: str, body: ProgressIn, stores: StoresDep, caller: CurrentCaller
) -> PlanView:
    return await edit(
        stores,
        caller,
        plan_id,
        lambda p, by, now: p.report_progress(
            summary=body.summary, rag=body.rag, evidence_links=body.evidence_links, by=by, now=now
        ),
    )


@router.post("/plans/{plan_id}/case-studies")
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


@router.get("/adoption")
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


# --- case studies ------------------------------------------------------------------------


class CaseStudyIn(BaseModel):
    title: Title
    context: Text
    what_was_done: Text
    outcome: Text
    evidence_links: list[Link] = Field(default_factory=list, max_length=10)
    contact: str = Field("", max_length=200)
    region: str = Field(max_length=8)
    organisation_id: str | None = Field(None, max_length=64)
    recommendation_codes: list[Annotated[str, Field(max_length=16)]] = Field(max_length=10)
    techniques: list[Annotated[str, Field(max_length=50)]] = Field(
        default_factory=list, max_length=20, examples=[["peer assist", "after action review"]]
    )


class CaseStudyView(BaseModel):
    id: str
    title: str
    context: str
    what_was_done: str
    outcome: str
    evidence_links: list[str]
    contact: str
    region: str
    organisation_id: str | None
    recommendation_codes: list[str]
    techniques: list[str]
    author_member_id: str
    shared_at: datetime
    useful_count: int
    useful_to_me: bool

    @classmethod
    def of(cls, s: CaseStudy, member_id: str) -> CaseStudyView:
        return cls(
            id=s.id,
            title=s.title,
            context=s.context,
            what_was_done=s.what_was_done,
            outcome=s.outcome,
            evidence_links=s.evidence_links,
            contact=s.contact,
            region=s.region,
            organisation_id=s.organisation_id,
            recommendation_codes=s.recommendation_codes,
            techniques=s.techniques,
            author_member_id=s.author_member_id,
            shared_at=s.shared_at,
            useful_count=len(s.useful_by),
            useful_to_me=member_id in s.useful_by,
        )


@router.post("/case-studies", status_code=status.HTTP_201_CREATED)
async def share_case_study(
    body: CaseStudyIn, stores: StoresDep, caller: CurrentCaller
) -> CaseStudyView:
    study = await usecases.share_case_study(stores, caller=caller, **body.model_dump())
    return CaseStudyView.of(study, caller.member_id)


@router.get("/case-studies")
async def case_studies(
    stores: StoresDep,
    caller: CurrentCaller,
    q: str | None = Query(None, max_length=200),
    region: str | None = Query(None, max_length=8),
    code: str | None = Query(None, max_length=16),
    technique: str | None = Query(None, max_length=50),
    limit: Limit = 20,
    cursor: str | None = None,
) -> Page[CaseStudyView]:
    """Newest first; `q` matches every word in the title, context, what was done, outcome
    and techniques."""
    search = CaseStudySearch(text=q, region=region, code=code, technique=technique)
    found, next_cursor = await stores.case_studies.search(
        search.criteria(), cursor=cursor, limit=limit
    )
    return Page(
        items=[CaseStudyView.of(s, caller.member_id) for s in found], next_cursor=next_cursor
    )


@router.get("/case-studies/{case_study_id}")
async def case_study(case_study_id: str, stores: StoresDep, caller: CurrentCaller) -> CaseStudyView:
    return CaseStudyView.of(await usecases.case_study(stores, case_study_id), caller.member_id)


@router.put("/case-studies/{case_study_id}/useful")
async def mark_useful(
    case_study_id: str, stores: StoresDep, caller: CurrentCaller
) -> CaseStudyView:
    study = await usecases.mark_useful(
        stores, caller=caller, case_study_id=case_study_id, useful=True
    )
    return CaseStudyView.of(study, caller.member_id)


@router.delete("/case-studies/{case_study_id}/useful")
async def unmark_useful(
    case_study_id: str, stores: StoresDep, caller: CurrentCaller
) -> CaseStudyView:
    study = await usecases.mark_useful(
        stores, caller=caller, case_study_id=case_study_id, useful=False
    )
    return CaseStudyView.of(study, caller.member_id)


# --- follows -----------------------------------------------------------------------------


class FollowView(BaseModel):
    kind: str
    target: str
    at: datetime


@router.put("/follows/{kind}/{target}", status_code=status.HTTP_204_NO_CONTENT)
async def follow(kind: str, target: str, stores: StoresDep, caller: CurrentCaller) -> None:
    await usecases.follow(stores, caller=caller, kind=kind, target=target, on=True)


@router.delete("/follows/{kind}/{target}", status_code=status.HTTP_204_NO_CONTENT)
async def unfollow(kind: str, target: str, stores: StoresDep, caller: CurrentCaller) -> None:
    await usecases.follow(stores, caller=caller, kind=kind, target=target, on=False)


@router.get("/members/me/follows")
async def my_follows(stores: StoresDep, caller: CurrentCaller) -> list[FollowView]:
    found = await usecases.follows_of(stores, caller=caller)
    return [FollowView(kind=f["kind"], target=f["target"], at=f["at"]) for f in found]
