"""The read model kept from the other services' facts: members (region, roles, interests,
email, status) and who is attached to what (registrations, follows, plan teams). Every
update is applied only if newer than what is recorded, so redelivery changes nothing. Each
fact comes as its reader model (readers.py), which declares all that is read of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.notifications import readers as read
from services.notifications.domain import webhooks
from services.notifications.stores import Stores

PREFIX = read.PREFIX


async def member_fact(stores: Stores, fact: read.MemberFact, as_of: datetime) -> None:
    changes: dict[str, Any] = {}
    match fact:
        case read.MemberApplied():
            changes = {"status": "pending", **_profile(fact)}
        case read.MemberApproved():
            changes = {"status": "active", "roles": fact.roles, **_profile(fact)}
        case read.MemberDeclined():
            changes = {"status": "declined", "name": fact.name, "email": fact.email}
        case read.MemberProfileUpdated():
            changes = _profile(fact)
        case read.MemberRoleChanged():
            changes = {"roles": fact.roles}
        case read.MemberLeft():
            # Erased: nothing personal is kept; left: no more messages either way.
            changes = {"status": "left", "email": None} if fact.erased else {"status": "left"}
    if changes:
        await stores.directory.apply(fact.member_id, as_of, changes)
    if isinstance(fact, read.MemberRoleChanged | read.MemberLeft):
        await _drop_webhook_without_role(stores, fact.member_id)


async def _drop_webhook_without_role(stores: Stores, member_id: str) -> None:
    """A webhook is a facilitator's or operator's: it goes with the role (or the member)."""
    member = await stores.directory.get(member_id)
    if member is None or not member.preferences.webhook_url:
        return
    if not webhooks.may_keep(member.roles, member.status):
        await stores.directory.set_preferences(
            member_id, member.preferences.with_webhook(None, None)
        )


def _profile(
    fact: read.MemberApplied | read.MemberApproved | read.MemberProfileUpdated,
) -> dict[str, Any]:
    found: dict[str, Any] = {"region": fact.region} if fact.region is not None else {}
    if fact.name is not None:
        found["name"] = fact.name
    if isinstance(fact, read.MemberApplied | read.MemberApproved) and fact.email is not None:
        found["email"] = fact.email
    if fact.interests is not None:
        found["interests"] = [str(i).lower() for i in fact.interests]
    return found


async def attachment_fact(
    stores: Stores, event_type: str, fact: read.Regional, as_of: datetime
) -> None:
    """Who is attached to what: registrants, followers, those in a thread, a plan's team."""
    audiences = stores.audiences
    kind = event_type.removeprefix(PREFIX).removesuffix(".v1")
    match fact:
        case read.Registration():
            active = kind != "registration.cancelled"
            await audiences.set("event", fact.event_id, fact.member_id, active=active, as_of=as_of)
        case read.Follow():
            active = kind == "follow.started"
            await audiences.set(fact.kind, fact.target, fact.member_id, active=active, as_of=as_of)
        case read.ThreadStarted() | read.PostAdded():
            # Those who wrote in a thread take part in it: they hear of its replies.
            await audiences.set(
                "thread", fact.thread_id, fact.author_member_id, active=True, as_of=as_of
            )
        case read.ThreadFollowed():
            # Following without writing, or muting one's own thread (following false).
            await audiences.set(
                "thread", fact.thread_id, fact.member_id, active=fact.following, as_of=as_of
            )
        case read.PlanCreated():
            for member_id in {fact.owner_member_id, *fact.co_lead_member_ids}:
                await audiences.set("plan-team", fact.plan_id, member_id, active=True, as_of=as_of)
