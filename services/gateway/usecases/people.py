"""People: the directory, a member's page (with the connections suggested for them, their
contribution record, and whether the caller may change their roles), and the caller's own
profile with the move they may ask for. Orchestration and permission decisions here; the
pages only read the form and render."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.gateway.clients import Clients
from services.gateway.clients.models import membership as m
from services.gateway.clients.operations import request
from services.gateway.domain.roles import grantable, roles_after
from shared.caller import Caller

DIRECTORY_PAGE = 20
SUGGESTIONS = 5


@dataclass(frozen=True)
class Person:
    member: m.MemberView
    suggestions: list[m.SuggestionView]
    record: dict[str, int]
    mine: bool
    # The roles the caller may give or take away here: none unless they manage the member.
    grantable: dict[str, str]


async def person(clients: Clients, caller: Caller, member_id: str) -> Person:
    member, suggestions, record = await asyncio.gather(
        clients.membership.member(caller, member_id),
        clients.membership.suggestions(caller, member_id, limit=SUGGESTIONS),
        clients.membership.contributions(caller, member_id),
    )
    manages = caller.governs(member.region) and member.status == "active"
    return Person(
        member=member,
        suggestions=suggestions,
        record=record,
        mine=member_id == caller.member_id,
        grantable=grantable(caller.roles) if manages else {},
    )


async def directory(
    clients: Clients, caller: Caller, filters: dict[str, str], cursor: str | None
) -> m.PageMemberView:
    given = {k: v for k, v in filters.items() if v}
    return await clients.membership.directory(caller, cursor=cursor, limit=DIRECTORY_PAGE, **given)


@dataclass(frozen=True)
class Profile:
    me: m.MemberView
    organisation_names: dict[str, str]  # theirs, and the one they ask to move to


async def profile(clients: Clients, caller: Caller) -> Profile:
    me = await clients.membership.member(caller, caller.member_id)
    ids = [i for i in (me.organisation_id, me.move.organisation_id if me.move else None) if i]
    named = await clients.membership.organisations_named(ids)
    return Profile(me, {i: o.name for i, o in named.items()})


async def change_profile(
    clients: Clients,
    caller: Caller,
    *,
    name: str,
    job_title: str,
    interests: list[str],
    skills: list[str],
    bio: str,
    links: list[str],
) -> m.MemberView:
    changes = request(
        m.ProfileChanges,
        name=name,
        job_title=job_title,
        interests=interests,
        skills=skills,
        bio=bio,
        links=links,
    )
    return await clients.membership.change_profile(caller, caller.member_id, changes)


async def ask_to_move(
    clients: Clients,
    caller: Caller,
    *,
    region: str,
    organisation_id: str | None,
    proposed_organisation: str | None = None,
) -> m.MemberView:
    return await clients.membership.ask_to_move(
        caller,
        caller.member_id,
        region=region,
        organisation_id=organisation_id,
        proposed_organisation=proposed_organisation,
    )


async def withdraw_move(clients: Clients, caller: Caller) -> m.MemberView:
    return await clients.membership.withdraw_move(caller, caller.member_id)


async def set_roles(
    clients: Clients, caller: Caller, member_id: str, chosen: list[str]
) -> m.MemberView:
    """Sets the roles the caller may give (membership checks the same); the member keeps the
    others as they were."""
    member = await clients.membership.member(caller, member_id)
    roles = roles_after(member.roles, chosen, grantable(caller.roles))
    return await clients.membership.set_roles(caller, member_id, roles)
