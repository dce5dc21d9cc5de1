"""Who may do what, to whom, where: the remit of each network role. Pure, so the whole
matrix (role x action x region) is tested without I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.caller import governs
from shared.errors import Forbidden

if TYPE_CHECKING:
    from services.membership.domain.member import Member

# Roles a facilitator may grant or revoke within their own region; sponsor and operator are
# appointed by operators only.
FACILITATOR_GRANTS = frozenset({"core", "facilitator"})


def require_active(actor: Member) -> None:
    if not actor.is_active:
        raise Forbidden("not_a_member", "Only active members can do this")


def require_region_authority(actor: Member, region: str) -> None:
    """Facilitators act in their own region; operators everywhere (shared.caller.governs)."""
    require_active(actor)
    if governs(actor, region):
        return
    if actor.has("facilitator"):
        raise Forbidden("outside_remit", f"A facilitator of {actor.region} cannot act in {region}")
    raise Forbidden("not_permitted", "Only a facilitator of the region or an operator can do this")


def require_self(actor: Member, target: Member) -> None:
    require_active(actor)
    if actor.id != target.id:
        raise Forbidden("not_your_profile", "Members edit only their own profile")


def require_self_or_operator(actor: Member, target: Member) -> None:
    if actor.id == target.id:
        return
    require_active(actor)
    if not actor.has("operator"):
        raise Forbidden("not_permitted", "Only the member themself or an operator can do this")


def require_role_change(
    actor: Member, target: Member, added: frozenset[str], removed: frozenset[str]
) -> None:
    require_region_authority(actor, target.region)
    if actor.has("operator"):
        if actor.id == target.id and "operator" in removed:
            raise Forbidden(
                "cannot_demote_self", "An operator cannot remove their own operator role"
            )
        return
    beyond = (added | removed) - FACILITATOR_GRANTS
    if beyond:
        raise Forbidden(
            "not_permitted", f"Only operators can grant or revoke {', '.join(sorted(beyond))}"
        )
