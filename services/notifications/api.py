"""HTTP routes (called by the gateway with an internal token): a member's inbox, preferences
and delivery log, a regional node's webhook, and one-click unsubscribe (the signed token is
its credential)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, BeforeValidator, Field

from services.notifications.domain.notifications import Delivery, InboxItem
from services.notifications.domain.preferences import Preferences
from services.notifications.stores import Stores
from services.notifications.usecases import account_emails, inbox
from shared.auth import GATEWAY_ONLY, MEMBERS, CurrentCaller
from shared.pagination import Limit, Page
from shared.requests import Cursor, RequestModel, json_integer
from shared.service import stores_of
from shared.text import SITE_PATH, WEB_ADDRESS

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
    digest_hour: int = Field(description="The hour (UK time) a digest is sent")
    email_failing: bool = Field(description="The mail server refused the address")
    webhook_url: str | None = Field(description="A regional node's receiver, if set")
    webhook_failing: bool = Field(description="The receiver answered 410 Gone")

    @classmethod
    def of(cls, p: Preferences) -> PreferencesView:
        d = p.as_dict()
        return cls(
            channels=d["channels"],
            digest=d["digest"],
            digest_hour=d["digest_hour"],
            email_failing=d["email_failing"],
            webhook_url=d["webhook_url"],
            webhook_failing=d["webhook_failing"],
        )


class DeliveryView(BaseModel):
    """One line of the delivery log."""

    id: str
    channel: str
    to: str
    subject: str
    status: str = Field(description="pending, sent, failed; held (for a digest), digested")
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None
    digest_items: int = Field(description="For a digest: how many messages it gathers")

    @classmethod
    def of(cls, d: Delivery) -> DeliveryView:
        return cls(
            id=d.id,
            channel=d.channel.value,
            to=d.to,
            subject=d.message.subject,
            status=d.status,
            attempts=d.attempts,
            created_at=d.created_at,
            sent_at=d.sent_at,
            next_attempt_at=d.next_attempt_at,
            last_error=d.last_error,
            digest_items=len(d.digest),
        )


class WebhookIn(RequestModel):
    url: str = Field(
        min_length=8,
        max_length=2000,
        pattern=WEB_ADDRESS,
        description="https:// (http:// too in development); calls are signed with the secret",
    )


class WebhookSet(BaseModel):
    url: str
    secret: str = Field(
        description="Shown once: the whsec_ secret a Standard Webhooks verifier is given"
    )


Hour = Annotated[int, Field(ge=0, le=23), BeforeValidator(json_integer)]
CategoryName = Literal["membership", "events", "plans", "practice", "conversations"]
ChannelName = Literal["in_app", "email", "webhook"]


class PreferencesIn(RequestModel):
    """Only what changes: a category left out keeps its channels."""

    channels: dict[CategoryName, list[ChannelName]] | None = Field(None)
    digest: Literal["off", "daily", "weekly"] | None = None
    digest_hour: Hour | None = None


class Unsubscribe(RequestModel):
    token: str = Field(min_length=1, max_length=1000)


class Unsubscribed(BaseModel):
    categories: list[str]


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
    """One-click unsubscribe from an email's link: no more email of its categories."""
    return Unsubscribed(categories=await inbox.unsubscribe(stores, token=body.token))


class ResetLinkIn(RequestModel):
    email: str = Field(min_length=3, max_length=254, description="As membership has it")
    name: str = Field(min_length=1, max_length=120)
    link: str = Field(
        min_length=1, max_length=500, pattern=SITE_PATH, description="A path on the site"
    )
    expires_at: datetime


class ResetLinkSent(BaseModel):
    sent: bool = Field(description="False when the mail server refused it or was away")


@router.post(
    "/members/{member_id}/password-reset-email",
    status_code=status.HTTP_202_ACCEPTED,
    openapi_extra=GATEWAY_ONLY,
)
async def send_reset_link(
    member_id: str, body: ResetLinkIn, stores: StoresDep, _: CurrentCaller
) -> ResetLinkSent:
    """The gateway's reset link, emailed to the member now, at the address membership has (the
    read model may not have caught up with a new member). Never forwarded to the public; the
    link is recorded nowhere, the delivery log says only that one was sent."""
    sent = await account_emails.send_reset_link(
        stores,
        member_id=member_id,
        email=body.email,
        name=body.name,
        link=body.link,
        expires_at=body.expires_at,
    )
    return ResetLinkSent(sent=sent)


@router.put("/members/me/webhook", dependencies=[MEMBERS])
async def set_webhook(body: WebhookIn, stores: StoresDep, caller: CurrentCaller) -> WebhookSet:
    """A regional node's receiver for the caller's notifications (facilitators, operators):
    each call is a JSON POST signed as Standard Webhooks specifies (`webhook-id`,
    `webhook-timestamp`, `webhook-signature`); the address must resolve to public addresses
    only (422 `webhook_address_not_public`); setting it again issues a new secret."""
    url, secret = await inbox.set_webhook(stores, caller=caller, url=body.url)
    return WebhookSet(url=url, secret=secret)


@router.delete(
    "/members/me/webhook", dependencies=[MEMBERS], status_code=status.HTTP_204_NO_CONTENT
)
async def remove_webhook(stores: StoresDep, caller: CurrentCaller) -> None:
    await inbox.remove_webhook(stores, caller=caller)


@router.get("/members/me/deliveries", dependencies=[MEMBERS])
async def deliveries(
    stores: StoresDep,
    caller: CurrentCaller,
    channel: Annotated[Literal["email", "webhook"] | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[DeliveryView]:
    """The delivery log: the member's emails and webhook calls, newest first."""
    found, next_cursor = await inbox.delivery_log(
        stores, caller=caller, channel=channel, cursor=cursor, limit=limit
    )
    return Page(items=[DeliveryView.of(d) for d in found], next_cursor=next_cursor)
