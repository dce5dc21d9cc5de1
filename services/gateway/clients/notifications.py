"""The notifications service, as the gateway calls it, typed with the models generated from
its OpenAPI document (clients/models/notifications.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.gateway.clients.http import Services
from services.gateway.clients.models import notifications as n
from services.gateway.clients.operations import get, request, send
from shared.caller import Caller

SERVICE = "notifications"

INBOX = get(
    SERVICE,
    "/v1/members/me/notifications",
    n.PageNotificationView,
    "cursor",
    "limit",
    "unread",
)
UNREAD = get(SERVICE, "/v1/members/me/notifications/unread", n.UnreadCount)
READ_ONE = send(SERVICE, "POST", "/v1/members/me/notifications/{notification_id}/read", type(None))
READ_ALL = send(SERVICE, "POST", "/v1/members/me/notifications/read", n.Marked)
PREFERENCES = get(SERVICE, "/v1/members/me/preferences", n.PreferencesView)
CHOOSE = send(SERVICE, "PUT", "/v1/members/me/preferences", n.PreferencesView, n.PreferencesIn)
SET_WEBHOOK = send(SERVICE, "PUT", "/v1/members/me/webhook", n.WebhookSet, n.WebhookIn)
REMOVE_WEBHOOK = send(SERVICE, "DELETE", "/v1/members/me/webhook", type(None))
DELIVERIES = get(SERVICE, "/v1/members/me/deliveries", n.PageDeliveryView, "cursor", "limit")
UNSUBSCRIBE = send(SERVICE, "POST", "/v1/unsubscribe", n.Unsubscribed, n.Unsubscribe)
RESET_EMAIL = send(
    SERVICE,
    "POST",
    "/v1/members/{member_id}/password-reset-email",
    n.ResetLinkSent,
    n.ResetLinkIn,
)


class Notifications:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def inbox(
        self, caller: Caller, *, cursor: str | None, limit: int, unread: bool
    ) -> n.PageNotificationView:
        query = {"cursor": cursor, "limit": limit, "unread": "true" if unread else None}
        return await INBOX(self._services, caller, query=query)

    async def unread(self, caller: Caller) -> int:
        return (await UNREAD(self._services, caller)).unread

    async def read(self, caller: Caller, notification_id: str) -> None:
        await READ_ONE(self._services, caller, notification_id=notification_id)

    async def read_all(self, caller: Caller) -> n.Marked:
        return await READ_ALL(self._services, caller)

    async def preferences(self, caller: Caller) -> n.PreferencesView:
        return await PREFERENCES(self._services, caller)

    async def choose(
        self, caller: Caller, *, channels: dict[str, list[str]], digest: str, digest_hour: int
    ) -> n.PreferencesView:
        body = request(n.PreferencesIn, channels=channels, digest=digest, digest_hour=digest_hour)
        return await CHOOSE(self._services, caller, body=body)

    async def set_webhook(self, caller: Caller, url: str) -> n.WebhookSet:
        return await SET_WEBHOOK(self._services, caller, body=request(n.WebhookIn, url=url))

    async def remove_webhook(self, caller: Caller) -> None:
        await REMOVE_WEBHOOK(self._services, caller)

    async def deliveries(
        self, caller: Caller, *, cursor: str | None, limit: int
    ) -> n.PageDeliveryView:
        query: dict[str, Any] = {"cursor": cursor, "limit": limit}
        return await DELIVERIES(self._services, caller, query=query)

    async def unsubscribe(self, token: str) -> n.Unsubscribed:
        return await UNSUBSCRIBE(self._services, None, body=request(n.Unsubscribe, token=token))

    async def reset_email(
        self, member_id: str, *, email: str, name: str, link: str, expires_at: datetime
    ) -> n.ResetLinkSent:
        body = request(n.ResetLinkIn, email=email, name=name, link=link, expires_at=expires_at)
        return await RESET_EMAIL(self._services, None, member_id=member_id, body=body)
