"""What members follow: recommendations and plans."""

from __future__ import annotations

from services.recommendations import facts
from services.recommendations.domain.permissions import require_member
from services.recommendations.stores import Follow, Stores
from services.recommendations.usecases.catalogue import recommendation
from services.recommendations.usecases.plans import plan
from shared.caller import Caller
from shared.errors import Invalid

FOLLOWABLE = ("recommendation", "plan")


async def follow(stores: Stores, *, caller: Caller, kind: str, target: str, on: bool) -> None:
    require_member(caller)
    if kind not in FOLLOWABLE:
        raise Invalid("not_followable", f"Members follow a {' or a '.join(FOLLOWABLE)}")
    region = None
    if kind == "recommendation":
        await recommendation(stores, target)
    else:
        region = (await plan(stores, target)).region
    what = {"member_id": caller.member_id, "kind": kind, "target": target, "region": region}
    if on:
        await stores.follows.follow(facts.FollowStarted(**what), stores.clock.now())
    else:
        await stores.follows.unfollow(facts.FollowStopped(**what))


async def follows_of(
    stores: Stores, *, caller: Caller, cursor: str | None, limit: int
) -> tuple[list[Follow], str | None]:
    return await stores.follows.page(caller.member_id, cursor=cursor, limit=limit)
