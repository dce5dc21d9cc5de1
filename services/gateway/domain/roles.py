"""Who may give which network roles, as membership decides it (its domain/permissions.py):
operators any, facilitators core and facilitator in their own region. The gateway offers only
what will succeed."""

from __future__ import annotations

from collections.abc import Collection

from shared.errors import Forbidden
from shared.reference import regions

NETWORK_ROLES = {
    "core": "Core group",
    "facilitator": "Facilitator",
    "sponsor": "Sponsor",
    "operator": "Operator",
}
FACILITATOR_GRANTS = ("core", "facilitator")


def grantable(roles: Collection[str]) -> dict[str, str]:
    """The network roles someone holding `roles` may give or take away."""
    if "operator" in roles:
        return NETWORK_ROLES
    if "facilitator" in roles:
        return {k: v for k, v in NETWORK_ROLES.items() if k in FACILITATOR_GRANTS}
    return {}


def roles_after(
    current: Collection[str], chosen: Collection[str], offered: Collection[str]
) -> list[str]:
    """A member's roles once the chosen ones of those offered are set: what was not offered
    stays as it was, and every member keeps `member`."""
    kept = {r for r in current if r not in offered}
    return sorted({"member", *kept, *(r for r in chosen if r in offered)})


def region_for(roles: Collection[str], own_region: str | None, asked: str | None) -> str:
    """The region a facilitator's page is about: a facilitator's own (asking for another is
    refused); an operator's choice, their own region when they chose none."""
    if "operator" in roles:
        return asked if asked in regions() else (own_region or "LDN")
    if asked and asked != own_region:
        raise Forbidden("not_permitted", "Facilitators look after their own region")
    return own_region or ""
