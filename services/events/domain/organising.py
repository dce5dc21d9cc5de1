"""Who may organise which events, and who sees what of one. Pure, so every path that
creates, revises, publishes or manages an event applies the same rules (the node API's
submissions have theirs in submission.py).

| action | who |
|---|---|
| organise a local or regional event | members of its region; its facilitators; operators |
| organise a national event | the core group, operators |
| revise, publish, cancel, attendance | its organiser while they may; the region's authority |
| see a draft | its organiser, the region's facilitators, operators |
| see the meeting link | the same, and members with a confirmed place |
"""

from __future__ import annotations

from services.events.domain.details import EventDetails, Scope
from services.events.domain.network_event import NetworkEvent, Seat, Status
from shared.caller import Caller
from shared.errors import Forbidden


def require_may_organise(caller: Caller, details: EventDetails) -> None:
    """The rule for creating an event like this; revising one to these details and
    publishing it are held to it too, so a draft cannot be turned into what its organiser
    could not have made."""
    if not caller.has("member"):
        raise Forbidden("not_a_member", "Only members organise events")
    if details.scope is Scope.NATIONAL:
        if not (caller.has("operator") or caller.has("core")):
            raise Forbidden(
                "not_permitted", "National events are organised by the core group or operators"
            )
    elif details.region != caller.region and not caller.governs(details.region):
        raise Forbidden(
            "outside_remit",
            f"Members organise local and regional events in their own region ({caller.region})",
        )


def require_organiser_authority(caller: Caller, event: NetworkEvent) -> None:
    """The region's authority, or its organiser while the role or region that let them
    organise it still holds (organiser rights go with the role)."""
    if caller.governs(event.region):
        return
    if caller.member_id == event.organiser_member_id:
        require_may_organise(caller, event.details)
        return
    raise Forbidden("not_permitted", "Only the organiser, the region's facilitators or an operator")


def manages(caller: Caller, event: NetworkEvent) -> bool:
    try:
        require_organiser_authority(caller, event)
    except Forbidden:
        return False
    return True


def may_see(caller: Caller, event: NetworkEvent) -> bool:
    """A draft is its organiser's and the region's until it is published."""
    return event.status is not Status.DRAFT or manages(caller, event)


def may_join(caller: Caller, event: NetworkEvent) -> bool:
    """Whether the caller sees the meeting link: those who run it and those with a place."""
    confirmed = any(
        r.member_id == caller.member_id and r.seat is Seat.CONFIRMED for r in event.registrations
    )
    return (confirmed and caller.has("member")) or manages(caller, event)
