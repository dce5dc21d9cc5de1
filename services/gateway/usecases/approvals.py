"""What facilitators do for their region (operators for any): the approvals queue (applications
to join and members asking to move in), each approved or declined with a reason; the regional
nodes' keys. The region a page is about is decided here (domain/roles.region_for)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.gateway.clients import Clients
from services.gateway.clients.models import events as e
from services.gateway.clients.models import membership as m
from services.gateway.domain.roles import region_for
from shared.caller import Caller

QUEUE_PAGE = 20
MOVES_SHOWN = 50


def region(caller: Caller, asked: str | None) -> str:
    return region_for(caller.roles, caller.region, asked)


@dataclass(frozen=True)
class Queue:
    region: str
    applications: m.PageMemberView
    moves: m.PageMemberView
    chooses_region: bool
    # The organisations the people waiting name: approving someone into one they proposed
    # confirms it, so the card says so.
    organisations: dict[str, m.OrganisationView]


async def queue(clients: Clients, caller: Caller, asked: str | None, cursor: str | None) -> Queue:
    where = region(caller, asked)
    applications, moves = await asyncio.gather(
        clients.membership.applications(caller, region=where, cursor=cursor, limit=QUEUE_PAGE),
        clients.membership.moves(caller, region=where, limit=MOVES_SHOWN),
    )
    named = [a.organisation_id for a in applications.items if a.organisation_id]
    named += [m.move.organisation_id for m in moves.items if m.move and m.move.organisation_id]
    organisations = await clients.membership.organisations_named(named)
    return Queue(
        where,
        applications,
        moves,
        chooses_region="operator" in caller.roles,
        organisations=organisations,
    )


async def approve(clients: Clients, caller: Caller, member_id: str) -> m.MemberView:
    return await clients.membership.approve(caller, member_id)


async def decline(clients: Clients, caller: Caller, member_id: str, reason: str) -> None:
    await clients.membership.decline(caller, member_id, reason)


async def approve_move(clients: Clients, caller: Caller, member_id: str) -> m.MemberView:
    return await clients.membership.approve_move(caller, member_id)


async def decline_move(clients: Clients, caller: Caller, member_id: str, reason: str) -> None:
    await clients.membership.decline_move(caller, member_id, reason)


@dataclass(frozen=True)
class Keys:
    region: str
    page: e.PageKeyView
    chooses_region: bool


async def node_keys(
    clients: Clients, caller: Caller, asked: str | None, cursor: str | None = None
) -> Keys:
    where = region(caller, asked)
    page = await clients.events.node_keys(caller, where, cursor=cursor)
    return Keys(where, page, chooses_region="operator" in caller.roles)


async def issue_key(clients: Clients, caller: Caller, asked: str | None, label: str) -> e.IssuedKey:
    """A new key for the region's node, shown once (the events service keeps only its hash)."""
    return await clients.events.issue_key(caller, region(caller, asked), label)


async def revoke_key(clients: Clients, caller: Caller, asked: str, key_id: str) -> str:
    where = region(caller, asked)
    await clients.events.revoke_key(caller, where, key_id)
    return where
