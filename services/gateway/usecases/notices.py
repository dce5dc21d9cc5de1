"""Notifications in the site: the inbox and its unread count, opening or marking read,
preferences (per category and channel, digest; a regional node's webhook for those who keep
one), the delivery log and one-click unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.clients import Clients
from services.gateway.clients.http import ServiceRefused, ServiceUnavailable
from services.gateway.clients.models import notifications as n
from services.gateway.domain.notices import chosen_channels
from shared.caller import Caller

INBOX_PAGE = 20
DELIVERIES_PAGE = 25


async def unread_count(clients: Clients, caller: Caller) -> int | None:
    """The member's unread count, or None while notifications is away (pages still show)."""
    try:
        return await clients.notifications.unread(caller)
    except (ServiceUnavailable, ServiceRefused):
        return None


@dataclass(frozen=True)
class Inbox:
    page: n.PageNotificationView
    unread: int | None


async def inbox(clients: Clients, caller: Caller, *, cursor: str | None, unread: bool) -> Inbox:
    page = await clients.notifications.inbox(caller, cursor=cursor, limit=INBOX_PAGE, unread=unread)
    return Inbox(page, await unread_count(clients, caller))


def where_it_points(link: str) -> str:
    """A notification's link, if it is a path on this site; home otherwise."""
    return link if link.startswith("/") and not link.startswith("//") else "/"


async def open_one(clients: Clients, caller: Caller, notification_id: str, link: str) -> str:
    """Marks it read; where to go next."""
    await clients.notifications.read(caller, notification_id)
    return where_it_points(link)


async def read_all(clients: Clients, caller: Caller) -> None:
    await clients.notifications.read_all(caller)


async def preferences(clients: Clients, caller: Caller) -> n.PreferencesView:
    return await clients.notifications.preferences(caller)


async def choose(
    clients: Clients,
    caller: Caller,
    *,
    ticked: dict[str, list[str]],
    digest: str,
    digest_hour: int,
) -> n.PreferencesView:
    channels = chosen_channels(caller.roles, ticked)
    return await clients.notifications.choose(
        caller, channels=channels, digest=digest, digest_hour=digest_hour
    )


@dataclass(frozen=True)
class WebhookSet:
    preferences: n.PreferencesView
    secret: str


async def set_webhook(clients: Clients, caller: Caller, url: str) -> WebhookSet:
    """The node's receiver; its signing secret is shown once, with the page this answers."""
    answer = await clients.notifications.set_webhook(caller, url)
    return WebhookSet(await clients.notifications.preferences(caller), answer.secret)


async def remove_webhook(clients: Clients, caller: Caller) -> None:
    await clients.notifications.remove_webhook(caller)


async def deliveries(clients: Clients, caller: Caller, cursor: str | None) -> n.PageDeliveryView:
    return await clients.notifications.deliveries(caller, cursor=cursor, limit=DELIVERIES_PAGE)


async def unsubscribe(clients: Clients, token: str) -> list[str]:
    """The categories no longer emailed."""
    return list((await clients.notifications.unsubscribe(token)).categories)
