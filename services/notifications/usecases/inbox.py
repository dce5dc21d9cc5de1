"""A member's inbox, preferences and delivery log; a regional node's webhook; one-click
unsubscribe."""

from __future__ import annotations

from dataclasses import replace

from services.notifications.domain import webhooks
from services.notifications.domain.notifications import Delivery, InboxItem
from services.notifications.domain.preferences import Preferences
from services.notifications.stores import Stores
from services.notifications.usecases.emails import read_unsubscribe_token
from shared.caller import Caller
from shared.errors import Forbidden, Invalid, NotFound


def _own(caller: Caller) -> str:
    if not caller.has("member"):
        raise Forbidden("not_a_member", "Only members have an inbox")
    return caller.member_id


async def page(
    stores: Stores, *, caller: Caller, cursor: str | None, limit: int, unread_only: bool
) -> tuple[list[InboxItem], str | None]:
    return await stores.inbox.page(
        _own(caller), cursor=cursor, limit=limit, unread_only=unread_only
    )


async def unread(stores: Stores, *, caller: Caller) -> int:
    return await stores.inbox.unread(_own(caller))


async def mark_read(stores: Stores, *, caller: Caller, item_id: str) -> None:
    if not await stores.inbox.mark_read(_own(caller), item_id, stores.clock.now()):
        raise NotFound("no_such_notification", "You have no such notification")


async def mark_all_read(stores: Stores, *, caller: Caller) -> int:
    return await stores.inbox.mark_all_read(_own(caller), stores.clock.now())


async def preferences(stores: Stores, *, caller: Caller) -> Preferences:
    member = await stores.directory.get(_own(caller))
    return member.preferences if member else Preferences()


async def change_preferences(
    stores: Stores,
    *,
    caller: Caller,
    channels: dict[str, list[str]] | None,
    digest: str | None,
    digest_hour: int | None,
) -> Preferences:
    member_id = _own(caller)
    preferences = await _known(stores, member_id)
    changed = preferences.changed(channels=channels, digest=digest, digest_hour=digest_hour)
    if channels:
        changed = replace(changed, chosen_at=int(stores.clock.now().timestamp()))
    await stores.directory.set_preferences(member_id, changed)
    return changed


async def _known(stores: Stores, member_id: str) -> Preferences:
    member = await stores.directory.get(member_id)
    if member is None:
        raise NotFound("not_known_yet", "Your membership has not reached notifications yet")
    return member.preferences


async def set_webhook(stores: Stores, *, caller: Caller, url: str) -> tuple[str, str]:
    """A regional node's receiver for what the caller is sent: the address and a new secret
    (shown once; setting the webhook again makes a new one)."""
    member_id = _own(caller)
    if not caller.roles & webhooks.KEEPERS:
        raise Forbidden("not_a_node_keeper", "Webhooks are for regional nodes' facilitators")
    checked = webhooks.checked_url(url, allow_http=stores.allow_http_webhooks)
    await stores.webhooks.check(checked)
    secret = webhooks.new_secret()
    preferences = await _known(stores, member_id)
    await stores.directory.set_preferences(member_id, preferences.with_webhook(checked, secret))
    return checked, secret


async def remove_webhook(stores: Stores, *, caller: Caller) -> None:
    member_id = _own(caller)
    preferences = await _known(stores, member_id)
    await stores.directory.set_preferences(member_id, preferences.with_webhook(None, None))


async def delivery_log(
    stores: Stores, *, caller: Caller, channel: str | None, cursor: str | None, limit: int
) -> tuple[list[Delivery], str | None]:
    return await stores.deliveries.log(_own(caller), channel=channel, cursor=cursor, limit=limit)


async def unsubscribe(stores: Stores, *, token: str) -> list[str]:
    """The categories the link stopped email for (a second click changes nothing). A link
    lasts a year, and stops working once the member chooses their channels again after it
    was sent: an old email cannot undo a later choice."""
    member_id, categories, issued = read_unsubscribe_token(
        stores.unsubscribe_secret, token, stores.clock.now()
    )
    member = await stores.directory.get(member_id)
    if member is None:
        raise NotFound("not_known", "This link's member is not known")
    preferences = member.preferences
    if preferences.chosen_at is not None and issued < preferences.chosen_at:
        raise Invalid(
            "unsubscribe_link_stale",
            "You chose what you get after this email was sent: change it on your preferences"
            " page instead",
        )
    for category in categories:
        preferences = preferences.unsubscribed(category)
    await stores.directory.set_preferences(member_id, preferences)
    return [c.value for c in categories]
