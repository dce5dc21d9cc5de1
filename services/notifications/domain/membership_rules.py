"""The rule table's rows for membership's facts: an application to the region's
facilitators, a decision and a welcome to the applicant, role changes and moves, and what
reaches a member about their account whatever they chose (a password changed, their address
used to apply). Pure, as the rest of the table (rules.py)."""

from __future__ import annotations

from services.notifications import readers as read
from services.notifications.domain.audiences import Members, RegionRole
from services.notifications.domain.messages import Category, Message
from services.notifications.domain.route import Route


def application(d: read.MemberApplied) -> Route:
    return Route(
        (RegionRole(d.region or "", "facilitator"),),
        Message(
            "application_received",
            Category.MEMBERSHIP,
            f"{d.name} applied to join in your region",
            f"{d.name} ({d.job_title or 'no role given'}) applied to join the "
            "network. Approve or decline the application.",
            "/approvals",
        ),
    )


def approved(d: read.MemberApproved) -> Route:
    return Route(
        (Members((d.member_id,)),),
        Message(
            "welcome",
            Category.MEMBERSHIP,
            "Welcome to the KM Network",
            f"Welcome, {d.name}. Your application is approved: sign in to meet the network, "
            "rank the recommendations and find events near you.",
            "/",
            urgent=True,
        ),
    )


def declined(d: read.MemberDeclined) -> Route:
    return Route(
        (Members((d.member_id,)),),
        Message(
            "application_declined",
            Category.MEMBERSHIP,
            "Your application to the KM Network",
            f"Your application was not approved. The reason given: {d.reason}",
            "/",
            urgent=True,
        ),
    )


def role_changed(d: read.MemberRoleChanged) -> Route | None:
    if not d.added and not d.removed:
        return None
    parts = []
    if d.added:
        parts.append("you are now " + ", ".join(d.added))
    if d.removed:
        parts.append("you are no longer " + ", ".join(d.removed))
    return Route(
        (Members((d.member_id,)),),
        Message(
            "role_changed",
            Category.MEMBERSHIP,
            "Your roles in the network changed",
            "Your roles changed: " + "; ".join(parts) + ".",
            f"/people/{d.member_id}",
        ),
        exclude=frozenset({d.changed_by}) - {d.member_id},
    )


def move_requested(d: read.MemberMoveRequested) -> Route:
    return Route(
        (RegionRole(d.region, "facilitator"),),
        Message(
            "move_requested",
            Category.MEMBERSHIP,
            f"{d.name} asked to move to your region",
            f"{d.name} asked to move from {d.from_region} to your region. Approve or "
            "decline the move.",
            "/approvals#moves",
        ),
    )


def move_declined(d: read.MemberMoveDeclined) -> Route:
    return Route(
        (Members((d.member_id,)),),
        Message(
            "move_declined",
            Category.MEMBERSHIP,
            "Your request to move was declined",
            f"Your request to move to {d.to_region} was not approved. The reason given: {d.reason}",
            "/profile#where",
            urgent=True,
        ),
    )


def password_changed(d: read.MemberPasswordChanged) -> Route:
    how = "reset with a link sent to this address" if d.how == "reset" else "changed"
    return Route(
        (Members((d.member_id,)),),
        Message(
            "password_changed",
            Category.MEMBERSHIP,
            "Your KM Network password was changed",
            f"Your password was {how}, and you were signed out everywhere else. If this was "
            "not you, reset your password now and tell your region's facilitator.",
            "/password/forgotten",
            urgent=True,
            account=True,
        ),
    )


def applied_again(d: read.MemberAppliedAgain) -> Route:
    return Route(
        (Members((d.member_id,)),),
        Message(
            "applied_again",
            Category.MEMBERSHIP,
            "Someone applied to join the KM Network with your address",
            "Someone applied to join with this email address, which already has an account. If "
            "it was you, sign in instead (or reset your password if you have forgotten it). If "
            "it was not you, you need do nothing: no new account was made.",
            "/sign-in",
            urgent=True,
            account=True,
        ),
    )
