"""Who may create and edit plans: role x scope x region."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.recommendations.domain.permissions import may_create_plan, may_edit_plan
from services.recommendations.domain.plan import Plan, Scope
from shared.auth import Caller

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def caller(*roles: str, region: str = "LDN", member_id: str = "m1") -> Caller:
    return Caller(member_id=member_id, region=region, roles=frozenset({"member", *roles}))


OPERATOR = Caller(member_id="op", region="NW", roles=frozenset({"member", "operator"}))


@pytest.mark.parametrize(
    ("who", "scope", "scope_id", "region", "organisation", "allowed"),
    [
        (caller(), Scope.NATIONAL, "national", None, None, False),
        (caller("facilitator"), Scope.NATIONAL, "national", None, None, False),
        (caller("core"), Scope.NATIONAL, "national", None, None, False),
        (caller("sponsor"), Scope.NATIONAL, "national", None, None, True),
        (OPERATOR, Scope.NATIONAL, "national", None, None, True),
        (caller(), Scope.REGION, "LDN", "LDN", None, False),
        (caller("facilitator"), Scope.REGION, "LDN", "LDN", None, True),
        (caller("core"), Scope.REGION, "LDN", "LDN", None, True),
        (caller("facilitator"), Scope.REGION, "NW", "NW", None, False),
        (caller("sponsor"), Scope.REGION, "LDN", "LDN", None, False),
        (OPERATOR, Scope.REGION, "LDN", "LDN", None, True),
        (caller(), Scope.ORGANISATION, "RJ1", "LDN", "RJ1", True),
        (caller(), Scope.ORGANISATION, "RJ1", "LDN", "RRV", False),
        (caller(), Scope.ORGANISATION, "RJ1", "LDN", None, False),
        (caller("facilitator"), Scope.ORGANISATION, "RJ1", "LDN", None, True),
        (caller("facilitator"), Scope.ORGANISATION, "RBT", "NW", None, False),
        (OPERATOR, Scope.ORGANISATION, "RBT", "NW", None, True),
        (
            Caller(member_id="x", region="LDN", roles=frozenset()),
            Scope.ORGANISATION,
            "RJ1",
            "LDN",
            "RJ1",
            False,
        ),
    ],
)
def test_who_may_create_a_plan(
    who: Caller,
    scope: Scope,
    scope_id: str,
    region: str | None,
    organisation: str | None,
    allowed: bool,
) -> None:
    assert (
        may_create_plan(
            who, scope=scope, scope_id=scope_id, region=region, organisation_id=organisation
        )
        is allowed
    )


def plan(region: str | None = "LDN") -> Plan:
    return Plan.propose(
        plan_id="p1",
        code="R4",
        scope=Scope.REGION if region else Scope.NATIONAL,
        scope_id=region or "national",
        region=region,
        owner_member_id="owner",
        co_lead_member_ids=["colead"],
        goal="A community of practice in every trust",
        by="owner",
        now=NOW,
    )


@pytest.mark.parametrize(
    ("who", "region", "allowed"),
    [
        (caller(member_id="owner"), "LDN", True),
        (caller(member_id="colead", region="NW"), "LDN", True),
        (caller(member_id="someone"), "LDN", False),
        (caller("core", member_id="someone"), "LDN", False),
        (caller("facilitator", member_id="f"), "LDN", True),
        (caller("facilitator", member_id="f", region="NW"), "LDN", False),
        (caller("facilitator", member_id="f"), None, False),
        (OPERATOR, "LDN", True),
        (OPERATOR, None, True),
    ],
)
def test_who_may_edit_a_plan(who: Caller, region: str | None, allowed: bool) -> None:
    assert may_edit_plan(who, plan(region)) is allowed
