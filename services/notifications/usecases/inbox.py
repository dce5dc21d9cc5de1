"""A member's inbox and preferences, and one-click unsubscribe."""

from __future__ import annotations

from services.notifications.domain.notifications import InboxItem
from services.notifications.domain.preferences import Preferences
from services.notifications.stores import Stores
from services.notifications.usecases.emails import read_unsubscribe_token
from shared.caller import Caller
from shared.errors import Forbidden, NotFound


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
    member = await stores.directory.get(member_id)
    if member is None:
        raise NotFound("not_known_yet", "Your membership has not reached notifications yet")
    changed = member.preferences.changed(channels=channels, digest=digest, digest_hour=digest_hour)
    await stores.directory.set_preferences(member_id, changed)
    return changed


async def unsubscribe(stores: Stores, *, token: str) -> str:
    """The category the link stopped email for (idempotent: a second click changes nothing)."""
    member_id, category = read_unsubscribe_token(stores.unsubscribe_secret, token)
    member = await stores.directory.get(member_id)
    if member is None:
        raise NotFound("not_known", "This link's member is not known")
    await stores.directory.set_preferences(member_id, member.preferences.unsubscribed(category))
    return category.value
