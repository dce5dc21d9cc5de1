"""Moves: a member asks to move region or organisation, and a facilitator of the
destination decides (authority hangs on both, so no member changes them alone)."""

from __future__ import annotations

from services.membership.domain.member import Member, check_region
from services.membership.domain.permissions import require_region_authority
from services.membership.stores import Stores
from services.membership.usecases.common import (
    actor_of,
    change_member,
    require_organisation,
)
from shared.errors import Invalid
from shared.logs import security_event


async def request_move(
    stores: Stores, *, actor_id: str, member_id: str, region: str, organisation_id: str | None
) -> Member:
    organisation = await require_organisation(stores, organisation_id)
    if organisation is not None and organisation.region != check_region(region):
        raise Invalid(
            "organisation_elsewhere",
            f"{organisation.name} is in {organisation.region}, not {region}",
        )
    return await change_member(
        stores,
        actor_id,
        member_id,
        lambda m, a: m.request_move(
            by=a, region=region, organisation_id=organisation_id, now=stores.clock.now()
        ),
    )


async def withdraw_move(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    return await change_member(stores, actor_id, member_id, lambda m, a: m.withdraw_move(by=a))


async def approve_move(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    moved = await change_member(stores, actor_id, member_id, lambda m, a: m.approve_move(by=a))
    security_event(
        "member_moved",
        member_id=member_id,
        by=actor_id,
        region=moved.region,
        roles=sorted(moved.roles),
    )
    return moved


async def decline_move(stores: Stores, *, actor_id: str, member_id: str, reason: str) -> Member:
    return await change_member(
        stores, actor_id, member_id, lambda m, a: m.decline_move(by=a, reason=reason)
    )


async def moves_waiting(
    stores: Stores, *, actor_id: str, region: str, cursor: str | None, limit: int
) -> tuple[list[Member], str | None]:
    actor = await actor_of(stores, actor_id)
    require_region_authority(actor, check_region(region))
    return await stores.members.moves_waiting(region, cursor=cursor, limit=limit)
