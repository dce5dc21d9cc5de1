"""Membership's use cases: load, decide (domain), save with the events. Each takes keyword
arguments and returns the changed aggregate or a result; errors are typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.membership.domain.member import Member, Status, check_region, check_roles
from services.membership.domain.organisation import Organisation
from services.membership.domain.passwords import check_strength, hash_password, verify_password
from services.membership.domain.permissions import require_region_authority
from services.membership.domain.profile import Profile, normalise_email, normalise_tags
from services.membership.domain.suggestions import Suggestion, suggest
from services.membership.repository import (
    ContributionRepository,
    MemberRepository,
    OrganisationRepository,
    StaleMember,
)
from shared.clock import Clock, new_id
from shared.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized

SAVE_ATTEMPTS = 5
SUGGESTION_POOL = 500


@dataclass
class Stores:
    members: MemberRepository
    organisations: OrganisationRepository
    contributions: ContributionRepository
    clock: Clock
    new_id: Callable[[], str] = field(default=new_id)


async def apply_to_join(
    stores: Stores,
    *,
    name: str,
    email: str,
    password: str,
    region: str,
    organisation_id: str | None = None,
    job_title: str = "",
    interests: list[str] | None = None,
    skills: list[str] | None = None,
    bio: str = "",
    links: list[str] | None = None,
) -> Member:
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
    check_strength(password, email=email, name=profile.name)
    member = Member.apply(
        member_id=stores.new_id(),
        email=email,
        region=region,
        profile=profile,
        password_hash=hash_password(password),
        now=stores.clock.now(),
    )
    await stores.members.add(member)
    return member


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
    if "organisation_id" in changes:
        await _require_organisation(stores, changes["organisation_id"])
    region = changes.pop("region", None)
    return await _change(
        stores, actor_id, member_id, lambda m, a: m.update_profile(by=a, region=region, **changes)
    )


async def set_roles(stores: Stores, *, actor_id: str, member_id: str, roles: list[str]) -> Member:
    wanted = check_roles(frozenset(roles))
    return await _change(stores, actor_id, member_id, lambda m, a: m.set_roles(by=a, roles=wanted))


async def leave(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    return await _change(stores, actor_id, member_id, lambda m, a: m.leave(by=a))


async def erase(stores: Stores, *, actor_id: str, member_id: str) -> Member:
    return await _change(stores, actor_id, member_id, lambda m, a: m.erase(by=a))


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


async def get_member(stores: Stores, member_id: str) -> Member:
    member = await stores.members.get(member_id)
    if member is None or member.status is Status.ERASED:
        raise NotFound("member_not_found", f"No member {member_id}")
    return member


@dataclass(frozen=True)
class DirectoryQuery:
    name: str | None = None
    region: str | None = None
    organisation_id: str | None = None
    interest: str | None = None
    skill: str | None = None
    role: str | None = None

    def criteria(self) -> dict[str, Any]:
        criteria: dict[str, Any] = {"status": Status.ACTIVE.value}
        if self.name:
            # A case-insensitive prefix on the stored lower-case name: an index range scan.
            prefix = " ".join(self.name.lower().split())
            criteria["name_lower"] = {"$gte": prefix, "$lt": prefix + "\uffff"}
        if self.region:
            criteria["region"] = check_region(self.region)
        if self.organisation_id:
            criteria["organisation_id"] = self.organisation_id
        if self.interest:
            criteria["interests"] = normalise_tags([self.interest], "interest")[0]
        if self.skill:
            criteria["skills"] = normalise_tags([self.skill], "skill")[0]
        if self.role:
            criteria["roles"] = next(iter(check_roles(frozenset({self.role}))))
        return criteria


async def search_directory(
    stores: Stores, *, query: DirectoryQuery, cursor: str | None, limit: int
) -> tuple[list[Member], str | None]:
    return await stores.members.search(query.criteria(), cursor=cursor, limit=limit)


async def pending_applications(
    stores: Stores, *, actor_id: str, region: str, cursor: str | None, limit: int
) -> tuple[list[Member], str | None]:
    actor = await _actor(stores, actor_id)
    require_region_authority(actor, check_region(region))
    criteria = {"status": Status.PENDING.value, "region": region}
    return await stores.members.search(criteria, cursor=cursor, limit=limit)


async def suggestions_for(stores: Stores, *, member_id: str, limit: int) -> list[Suggestion]:
    member = await get_member(stores, member_id)
    pool = await stores.members.candidates_for(member, SUGGESTION_POOL)
    return suggest(member, pool, limit)


async def register_organisation(
    stores: Stores, *, actor_id: str, name: str, region: str, ods_code: str | None
) -> Organisation:
    actor = await _actor(stores, actor_id)
    if not actor.has("operator") and not (actor.has("facilitator") and actor.region == region):
        raise Forbidden(
            "not_permitted", "Operators, or facilitators of the region, add organisations"
        )
    organisation = Organisation.register(
        organisation_id=stores.new_id(), name=name, region=region, ods_code=ods_code
    )
    await stores.organisations.add(organisation)
    return organisation


async def record_contribution(
    stores: Stores, *, event_id: str, member_id: str, kind: str, ref: str, at: datetime
) -> bool:
    return await stores.contributions.record(
        event_id=event_id, member_id=member_id, kind=kind, ref=ref, at=at
    )


CONTRIBUTION_KINDS = ("events_hosted", "case_studies_shared", "plans_led", "endorsements")


async def contribution_record(stores: Stores, *, member_id: str) -> dict[str, int]:
    await get_member(stores, member_id)
    counts = await stores.contributions.counts(member_id)
    return {kind: counts.get(kind, 0) for kind in CONTRIBUTION_KINDS}


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
    member.appoint_first_operator(now=stores.clock.now())
    await stores.members.save(member)
    return member


async def _require_organisation(stores: Stores, organisation_id: str | None) -> None:
    if organisation_id and await stores.organisations.get(organisation_id) is None:
        raise Invalid("unknown_organisation", f"No organisation {organisation_id}")


async def _actor(stores: Stores, actor_id: str) -> Member:
    actor = await stores.members.get(actor_id)
    if actor is None:
        raise Forbidden("unknown_caller", "The caller is not a member")
    return actor


async def _change(
    stores: Stores, actor_id: str, member_id: str, change: Callable[[Member, Member], None]
) -> Member:
    for _ in range(SAVE_ATTEMPTS):
        member = await stores.members.get(member_id)
        if member is None:
            raise NotFound("member_not_found", f"No member {member_id}")
        actor = member if actor_id == member_id else await _actor(stores, actor_id)
        change(member, actor)
        if not member.events:
            return member  # nothing changed: nothing to write
        try:
            await stores.members.save(member)
        except StaleMember:
            continue
        return member
    raise Conflict("busy", "Others are changing this right now; try again")
