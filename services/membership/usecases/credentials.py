"""Credentials: signing in with a password, changing it, resetting it by a link, and
signing in with an account elsewhere (an NHS account) linked by its verified address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.membership.domain.credentials import token_hash
from services.membership.domain.member import Member, Status
from services.membership.domain.passwords import check_strength, hash_password, verify_password
from services.membership.stores import Stores
from services.membership.usecases.common import (
    change_member,
    get_member,
)
from shared.emails import normalise_email
from shared.errors import Forbidden, Invalid, Unauthorized
from shared.logs import security_event
from shared.retry import change


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
    return await change_member(
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
