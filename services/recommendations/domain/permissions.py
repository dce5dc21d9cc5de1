"""Who may do what with plans. Roles come from the caller's token (the gateway's view, always
current); a member's organisation comes from the members read model (membership events).

| action | who |
|---|---|
| create a national plan | core group, operators |
| create a region's plan | that region's facilitators and core members, operators |
| create an organisation's plan | its members, facilitators of its region, operators |
| edit a plan | its owner and co-leads, facilitators of its region, operators |
"""

from __future__ import annotations

from services.recommendations.domain.plan import Plan, Scope
from shared.auth import Caller


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
    if organisation_id == scope_id:
        return True
    return caller.has("facilitator") and region is not None and caller.region == region


def may_edit_plan(caller: Caller, plan: Plan) -> bool:
    if caller.has("operator") or caller.member_id in plan.leads():
        return True
    return caller.has("facilitator") and plan.region is not None and caller.region == plan.region
