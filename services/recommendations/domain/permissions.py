"""Who may do what with plans. Roles come from the caller's token (the gateway's view, always
current); a member's organisation comes from the members read model (membership events).

| action | who |
|---|---|
| create a national plan | sponsors and operators (they name its owner and co-leads: any members) |
| create a region's plan | that region's facilitators and core members, operators |
| create an organisation's plan | its members in its region, its region's facilitators, operators |
| edit a plan | its owner and co-leads while members, facilitators of its region, operators |

Whoever may start a plan may own it. Anyone else named to lead it (an owner named by
another, co-leads) comes from its scope: an organisation's plan from that organisation's
members, a region's plan from the region's, a national plan from any member
(`leads_out_of_scope`).
"""

from __future__ import annotations

from services.recommendations.domain.plan import Plan, Scope
from shared.caller import Caller
from shared.errors import Forbidden


def require_member(caller: Caller) -> None:
    if not caller.has("member"):
        raise Forbidden("not_a_member", "Only members can do this")


def require_operator(caller: Caller) -> None:
    if not caller.has("operator"):
        raise Forbidden("not_permitted", "Only operators change the catalogue")


def may_create_plan(
    caller: Caller, *, scope: Scope, scope_id: str, region: str | None, organisation_id: str | None
) -> bool:
    if caller.has("operator"):
        return True
    if not caller.has("member"):
        return False
    if scope is Scope.NATIONAL:
        # Sponsors carry the network's work to the national bodies (the KM report's "supportive
        # sponsor"); a national plan is theirs to start, with whoever they name to lead it.
        return caller.has("sponsor")
    if scope is Scope.REGION:
        return caller.region == scope_id and (caller.has("facilitator") or caller.has("core"))
    own = organisation_id == scope_id and region == caller.region
    return own or caller.governs(region)


def out_of_scope(
    scope: Scope, scope_id: str, leads: dict[str, tuple[str | None, str | None] | None]
) -> list[str]:
    """Those of the leads (id -> (region, organisation), None when not a known member) who
    are not of the plan's scope."""

    def within(place: tuple[str | None, str | None] | None) -> bool:
        if place is None:
            return False
        region, organisation = place
        if scope is Scope.REGION:
            return region == scope_id
        if scope is Scope.ORGANISATION:
            return organisation == scope_id
        return True

    return sorted(member for member, place in leads.items() if not within(place))


def may_edit_plan(caller: Caller, plan: Plan) -> bool:
    lead = caller.has("member") and caller.member_id in plan.leads()
    return lead or caller.governs(plan.region)
