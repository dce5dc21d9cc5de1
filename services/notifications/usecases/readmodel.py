"""The read model kept from the other services' facts: members (region, roles, interests,
email, status) and who is attached to what (registrations, follows, plan teams). Every
update is applied only if newer than what is recorded, so redelivery changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.notifications.domain import webhooks
from services.notifications.stores import Stores

PREFIX = "uk.nhs.knet."


async def member_fact(
    stores: Stores, event_type: str, data: dict[str, Any], as_of: datetime
) -> None:
    kind = event_type.removeprefix(PREFIX).removesuffix(".v1")
    member_id = data["member_id"]
    changes: dict[str, Any] = {}
    if kind == "member.applied":
        changes = {"status": "pending", **_profile(data)}
    elif kind == "member.approved":
        changes = {"status": "active", "roles": data.get("roles", ["member"]), **_profile(data)}
    elif kind == "member.declined":
        changes = {"status": "declined", "name": data["name"], "email": data["email"]}
    elif kind == "member.profile_updated":
        changes = _profile(data)
    elif kind == "member.role_changed":
        changes = {"roles": data["roles"]}
    elif kind == "member.left":
        # Erased: nothing personal is kept; left: no more messages either way.
        changes = {"status": "left", "email": None} if data.get("erased") else {"status": "left"}
    if changes:
        await stores.directory.apply(member_id, as_of, changes)
    if kind in ("member.role_changed", "member.left"):
        await _drop_webhook_without_role(stores, member_id)


async def _drop_webhook_without_role(stores: Stores, member_id: str) -> None:
    """A webhook is a facilitator's or operator's: it goes with the role (or the member)."""
    member = await stores.directory.get(member_id)
    if member is None or not member.preferences.webhook_url:
        return
    if not webhooks.may_keep(member.roles, member.status):
        await stores.directory.set_preferences(
            member_id, member.preferences.with_webhook(None, None)
        )


def _profile(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {k: data[k] for k in ("name", "email", "region") if k in data}
    if "interests" in data:
        found["interests"] = [str(i).lower() for i in data["interests"]]
    return found


async def attachment_fact(
    stores: Stores, event_type: str, data: dict[str, Any], as_of: datetime
) -> None:
    kind = event_type.removeprefix(PREFIX).removesuffix(".v1")
    audiences = stores.audiences
    if kind in ("registration.confirmed", "registration.waitlisted", "registration.promoted"):
        await audiences.set("event", data["event_id"], data["member_id"], active=True, as_of=as_of)
    elif kind == "registration.cancelled":
        await audiences.set("event", data["event_id"], data["member_id"], active=False, as_of=as_of)
    elif kind in ("follow.started", "follow.stopped"):
        active = kind == "follow.started"
        await audiences.set(
            data["kind"], data["target"], data["member_id"], active=active, as_of=as_of
        )
    elif kind in ("thread.started", "post.added"):
        # Those who wrote in a thread take part in it: they hear of its replies.
        await audiences.set(
            "thread", data["thread_id"], data["author_member_id"], active=True, as_of=as_of
        )
    elif kind == "thread.followed":
        # Following without writing, or muting one's own thread (following false).
        await audiences.set(
            "thread", data["thread_id"], data["member_id"], active=data["following"], as_of=as_of
        )
    elif kind == "plan.created":
        for member_id in {data["owner_member_id"], *data.get("co_lead_member_ids", [])}:
            await audiences.set("plan-team", data["plan_id"], member_id, active=True, as_of=as_of)
