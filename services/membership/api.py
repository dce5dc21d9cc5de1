"""HTTP routes (called by the gateway with an internal token): parse, call a use case, shape
the response. Errors are typed in the use cases and mapped to HTTP in one place."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from services.membership import usecases
from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member
from services.membership.stores import Stores
from shared.auth import AUTHORITIES, MEMBERS, CurrentCaller
from shared.caller import Caller, governs
from shared.pagination import Limit, Page
from shared.reference import regions
from shared.requests import (
    Cursor,
    IdFilter,
    Label,
    Paragraphs,
    Region,
    RegionFilter,
    RegionInPath,
    RequestModel,
    Role,
    RoleFilter,
    WordFilter,
)
from shared.service import stores_of
from shared.text import WITHOUT_CONTROL_CHARACTERS

router = APIRouter(prefix="/v1")
StoresDep = Annotated[Stores, Depends(stores_of(Stores))]


class MoveView(BaseModel):
    region: str
    organisation_id: str | None
    requested_at: datetime
    declined_reason: str | None = Field(None, description="Set when a facilitator declined")


class MemberView(BaseModel):
    id: str
    name: str
    region: str
    status: str
    roles: list[str]
    organisation_id: str | None
    job_title: str
    interests: list[str]
    skills: list[str]
    bio: str
    links: list[str]
    email: str | None = Field(None, description="Shown to the member and to those who manage them")
    move: MoveView | None = Field(
        None, description="A move asked for: shown to the member and to those who decide it"
    )

    @classmethod
    def of(cls, member: Member, caller: Caller) -> MemberView:
        p = member.profile
        return cls(
            id=member.id,
            name=p.name,
            region=member.region,
            status=member.status.value,
            roles=sorted(member.roles),
            organisation_id=p.organisation_id,
            job_title=p.job_title,
            interests=list(p.interests),
            skills=list(p.skills),
            bio=p.bio,
            links=list(p.links),
            # Shown to the member and to those whose remit they are in.
            email=member.email
            if caller.member_id == member.id or governs(caller, member.region)
            else None,
            move=MoveView(**asdict(member.move))
            if member.move
            and (caller.member_id == member.id or governs(caller, member.move.region))
            else None,
        )


class ProfileChanges(RequestModel):
    name: Label | None = Field(None, max_length=120)
    region: Region | None = None
    organisation_id: str | None = None
    job_title: Label | None = Field(None, max_length=120)
    interests: list[str] | None = Field(None, max_length=20)
    skills: list[str] | None = Field(None, max_length=20)
    bio: Paragraphs | None = Field(None, max_length=2000)
    links: list[str] | None = Field(None, max_length=5)


class Roles(RequestModel):
    roles: list[Role] = Field(max_length=5, examples=[["member", "facilitator"]])


class RegionView(BaseModel):
    code: str
    name: str
    nation: str
    members: int | None = None
    facilitators: list[MemberView] = []
    sponsors: list[MemberView] = []
    core_group: list[MemberView] = []


class SuggestionView(BaseModel):
    member: MemberView
    score: int
    same_region: bool
    reason: str


@router.get("/members", dependencies=[MEMBERS])
async def directory(
    stores: StoresDep,
    caller: CurrentCaller,
    name: Annotated[
        str | None, Query(min_length=1, max_length=120, pattern=WITHOUT_CONTROL_CHARACTERS)
    ] = None,
    region: RegionFilter = None,
    organisation_id: IdFilter = None,
    interest: WordFilter = None,
    skill: WordFilter = None,
    role: RoleFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[MemberView]:
    query = DirectoryQuery.of(
        name=name,
        region=region,
        organisation_id=organisation_id,
        interest=interest,
        skill=skill,
        role=role,
    )
    members, next_cursor = await usecases.search_directory(
        stores, query=query, cursor=cursor, limit=limit
    )
    return Page(items=[MemberView.of(m, caller) for m in members], next_cursor=next_cursor)


class NamesView(BaseModel):
    names: dict[str, str] = Field(description="By member id; the erased are left out")


MAX_NAMES = 100


@router.get("/members/names", dependencies=[MEMBERS])
async def names(
    stores: StoresDep,
    caller: CurrentCaller,
    member_id: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=64)]],
        Query(alias="id", min_length=1, max_length=MAX_NAMES),
    ],
) -> NamesView:
    """Names to show beside what members wrote (a thread's authors): one call for a page."""
    return NamesView(names=await usecases.names(stores, caller=caller, member_ids=member_id))


@router.get("/members/{member_id}")
async def member(member_id: str, stores: StoresDep, caller: CurrentCaller) -> MemberView:
    return MemberView.of(
        await usecases.member_page(stores, caller=caller, member_id=member_id), caller
    )


@router.patch("/members/{member_id}", dependencies=[MEMBERS])
async def edit_profile(
    member_id: str, body: ProfileChanges, stores: StoresDep, caller: CurrentCaller
) -> MemberView:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    updated = await usecases.update_profile(
        stores, actor_id=caller.member_id, member_id=member_id, changes=changes
    )
    return MemberView.of(updated, caller)


@router.put("/members/{member_id}/roles", dependencies=[AUTHORITIES])
async def set_roles(
    member_id: str, body: Roles, stores: StoresDep, caller: CurrentCaller
) -> MemberView:
    updated = await usecases.set_roles(
        stores, actor_id=caller.member_id, member_id=member_id, roles=body.roles
    )
    return MemberView.of(updated, caller)


@router.post("/members/{member_id}/leave", dependencies=[MEMBERS])
async def leave(member_id: str, stores: StoresDep, caller: CurrentCaller) -> MemberView:
    return MemberView.of(
        await usecases.leave(stores, actor_id=caller.member_id, member_id=member_id), caller
    )


@router.post("/members/{member_id}/erasure")
async def erase(member_id: str, stores: StoresDep, caller: CurrentCaller) -> MemberView:
    return MemberView.of(
        await usecases.erase(stores, actor_id=caller.member_id, member_id=member_id), caller
    )


@router.get("/members/{member_id}/suggestions", dependencies=[MEMBERS])
async def suggestions(
    member_id: str,
    stores: StoresDep,
    caller: CurrentCaller,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[SuggestionView]:
    found = await usecases.suggestions_for(stores, member_id=member_id, limit=limit)
    return [
        SuggestionView(
            member=MemberView.of(s.member, caller),
            score=s.score,
            same_region=s.same_region,
            reason=s.reason,
        )
        for s in found
    ]


@router.get("/members/{member_id}/contributions", dependencies=[MEMBERS])
async def contributions(member_id: str, stores: StoresDep, _: CurrentCaller) -> dict[str, int]:
    return await usecases.contribution_record(stores, member_id=member_id)


class MonthMembers(BaseModel):
    month: str = Field(examples=["2026-11"])
    total: int
    by_region: dict[str, int]


class NetworkStatistics(BaseModel):
    members: list[MonthMembers] = Field(description="Members per region at each month's end")
    active_members: int
    contributors_90_days: int
    contributing_share: float = Field(description="Of active members, those who contributed")


@router.get("/statistics/members", dependencies=[MEMBERS])
async def statistics(
    stores: StoresDep,
    _: CurrentCaller,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> NetworkStatistics:
    """The network's size over time and how many contribute: aggregates, no one's data."""
    return NetworkStatistics.model_validate(
        await usecases.network_statistics(stores, months=months)
    )


@router.get("/regions")
async def list_regions(_: CurrentCaller) -> list[RegionView]:
    return [RegionView(code=r.code, name=r.name, nation=r.nation) for r in regions().values()]


@router.get("/regions/{code}", dependencies=[MEMBERS])
async def region(code: RegionInPath, stores: StoresDep, caller: CurrentCaller) -> RegionView:
    overview = await usecases.region_overview(stores, code=code)

    def with_role(role: str) -> list[MemberView]:
        return [MemberView.of(m, caller) for m in overview.key_players if role in m.roles]

    return RegionView(
        code=overview.region.code,
        name=overview.region.name,
        nation=overview.region.nation,
        members=overview.members,
        facilitators=with_role("facilitator"),
        sponsors=with_role("sponsor"),
        core_group=with_role("core"),
    )
