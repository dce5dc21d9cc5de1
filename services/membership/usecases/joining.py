"""Joining: applying (the same answer whether or not the address has an account), a
facilitator's decision, the queue of applications, and the first operator."""

from __future__ import annotations

import contextlib

from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import Member, Status, check_region
from services.membership.domain.organisation import Organisation
from services.membership.domain.passwords import check_strength, hash_password
from services.membership.domain.permissions import require_region_authority
from services.membership.domain.profile import Profile
from services.membership.stores import Stores
from services.membership.usecases.common import actor_of, change_member
from services.membership.usecases.organisations import confirm_with_member, organisation_to_join
from shared.emails import normalise_email
from shared.errors import Conflict, Invalid, NotFound
from shared.retry import change


async def apply_to_join(
    stores: Stores,
    *,
    name: str,
    email: str,
    password: str | None,
    region: str,
    organisation_id: str | None = None,
    proposed_organisation: str | None = None,
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
    password: the applicant signs in with that account. `proposed_organisation`: the name of
    theirs when it is not listed; it is proposed, and the facilitator who approves them
    confirms it."""
    email = normalise_email(email)
    member_id = stores.new_id()
    proposal = (
        Organisation.propose(
            organisation_id=stores.new_id(), name=proposed_organisation, region=region, by=member_id
        )
        if proposed_organisation and not organisation_id
        else None
    )
    profile = Profile.create(
        name=name,
        organisation_id=proposal.id if proposal else organisation_id,
        job_title=job_title,
        interests=interests or [],
        skills=skills or [],
        bio=bio,
        links=links or [],
    )
    check_region(region)
    if proposal is None:
        await organisation_to_join(stores, profile.organisation_id, region=region)
    if identity is None:
        if password is None:
            raise Invalid("password_required", "Choose a password")
        check_strength(password, email=email, name=profile.name)
    member = Member.apply(
        member_id=member_id,
        email=email,
        region=region,
        profile=profile,
        password_hash=hash_password(password) if identity is None and password else None,
        now=stores.clock.now(),
        identity=identity,
    )
    if await stores.members.by_email(email) is None:
        try:
            if proposal is not None:
                # Before the member, so their profile never names what does not exist.
                await stores.organisations.add(proposal)
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
    approved = await change_member(
        stores, actor_id, member_id, lambda m, a: m.approve(by=a, now=stores.clock.now())
    )
    await confirm_with_member(stores, actor_id=actor_id, member=approved)
    return approved


async def decline(stores: Stores, *, actor_id: str, member_id: str, reason: str) -> Member:
    return await change_member(
        stores,
        actor_id,
        member_id,
        lambda m, a: m.decline(by=a, reason=reason, now=stores.clock.now()),
    )


async def pending_applications(
    stores: Stores, *, actor_id: str, region: str, cursor: str | None, limit: int
) -> tuple[list[Member], str | None]:
    actor = await actor_of(stores, actor_id)
    require_region_authority(actor, check_region(region))
    query = DirectoryQuery.of(status=Status.PENDING, region=region)
    return await stores.members.search(query, cursor=cursor, limit=limit)


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
