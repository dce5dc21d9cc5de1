"""The members read model, kept from membership's facts: names for mentions, regions, and when
a member was approved (the new-member posting rate). Each change applies only if newer than
what is recorded, so a redelivered fact changes nothing."""

from __future__ import annotations

from datetime import datetime

from services.conversations.stores import Stores

# What an erased member is called from then on: their posts stay, so that the conversation
# still makes sense, but their name is not kept.
FORMER_MEMBER = "A former member"


async def member_approved(
    stores: Stores, *, member_id: str, name: str, region: str, at: datetime
) -> None:
    changes = {"name": name, "region": region, "status": "active", "approved_at": at}
    await stores.members.apply(member_id, at, changes)


async def profile_updated(
    stores: Stores, *, member_id: str, name: str | None, region: str | None, at: datetime
) -> None:
    changes = {k: v for k, v in (("name", name), ("region", region)) if v}
    await stores.members.apply(member_id, at, changes)


async def member_left(stores: Stores, *, member_id: str, erased: bool, at: datetime) -> None:
    # A mention of them is plain text from now on.
    changes: dict[str, object] = {"status": "left"}
    if erased:
        changes["name"] = FORMER_MEMBER
    await stores.members.apply(member_id, at, changes)
