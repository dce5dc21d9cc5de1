"""HTTP routes for case studies (what works) and follows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from services.recommendations.api import Link, StoresDep, Text, Title
from services.recommendations.domain.case_study import CaseStudy
from services.recommendations.usecases import case_studies as usecases
from services.recommendations.usecases import follows as following
from shared.auth import MEMBERS, CurrentCaller
from shared.pagination import Limit, Page
from shared.requests import (
    Cursor,
    Paragraphs,
    Region,
    RegionFilter,
    RequestModel,
    TextFilter,
    WordFilter,
)

# Stated in the document; the use case answers not_followable for any other kind.
FollowKind = Annotated[str, Path(json_schema_extra={"enum": list(following.FOLLOWABLE)})]

router = APIRouter(prefix="/v1")


class CaseStudyIn(RequestModel):
    title: Title
    context: Text
    what_was_done: Text
    outcome: Text
    evidence_links: list[Link] = Field(default_factory=list, max_length=10)
    contact: Paragraphs = Field("", max_length=200)
    region: Region
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


@router.post("/case-studies", dependencies=[MEMBERS], status_code=status.HTTP_201_CREATED)
async def share_case_study(
    body: CaseStudyIn, stores: StoresDep, caller: CurrentCaller
) -> CaseStudyView:
    study = await usecases.share_case_study(stores, caller=caller, **body.model_dump())
    return CaseStudyView.of(study, caller.member_id)


@router.get("/case-studies", dependencies=[MEMBERS])
async def case_studies(
    stores: StoresDep,
    caller: CurrentCaller,
    q: TextFilter = None,
    region: RegionFilter = None,
    code: WordFilter = None,
    technique: WordFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[CaseStudyView]:
    """Newest first; `q` matches every word in the title, context, what was done, outcome
    and techniques."""
    found, next_cursor = await usecases.search(
        stores, text=q, region=region, code=code, technique=technique, cursor=cursor, limit=limit
    )
    return Page(
        items=[CaseStudyView.of(s, caller.member_id) for s in found], next_cursor=next_cursor
    )


@router.put("/case-studies/{case_study_id}", dependencies=[MEMBERS])
async def revise_case_study(
    case_study_id: str, body: CaseStudyIn, stores: StoresDep, caller: CurrentCaller
) -> CaseStudyView:
    study = await usecases.revise_case_study(
        stores, caller=caller, case_study_id=case_study_id, **body.model_dump()
    )
    return CaseStudyView.of(study, caller.member_id)


@router.get("/case-studies/{case_study_id}", dependencies=[MEMBERS])
async def case_study(case_study_id: str, stores: StoresDep, caller: CurrentCaller) -> CaseStudyView:
    return CaseStudyView.of(await usecases.case_study(stores, case_study_id), caller.member_id)


@router.put("/case-studies/{case_study_id}/useful", dependencies=[MEMBERS])
async def mark_useful(
    case_study_id: str, stores: StoresDep, caller: CurrentCaller
) -> CaseStudyView:
    study = await usecases.mark_useful(
        stores, caller=caller, case_study_id=case_study_id, useful=True
    )
    return CaseStudyView.of(study, caller.member_id)


@router.delete("/case-studies/{case_study_id}/useful", dependencies=[MEMBERS])
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


@router.put(
    "/follows/{kind}/{target}", dependencies=[MEMBERS], status_code=status.HTTP_204_NO_CONTENT
)
async def follow(kind: FollowKind, target: str, stores: StoresDep, caller: CurrentCaller) -> None:
    await following.follow(stores, caller=caller, kind=kind, target=target, on=True)


@router.delete(
    "/follows/{kind}/{target}", dependencies=[MEMBERS], status_code=status.HTTP_204_NO_CONTENT
)
async def unfollow(kind: FollowKind, target: str, stores: StoresDep, caller: CurrentCaller) -> None:
    await following.follow(stores, caller=caller, kind=kind, target=target, on=False)


@router.get("/members/me/follows", dependencies=[MEMBERS])
async def my_follows(
    stores: StoresDep, caller: CurrentCaller, limit: Limit = 50, cursor: Cursor = None
) -> Page[FollowView]:
    found, next_cursor = await following.follows_of(
        stores, caller=caller, cursor=cursor, limit=limit
    )
    return Page(
        items=[FollowView(kind=f.kind, target=f.target, at=f.at) for f in found],
        next_cursor=next_cursor,
    )
