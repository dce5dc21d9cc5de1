"""Members as the network sees them: profiles, roles within remit, leaving and erasure,
the directory, regions' key players, suggestions, organisations and contribution records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member, Status, check_region, check_roles
from services.membership.domain.statistics import members_over_time
from services.membership.domain.suggestions import Suggestion, suggest
from services.membership.stores import Stores
from services.membership.usecases.common import (
    change_member,
    get_member,
)
from shared.caller import Caller
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.logs import security_event
from shared.months import MAX_MONTHS
from shared.reference import Region, regions

SUGGESTION_POOL = 500


async def update_profile(
    stores: Stores, *, actor_id: str, member_id: str, changes: dict[str, Any]
) -> Member:
    region = changes.pop("region", None)
    return await change_member(
        stores, actor_id, member_id, lambda m, a: m.update_profile(by=a, region=region, **changes)
    )


async def set_roles(stores: Stores, *, actor_id: str, member_id: str, roles: list[str]) -> Member:
    wanted = check_roles(frozenset(roles))
    if "operator" not in wanted:
        await _keep_an_operator(stores, member_id)
    changed = await change_member(
        stores, actor_id, member_id, lambda m, a: m.set_roles(by=a, roles=wanted)
    )
    security_event("roles_set", member_id=member_id, by=actor_id, roles=sorted(changed.roles))
    return changed


async def leave(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    await _keep_an_operator(stores, member_id)
    return await change_member(
        stores, actor_id, member_id, lambda m, a: m.leave(by=a, now=stores.clock.now())
    )


async def erase(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    await _keep_an_operator(stores, member_id)
    return await change_member(
        stores, actor_id, member_id, lambda m, a: m.erase(by=a, now=stores.clock.now())
    )


async def _keep_an_operator(stores: Stores, member_id: str) -> None:
    """Someone must approve applicants and keep the catalogue: the last active operator can't
    leave, be erased or lose the role. (Two operators removing each other at the same moment
    could still race; the first-operator bootstrap at the next start repairs that.)"""
    member = await stores.members.get(member_id)
    if member is None or not member.has("operator"):
        return
    if await stores.members.count_active_with_role("operator") <= 1:
        raise Conflict(
            "last_operator", "The network would be left without an operator: appoint another first"
        )


async def names(stores: Stores, *, caller: Caller, member_ids: list[str]) -> dict[str, str]:
    """Members' names to show beside what they wrote; the erased are left out."""
    if not caller.has("member"):
        raise Forbidden("not_permitted", "Only members can do this")
    return await stores.members.names(list(dict.fromkeys(member_ids)))


async def search_directory(
    stores: Stores, *, query: DirectoryQuery, cursor: str | None, limit: int
) -> tuple[list[Member], str | None]:
    return await stores.members.search(query, cursor=cursor, limit=limit)


async def member_page(stores: Stores, *, caller: Caller, member_id: str) -> Member:
    """Members see each other; an applicant, their own application and nothing else. An
    application (pending or declined) is seen only by its applicant and those who decide it:
    to others it is as if there were no such member."""
    if caller.member_id == member_id:
        return await get_member(stores, member_id)
    if not caller.has("member"):
        raise Forbidden("not_permitted", "Only members can do this")
    member = await get_member(stores, member_id)
    if member.status in (Status.PENDING, Status.DECLINED) and not caller.governs(member.region):
        raise NotFound("member_not_found", f"No member {member_id}")
    return member


@dataclass(frozen=True)
class RegionOverview:
    region: Region
    members: int
    key_players: list[Member]


async def region_overview(stores: Stores, *, code: str) -> RegionOverview:
    """A region and its key players: facilitators, sponsors and the core group."""
    found = regions()[check_region(code)]
    return RegionOverview(
        region=found,
        members=await stores.members.count_active(code),
        key_players=await stores.members.key_players(code),
    )


async def suggestions_for(stores: Stores, *, member_id: str, limit: int) -> list[Suggestion]:
    member = await get_member(stores, member_id)
    pool = await stores.members.candidates_for(member, SUGGESTION_POOL)
    return suggest(member, pool, limit)


async def record_contribution(
    stores: Stores, *, event_id: str, member_id: str, kind: str, ref: str, at: datetime
) -> bool:
    return await stores.contributions.record(
        event_id=event_id, member_id=member_id, kind=kind, ref=ref, at=at
    )


async def withdraw_contribution(stores: Stores, *, key: str) -> None:
    await stores.contributions.withdraw(key)


CONTRIBUTION_KINDS = (
    "events_hosted",
    "events_attended",
    "case_studies_shared",
    "plans_led",
    "endorsements",
    "posts",
    "answers_accepted",
)


async def contribution_record(stores: Stores, *, member_id: str) -> dict[str, int]:
    await get_member(stores, member_id)
    counts = await stores.contributions.counts(member_id)
    return {kind: counts.get(kind, 0) for kind in CONTRIBUTION_KINDS}


CONTRIBUTION_WINDOW = timedelta(days=90)


async def network_statistics(stores: Stores, *, months: int) -> dict[str, Any]:
    """Members per region at each month's end, and the share of active members who
    contributed (hosted, attended, shared, led, endorsed) in the last 90 days."""
    if not 1 <= months <= MAX_MONTHS:
        raise Invalid("invalid_months", f"Ask for 1 to {MAX_MONTHS} months")
    now = stores.clock.now()
    movements = await stores.members.movements()
    active = sum((await stores.members.active_per_region()).values())
    # Of today's active members: one who contributed and then left is not in the share.
    contributed = await stores.contributions.contributors_since(now - CONTRIBUTION_WINDOW)
    contributors = await stores.members.count_active_among(contributed)
    return {
        "members": members_over_time(movements, now=now, months=months),
        "active_members": active,
        "contributors_90_days": contributors,
        "contributing_share": round(contributors / active, 4) if active else 0.0,
    }
