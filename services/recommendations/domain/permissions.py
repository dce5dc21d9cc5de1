"""Who may do what with plans. Roles come from the caller's token (the gateway's view, always
current); a member's organisation comes from the members read model (membership events).

| action | who |
|---|---|
| create a national plan | core group, operators |
| create a region's plan | that region's facilitators and core members, operators |
| create an organisation's plan | its members in its region, its region's facilitators, operators |
| edit a plan | its owner and co-leads while members, facilitators of its region, operators |
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
        return caller.has("core")
    if scope is Scope.REGION:
        return caller.region == scope_id and (caller.has("facilitator") or caller.has("core"))
    own = organisation_id == scope_id and region == caller.region
    return own or caller.governs(region)


def may_edit_plan(caller: Caller, plan: Plan) -> bool:
    lead = caller.has("member") and caller.member_id in plan.leads()
    return lead or caller.governs(plan.region)
