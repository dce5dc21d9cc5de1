"""Moves: a member asks to move region or organisation, and a facilitator of the
destination decides (authority hangs on both, so no member changes them alone)."""

from __future__ import annotations

from services.membership.domain.member import Member, check_region
from services.membership.domain.organisation import Organisation
from services.membership.domain.permissions import require_region_authority
from services.membership.stores import Stores
from services.membership.usecases.common import actor_of, change_member, get_member
from services.membership.usecases.organisations import confirm_with_member, organisation_to_join
from shared.errors import Forbidden
from shared.logs import security_event


async def request_move(
    stores: Stores,
    *,
    actor_id: str,
    member_id: str,
    region: str,
    organisation_id: str | None,
    proposed_organisation: str | None = None,
) -> Member:
    """`proposed_organisation`: the name of one that is not listed, proposed by the member;
    the facilitator who approves the move confirms it."""
    region = check_region(region)
    if proposed_organisation and not organisation_id:
        if actor_id != member_id:
            raise Forbidden("not_your_profile", "Members ask to move only themselves")
        proposal = Organisation.propose(
            organisation_id=stores.new_id(),
            name=proposed_organisation,
            region=region,
            by=member_id,
        )
        # The member's own rules first, on a copy never saved: a refused move leaves no
        # proposal behind.
        member = await get_member(stores, member_id)
        member.request_move(
            by=member, region=region, organisation_id=proposal.id, now=stores.clock.now()
        )
        await stores.organisations.add(proposal)
        organisation_id = proposal.id
    await organisation_to_join(stores, organisation_id, region=region, member_id=member_id)
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
    await confirm_with_member(stores, actor_id=actor_id, member=moved)
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
