"""HTTP routes (called by the gateway with an internal token): what the routes share, the
catalogue and resonance. Plans are in plans_api.py, case studies and follows in
case_studies_api.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from services.recommendations.domain.catalogue import Recommendation
from services.recommendations.stores import Ballot, Stores
from services.recommendations.usecases import catalogue, resonance
from shared.auth import MEMBERS, OPERATORS, CurrentCaller
from shared.requests import Label, Paragraphs, RegionFilter, RequestModel
from shared.service import stores_of

router = APIRouter(prefix="/v1")

Title = Annotated[Label, Field(min_length=1, max_length=200)]
Text = Annotated[Paragraphs, Field(max_length=5000)]
Link = Annotated[str, Field(max_length=500)]
MemberId = Annotated[str, Field(min_length=1, max_length=64)]
StoresDep = Annotated[Stores, Depends(stores_of(Stores))]


# --- catalogue ---------------------------------------------------------------------------


class RecommendationIn(RequestModel):
    code: str = Field(max_length=16, examples=["R6"])
    title: Title
    description: Text = ""
    aims: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=10)
    challenges: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=20
    )
    source: str = Field(max_length=300, examples=["A later KM report (2027)"])


class Retirement(RequestModel):
    reason: Paragraphs = Field(max_length=1000)


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
    found = await catalogue.list_recommendations(stores, include_retired=include_retired)
    return [RecommendationView.of(r) for r in found]


@router.post("/recommendations", dependencies=[OPERATORS], status_code=status.HTTP_201_CREATED)
async def add_recommendation(
    body: RecommendationIn, stores: StoresDep, caller: CurrentCaller
) -> RecommendationView:
    added = await catalogue.add_recommendation(stores, caller=caller, **body.model_dump())
    return RecommendationView.of(added)


@router.get("/recommendations/{code}")
async def recommendation(code: str, stores: StoresDep, _: CurrentCaller) -> RecommendationView:
    return RecommendationView.of(await catalogue.recommendation(stores, code))


@router.post("/recommendations/{code}/retire", dependencies=[OPERATORS])
async def retire(
    code: str, body: Retirement, stores: StoresDep, caller: CurrentCaller
) -> RecommendationView:
    retired = await catalogue.retire_recommendation(
        stores, caller=caller, code=code, reason=body.reason
    )
    return RecommendationView.of(retired)


# --- resonance ---------------------------------------------------------------------------


class RankingIn(RequestModel):
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


@router.put("/members/me/ranking", dependencies=[MEMBERS])
async def rank(body: RankingIn, stores: StoresDep, caller: CurrentCaller) -> BallotView:
    return BallotView.of(await resonance.endorse(stores, caller=caller, codes=body.codes))


@router.get("/members/me/ranking", dependencies=[MEMBERS])
async def my_ranking(stores: StoresDep, caller: CurrentCaller) -> BallotView:
    return BallotView.of(await resonance.ballot_of(stores, caller=caller))


@router.delete(
    "/members/me/ranking", dependencies=[MEMBERS], status_code=status.HTTP_204_NO_CONTENT
)
async def withdraw(stores: StoresDep, caller: CurrentCaller) -> None:
    await resonance.withdraw_ballot(stores, caller=caller)


@router.get("/rankings", dependencies=[MEMBERS])
async def rankings(
    stores: StoresDep, _: CurrentCaller, region: RegionFilter = None
) -> RankingsView:
    return RankingsView(**await resonance.rankings(stores, region=region))
