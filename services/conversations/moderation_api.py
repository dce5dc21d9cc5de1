"""HTTP routes for answers and moderation: accepting an answer, flags and the queue, hiding
and restoring posts, locking and moving threads (each with its recorded reason)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.conversations.api import (
    Marked,
    PostView,
    StoresDep,
    SubjectId,
    SubjectKindName,
    ThreadView,
)
from services.conversations.stores import Flag
from services.conversations.usecases import moderation
from shared.auth import MEMBERS, CurrentCaller
from shared.pagination import Limit
from shared.requests import Paragraphs, RequestModel

router = APIRouter(prefix="/v1")
Reason = Annotated[
    Paragraphs, Field(min_length=1, max_length=500, description="3 to 500 characters")
]


class AnswerIn(RequestModel):
    post_id: str = Field(min_length=1, max_length=64)


class FlagIn(RequestModel):
    reason: Reason


class HiddenIn(RequestModel):
    hidden: bool
    reason: Reason


class LockIn(RequestModel):
    locked: bool
    reason: Reason


class MoveIn(RequestModel):
    subject_kind: SubjectKindName
    subject_id: SubjectId = None
    reason: Reason


class FlagView(BaseModel):
    post_id: str
    thread_id: str
    member_id: str
    reason: str
    region: str | None
    at: datetime

    @classmethod
    def of(cls, f: Flag) -> FlagView:
        return cls(
            post_id=f.post_id,
            thread_id=f.thread_id,
            member_id=f.member_id,
            reason=f.reason,
            region=f.region,
            at=f.at,
        )


@router.post("/threads/{thread_id}/answer", dependencies=[MEMBERS])
async def accept_answer(
    thread_id: str, body: AnswerIn, stores: StoresDep, caller: CurrentCaller
) -> ThreadView:
    """The asker, or the region's facilitators."""
    thread = await moderation.accept_answer(
        stores, caller=caller, thread_id=thread_id, post_id=body.post_id
    )
    return ThreadView.of(thread)


@router.post("/posts/{post_id}/flags", dependencies=[MEMBERS])
async def flag(post_id: str, body: FlagIn, stores: StoresDep, caller: CurrentCaller) -> Marked:
    return Marked(
        marked=await moderation.flag(stores, caller=caller, post_id=post_id, reason=body.reason)
    )


@router.post("/posts/{post_id}/hidden", dependencies=[MEMBERS])
async def set_hidden(
    post_id: str, body: HiddenIn, stores: StoresDep, caller: CurrentCaller
) -> PostView:
    """The region's facilitators (operators anywhere), with a reason that is recorded."""
    post = await moderation.set_hidden(
        stores, caller=caller, post_id=post_id, hide=body.hidden, reason=body.reason
    )
    return PostView.whole(post)


@router.post("/threads/{thread_id}/lock", dependencies=[MEMBERS])
async def set_locked(
    thread_id: str, body: LockIn, stores: StoresDep, caller: CurrentCaller
) -> ThreadView:
    thread = await moderation.set_locked(
        stores, caller=caller, thread_id=thread_id, locked=body.locked, reason=body.reason
    )
    return ThreadView.of(thread)


@router.post("/threads/{thread_id}/move", dependencies=[MEMBERS])
async def move(
    thread_id: str, body: MoveIn, stores: StoresDep, caller: CurrentCaller
) -> ThreadView:
    thread = await moderation.move(
        stores,
        caller=caller,
        thread_id=thread_id,
        subject_kind=body.subject_kind,
        subject_id=body.subject_id,
        reason=body.reason,
    )
    return ThreadView.of(thread)


@router.get("/flags", dependencies=[MEMBERS])
async def flags(stores: StoresDep, caller: CurrentCaller, limit: Limit = 50) -> list[FlagView]:
    """The moderation queue: the caller's region (facilitators), every region (operators)."""
    return [FlagView.of(f) for f in await moderation.flagged(stores, caller=caller, limit=limit)]
