"""HTTP routes (called by the gateway with an internal token): a member's inbox and
preferences, and one-click unsubscribe (the signed token is its credential)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, BeforeValidator, Field

from services.notifications.domain.notifications import InboxItem
from services.notifications.domain.preferences import Preferences
from services.notifications.stores import Stores
from services.notifications.usecases import inbox
from shared.auth import MEMBERS, CurrentCaller
from shared.pagination import Limit, Page
from shared.requests import Cursor, RequestModel, json_integer
from shared.service import stores_of

router = APIRouter(prefix="/v1")
StoresDep = Annotated[Stores, Depends(stores_of(Stores))]


class NotificationView(BaseModel):
    id: str
    kind: str
    category: str
    subject: str
    text: str
    link: str
    urgent: bool
    created_at: datetime
    read: bool

    @classmethod
    def of(cls, item: InboxItem) -> NotificationView:
        m = item.message
        return cls(
            id=item.id,
            kind=m.kind,
            category=m.category.value,
            subject=m.subject,
            text=m.text,
            link=m.link,
            urgent=m.urgent,
            created_at=item.created_at,
            read=item.read_at is not None,
        )


class UnreadCount(BaseModel):
    unread: int


class Marked(BaseModel):
    marked: int


class PreferencesView(BaseModel):
    channels: dict[str, list[str]] = Field(
        description="Per category (membership, events, plans, practice): in_app, email, webhook"
    )
    digest: str = Field(description="off, daily or weekly: non-urgent email gathered")
    digest_hour: int = Field(description="The hour (UTC) a digest is sent")
    email_failing: bool = Field(description="The mail server refused the address")

    @classmethod
    def of(cls, p: Preferences) -> PreferencesView:
        d = p.as_dict()
        return cls(
            channels=d["channels"],
            digest=d["digest"],
            digest_hour=d["digest_hour"],
            email_failing=d["email_failing"],
        )


Hour = Annotated[int, Field(ge=0, le=23), BeforeValidator(json_integer)]
CategoryName = Literal["membership", "events", "plans", "practice"]
ChannelName = Literal["in_app", "email", "webhook"]


class PreferencesIn(RequestModel):
    """Only what changes: a category left out keeps its channels."""

    channels: dict[CategoryName, list[ChannelName]] | None = Field(None)
    digest: Literal["off", "daily", "weekly"] | None = None
    digest_hour: Hour | None = None


class Unsubscribe(RequestModel):
    token: str = Field(min_length=1, max_length=1000)


class Unsubscribed(BaseModel):
    category: str


@router.get("/members/me/notifications", dependencies=[MEMBERS])
async def notifications(
    stores: StoresDep,
    caller: CurrentCaller,
    unread: Annotated[bool, Query(description="Only the unread ones")] = False,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[NotificationView]:
    """The member's inbox, newest first."""
    items, next_cursor = await inbox.page(
        stores, caller=caller, cursor=cursor, limit=limit, unread_only=unread
    )
    return Page(items=[NotificationView.of(i) for i in items], next_cursor=next_cursor)


@router.get("/members/me/notifications/unread", dependencies=[MEMBERS])
async def unread_count(stores: StoresDep, caller: CurrentCaller) -> UnreadCount:
    return UnreadCount(unread=await inbox.unread(stores, caller=caller))


@router.post("/members/me/notifications/read", dependencies=[MEMBERS])
async def mark_all_read(stores: StoresDep, caller: CurrentCaller) -> Marked:
    return Marked(marked=await inbox.mark_all_read(stores, caller=caller))


@router.post(
    "/members/me/notifications/{notification_id}/read",
    dependencies=[MEMBERS],
    status_code=status.HTTP_204_NO_CONTENT,
)
async def mark_read(notification_id: str, stores: StoresDep, caller: CurrentCaller) -> None:
    await inbox.mark_read(stores, caller=caller, item_id=notification_id)


@router.get("/members/me/preferences", dependencies=[MEMBERS])
async def preferences(stores: StoresDep, caller: CurrentCaller) -> PreferencesView:
    return PreferencesView.of(await inbox.preferences(stores, caller=caller))


@router.put("/members/me/preferences", dependencies=[MEMBERS])
async def change_preferences(
    body: PreferencesIn, stores: StoresDep, caller: CurrentCaller
) -> PreferencesView:
    changed = await inbox.change_preferences(
        stores,
        caller=caller,
        channels={k: list(v) for k, v in body.channels.items()} if body.channels else None,
        digest=body.digest,
        digest_hour=body.digest_hour,
    )
    return PreferencesView.of(changed)


@router.post("/unsubscribe")
async def unsubscribe(body: Unsubscribe, stores: StoresDep, _: CurrentCaller) -> Unsubscribed:
    """One-click unsubscribe from an email's link: no more email of that category."""
    return Unsubscribed(category=await inbox.unsubscribe(stores, token=body.token))
