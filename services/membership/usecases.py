"""Membership's use cases: load, decide (domain), save with the facts. Each takes keyword
arguments and returns the changed aggregate or a result; errors are typed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.membership.domain.credentials import token_hash
from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member, Status, check_region, check_roles
from services.membership.domain.organisation import Organisation
from services.membership.domain.passwords import check_strength, hash_password, verify_password
from services.membership.domain.permissions import require_region_authority
from services.membership.domain.profile import Profile
from services.membership.domain.statistics import members_over_time
from services.membership.domain.suggestions import Suggestion, suggest
from services.membership.stores import Stores
from shared.caller import Caller
from shared.emails import normalise_email
from shared.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from shared.logs import security_event
from shared.months import MAX_MONTHS
from shared.reference import Region, regions
from shared.retry import change

SUGGESTION_POOL = 500


async def apply_to_join(
    stores: Stores,
    *,
    name: str,
    email: str,
    password: str | None,
    region: str,
    organisation_id: str | None = None,
    job_title: str = "",
    interests: list[str] | None = None,
    skills: list[str] | None = None,
    bio: str = "",
    links: list[str] | None = None,
    identity: str | None = None,
) -> Member | None:
    """The new applicant, or None when the address is a member's already: then the member is
    told and the caller hears the same as for a new application (the same checks, the same
    work), so applying never reveals who has an account. With an `identity` (an account
    elsewhere whose provider verified the address, as the gateway checked) there is no
    password: the applicant signs in with that account."""
    email = normalise_email(email)
    profile = Profile.create(
        name=name,
        organisation_id=organisation_id,
        job_title=job_title,
        interests=interests or [],
        skills=skills or [],
        bio=bio,
        links=links or [],
    )
    check_region(region)
    await _require_organisation(stores, profile.organisation_id)
    if identity is None:
        if password is None:
            raise Invalid("password_required", "Choose a password")
        check_strength(password, email=email, name=profile.name)
    member = Member.apply(
        member_id=stores.new_id(),
        email=email,
        region=region,
        profile=profile,
        password_hash=hash_password(password) if identity is None and password else None,
        now=stores.clock.now(),
        identity=identity,
    )
    if await stores.members.by_email(email) is None:
        try:
            await stores.members.add(member)
            return member
        except Conflict:
            pass  # applied at the same moment with the same address: the first one stands
    await _applied_again(stores, email)
    return None


async def _applied_again(stores: Stores, email: str) -> None:
    async def load() -> Member:
        found = await stores.members.by_email(email)
        if found is None:
            raise NotFound("member_not_found", "No member with this address")
        return found

    with contextlib.suppress(NotFound):
        await change(stores.members, load, lambda m: m.applied_again(now=stores.clock.now()))


async def approve(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    return await _change(
        stores, actor_id, member_id, lambda m, a: m.approve(by=a, now=stores.clock.now())
    )


async def decline(stores: Stores, *, actor_id: str, member_id: str, reason: str) -> Member:
    return await _change(
        stores,
        actor_id,
        member_id,
        lambda m, a: m.decline(by=a, reason=reason, now=stores.clock.now()),
    )


async def update_profile(
    stores: Stores, *, actor_id: str, member_id: str, changes: dict[str, Any]
) -> Member:
    region = changes.pop("region", None)
    return await _change(
        stores, actor_id, member_id, lambda m, a: m.update_profile(by=a, region=region, **changes)
    )


async def request_move(
    stores: Stores, *, actor_id: str, member_id: str, region: str, organisation_id: str | None
) -> Member:
    organisation = await _require_organisation(stores, organisation_id)
    if organisation is not None and organisation.region != check_region(region):
        raise Invalid(
            "organisation_elsewhere",
            f"{organisation.name} is in {organisation.region}, not {region}",
        )
    return await _change(
        stores,
        actor_id,
        member_id,
        lambda m, a: m.request_move(
            by=a, region=region, organisation_id=organisation_id, now=stores.clock.now()
        ),
    )


async def withdraw_move(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    return await _change(stores, actor_id, member_id, lambda m, a: m.withdraw_move(by=a))


async def approve_move(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    moved = await _change(stores, actor_id, member_id, lambda m, a: m.approve_move(by=a))
    security_event(
        "member_moved",
        member_id=member_id,
        by=actor_id,
        region=moved.region,
        roles=sorted(moved.roles),
    )
    return moved


async def decline_move(stores: Stores, *, actor_id: str, member_id: str, reason: str) -> Member:
    return await _change(
        stores, actor_id, member_id, lambda m, a: m.decline_move(by=a, reason=reason)
    )


async def moves_waiting(
    stores: Stores, *, actor_id: str, region: str, cursor: str | None, limit: int
) -> tuple[list[Member], str | None]:
    actor = await _actor(stores, actor_id)
    require_region_authority(actor, check_region(region))
    return await stores.members.moves_waiting(region, cursor=cursor, limit=limit)


async def set_roles(stores: Stores, *, actor_id: str, member_id: str, roles: list[str]) -> Member:
    wanted = check_roles(frozenset(roles))
    if "operator" not in wanted:
        await _keep_an_operator(stores, member_id)
    changed = await _change(
        stores, actor_id, member_id, lambda m, a: m.set_roles(by=a, roles=wanted)
    )
    security_event("roles_set", member_id=member_id, by=actor_id, roles=sorted(changed.roles))
    return changed


async def leave(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    await _keep_an_operator(stores, member_id)
    return await _change(
        stores, actor_id, member_id, lambda m, a: m.leave(by=a, now=stores.clock.now())
    )


async def erase(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    await _keep_an_operator(stores, member_id)
    return await _change(
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


async def sign_in(stores: Stores, *, email: str, password: str) -> Member:
    try:
        email = normalise_email(email)
    except Invalid:
        email = ""
    member = await stores.members.by_email(email) if email else None
    # Verify even when there is no such member, so timing doesn't reveal who has an account.
    ok = verify_password(member.password_hash if member else None, password)
    if member is None or not ok:
        raise Unauthorized("invalid_credentials", "Email or password is not right")
    if member.status in (Status.LEFT, Status.ERASED, Status.DECLINED):
        raise Unauthorized("invalid_credentials", "Email or password is not right")
    return member


async def change_password(
    stores: Stores, *, actor_id: str, member_id: str, current: str, new: str
) -> Member:
    member = await get_member(stores, member_id)
    if actor_id != member_id:
        raise Forbidden("not_your_profile", "Members change only their own password")
    if not verify_password(member.password_hash, current):
        raise Invalid("wrong_password", "Your current password is not right")
    check_strength(new, email=member.email, name=member.profile.name)
    password_hash = hash_password(new)
    return await _change(
        stores,
        actor_id,
        member_id,
        lambda m, a: m.change_password(by=a, password_hash=password_hash, now=stores.clock.now()),
    )


@dataclass(frozen=True)
class ResetLink:
    member_id: str
    email: str
    name: str
    token: str
    expires_at: datetime


async def request_reset(stores: Stores, *, email: str) -> ResetLink | None:
    """A reset link's token for the member with this address; None when there is none (the
    gateway answers the same either way)."""
    try:
        email = normalise_email(email)
    except Invalid:
        return None
    member = await stores.members.by_email(email)
    if member is None:
        return None
    issued: list[ResetLink] = []  # the token exists only in this answer, never stored

    def start(found: Member) -> None:
        issued.clear()
        if (token := found.start_reset(now=stores.clock.now())) and found.reset:
            issued.append(
                ResetLink(found.id, found.email, found.profile.name, token, found.reset.expires_at)
            )

    await change(stores.members, lambda: get_member(stores, member.id), start)
    return issued[0] if issued else None


async def reset_password(stores: Stores, *, token: str, new: str) -> Member:
    found = await stores.members.by_reset_token(token_hash(token))
    if found is None:
        raise Invalid("reset_link_invalid", "This reset link is not valid or was used already")
    check_strength(new, email=found.email, name=found.profile.name)
    password_hash = hash_password(new)
    return await change(
        stores.members,
        lambda: get_member(stores, found.id),
        lambda m: m.complete_reset(
            token=token, password_hash=password_hash, now=stores.clock.now()
        ),
    )


async def sso_sign_in(stores: Stores, *, issuer: str, subject: str, email: str) -> Member | None:
    """The member an account elsewhere signs in as: the one it is linked to, or, the first
    time, the member with the address its provider verified (linked from then on). None when
    no member has that address: the gateway starts an application instead."""
    identity = f"{issuer}#{subject}"
    member = await stores.members.by_identity(identity)
    if member is None:
        member = await stores.members.by_email(normalise_email(email))
        if member is None:
            return None
        if member.may_sign_in():
            found = member.id
            member = await change(
                stores.members,
                lambda: get_member(stores, found),
                lambda m: m.link_identity(identity),
            )
            security_event("identity_linked", member_id=member.id, issuer=issuer)
    if not member.may_sign_in():
        raise Unauthorized("invalid_credentials", "This account cannot sign in")
    return member


async def get_member(stores: Stores, member_id: str) -> Member:
    member = await stores.members.get(member_id)
    if member is None or member.status is Status.ERASED:
        raise NotFound("member_not_found", f"No member {member_id}")
    return member


async def names(stores: Stores, *, caller: Caller, member_ids: list[str]) -> dict[str, str]:
    """Members' names to show beside what they wrote; the erased are left out."""
    if not caller.has("member"):
        raise Forbidden("not_permitted", "Only members can do this")
    return await stores.members.names(list(dict.fromkeys(member_ids)))


