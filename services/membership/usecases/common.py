"""What the use cases share: loading a member, the caller as a member, one change saved
with its facts (retried on a conflict)."""

from __future__ import annotations

from collections.abc import Callable

from services.membership.domain.member import Member, Status
from services.membership.stores import Stores
from shared.errors import Forbidden, NotFound
from shared.retry import change


async def actor_of(stores: Stores, actor_id: str) -> Member:
    actor = await stores.members.get(actor_id)
    if actor is None:
        raise Forbidden("unknown_caller", "The caller is not a member")
    return actor


async def change_member(
    stores: Stores, actor_id: str, member_id: str, decide: Callable[[Member, Member], None]
) -> Member:
    async def load() -> Member:
        member = await stores.members.get(member_id)
        if member is None:
            raise NotFound("member_not_found", f"No member {member_id}")
        return member

    actor = None if actor_id == member_id else await actor_of(stores, actor_id)
    return await change(stores.members, load, lambda member: decide(member, actor or member))


async def get_member(stores: Stores, member_id: str) -> Member:
    member = await stores.members.get(member_id)
    if member is None or member.status is Status.ERASED:
        raise NotFound("member_not_found", f"No member {member_id}")
    return member
