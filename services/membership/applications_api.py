"""Joining and moving: applications (the same answer whether or not the address has an
account) and a facilitator's decision; a member's request to move region or organisation and
the destination's decision."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from services.membership import usecases
from services.membership.api import MemberView, StoresDep
from shared.auth import AUTHORITIES, MEMBERS, CurrentCaller
from shared.pagination import Limit, Page
from shared.requests import (
    Cursor,
    Label,
    Paragraphs,
    Region,
    RegionCode,
    RequestModel,
)

router = APIRouter(prefix="/v1")


class Application(RequestModel):
    name: Label = Field(max_length=120, examples=["Ada Lovelace"])
    email: str = Field(max_length=254, examples=["ada.lovelace@nhs.net"])
    password: str = Field(max_length=128)
    region: Region
    organisation_id: str | None = Field(None, max_length=64)
    proposed_organisation: Label | None = Field(
        None,
        max_length=200,
        description="The name of the applicant's organisation when it is not listed "
        "(proposed; the facilitator who approves the applicant confirms it)",
    )
    job_title: Label = Field("", max_length=120)
    interests: list[str] = Field(default_factory=list, max_length=20)
    skills: list[str] = Field(default_factory=list, max_length=20)
    bio: Paragraphs = Field("", max_length=2000)
    links: list[str] = Field(default_factory=list, max_length=5)


class Decision(RequestModel):
    reason: Paragraphs = Field(max_length=1000)


class Received(BaseModel):
    received: bool = True
    next: str = Field(
        "A facilitator of the region reads the application; the applicant hears by email",
        description="The same answer whether or not the address has an account",
    )


class MoveIn(RequestModel):
    region: Region
    organisation_id: str | None = Field(None, max_length=64)
    proposed_organisation: Label | None = Field(
        None,
        max_length=200,
        description="The name of the organisation to move to when it is not listed",
    )


@router.post("/applications", status_code=status.HTTP_202_ACCEPTED)
async def apply(body: Application, stores: StoresDep, _: CurrentCaller) -> Received:
    """An application to join. The answer is the same for a new address and for one that
    has an account already (its member is told by email instead): applying reveals nothing."""
    await usecases.apply_to_join(stores, **body.model_dump())
    return Received()


@router.get("/applications", dependencies=[AUTHORITIES])
async def applications(
    stores: StoresDep,
    caller: CurrentCaller,
    region: RegionCode,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[MemberView]:
    members, next_cursor = await usecases.pending_applications(
        stores, actor_id=caller.member_id, region=region, cursor=cursor, limit=limit
    )
    return Page(items=[MemberView.of(m, caller) for m in members], next_cursor=next_cursor)


@router.post("/applications/{member_id}/approve", dependencies=[AUTHORITIES])
async def approve(member_id: str, stores: StoresDep, caller: CurrentCaller) -> MemberView:
    member = await usecases.approve(stores, actor_id=caller.member_id, member_id=member_id)
    return MemberView.of(member, caller)


@router.post("/applications/{member_id}/decline", dependencies=[AUTHORITIES])
async def decline(
    member_id: str, body: Decision, stores: StoresDep, caller: CurrentCaller
) -> MemberView:
    member = await usecases.decline(
        stores, actor_id=caller.member_id, member_id=member_id, reason=body.reason
    )
    return MemberView.of(member, caller)


@router.post("/members/{member_id}/move", dependencies=[MEMBERS])
async def request_move(
    member_id: str, body: MoveIn, stores: StoresDep, caller: CurrentCaller
) -> MemberView:
    """The member asks to move region or organisation; a facilitator of that region decides.
    Asking again replaces the request."""
    member = await usecases.request_move(
        stores,
        actor_id=caller.member_id,
        member_id=member_id,
        region=body.region,
        organisation_id=body.organisation_id,
        proposed_organisation=body.proposed_organisation,
    )
    return MemberView.of(member, caller)


@router.delete("/members/{member_id}/move", dependencies=[MEMBERS])
async def withdraw_move(member_id: str, stores: StoresDep, caller: CurrentCaller) -> MemberView:
    member = await usecases.withdraw_move(stores, actor_id=caller.member_id, member_id=member_id)
    return MemberView.of(member, caller)


@router.get("/moves", dependencies=[AUTHORITIES])
async def moves(
    stores: StoresDep,
    caller: CurrentCaller,
    region: RegionCode,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[MemberView]:
    """Members asking to move to `region`, oldest request first."""
    members, next_cursor = await usecases.moves_waiting(
        stores, actor_id=caller.member_id, region=region, cursor=cursor, limit=limit
    )
    return Page(items=[MemberView.of(m, caller) for m in members], next_cursor=next_cursor)


@router.post("/members/{member_id}/move/approve", dependencies=[AUTHORITIES])
async def approve_move(member_id: str, stores: StoresDep, caller: CurrentCaller) -> MemberView:
    member = await usecases.approve_move(stores, actor_id=caller.member_id, member_id=member_id)
    return MemberView.of(member, caller)


@router.post("/members/{member_id}/move/decline", dependencies=[AUTHORITIES])
async def decline_move(
    member_id: str, body: Decision, stores: StoresDep, caller: CurrentCaller
) -> MemberView:
    member = await usecases.decline_move(
        stores, actor_id=caller.member_id, member_id=member_id, reason=body.reason
    )
    return MemberView.of(member, caller)