async def search_directory(
    stores: Stores, *, query: DirectoryQuery, cursor: str | None, limit: int
) -> tuple[list[Member], str | None]:
    return await stores.members.search(query, cursor=cursor, limit=limit)


async def pending_applications(
    stores: Stores, *, actor_id: str, region: str, cursor: str | None, limit: int
) -> tuple[list[Member], str | None]:
    actor = await _actor(stores, actor_id)
    require_region_authority(actor, check_region(region))
    query = DirectoryQuery.of(status=Status.PENDING, region=region)
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


async def register_organisation(
    stores: Stores, *, actor_id: str, name: str, region: str, ods_code: str | None
) -> Organisation:
    actor = await _actor(stores, actor_id)
    require_region_authority(actor, check_region(region))
    organisation = Organisation.register(
        organisation_id=stores.new_id(), name=name, region=region, ods_code=ods_code
    )
    await stores.organisations.add(organisation)
    return organisation


async def organisations_page(
    stores: Stores, *, region: str | None, cursor: str | None, limit: int
) -> tuple[list[Organisation], str | None]:
    return await stores.organisations.page(
        region=check_region(region) if region else None, cursor=cursor, limit=limit
    )


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


async def ensure_operator(
    stores: Stores, *, email: str, name: str, password: str, region: str
) -> Member | None:
    """Bootstraps the first operator (someone must approve the first applicants)."""
    if await stores.members.any_with_role("operator"):
        return None
    member = await stores.members.by_email(normalise_email(email))
    if member is None:
        member = await apply_to_join(
            stores, name=name, email=email, password=password, region=region
        )
    if member is None:  # registered at the same moment by another instance
        return None
    member.appoint_first_operator(now=stores.clock.now())
    await stores.members.save(member)
    return member


async def _require_organisation(stores: Stores, organisation_id: str | None) -> Organisation | None:
    if not organisation_id:
        return None
    found = await stores.organisations.get(organisation_id)
    if found is None:
        raise Invalid("unknown_organisation", f"No organisation {organisation_id}")
    return found


async def _actor(stores: Stores, actor_id: str) -> Member:
    actor = await stores.members.get(actor_id)
    if actor is None:
        raise Forbidden("unknown_caller", "The caller is not a member")
    return actor


async def _change(
    stores: Stores, actor_id: str, member_id: str, decide: Callable[[Member, Member], None]
) -> Member:
    async def load() -> Member:
        member = await stores.members.get(member_id)
        if member is None:
            raise NotFound("member_not_found", f"No member {member_id}")
        return member

    actor = None if actor_id == member_id else await _actor(stores, actor_id)
    return await change(stores.members, load, lambda member: decide(member, actor or member))
