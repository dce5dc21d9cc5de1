"""The permission matrix: role x action x region."""

from collections.abc import Callable

import pytest

from services.membership.domain.member import Member
from shared.errors import Forbidden
from tests.unit.membership.factories import NOW, applicant, member

ACTORS = {
    "member": {"member"},
    "core": {"member", "core"},
    "sponsor": {"member", "sponsor"},
    "facilitator": {"member", "facilitator"},
    "operator": {"member", "operator"},
}


def approve(actor: Member, target_region: str) -> None:
    applicant("a", region=target_region).approve(by=actor, now=NOW)


def decline(actor: Member, target_region: str) -> None:
    applicant("a", region=target_region).decline(by=actor, reason="no", now=NOW)


def make_core(actor: Member, target_region: str) -> None:
    member("t", region=target_region).set_roles(by=actor, roles=frozenset({"core"}))


def make_sponsor(actor: Member, target_region: str) -> None:
    member("t", region=target_region).set_roles(by=actor, roles=frozenset({"sponsor"}))


def erase_other(actor: Member, target_region: str) -> None:
    member("t", region=target_region).erase(by=actor, now=NOW)


ACTIONS: dict[str, Callable[[Member, str], None]] = {
    "approve": approve,
    "decline": decline,
    "make_core": make_core,
    "make_sponsor": make_sponsor,
    "erase_other": erase_other,
}

# (action, actor role) -> allowed in own region, allowed in another region
MATRIX = {
    ("approve", "member"): (False, False),
    ("approve", "core"): (False, False),
    ("approve", "sponsor"): (False, False),
    ("approve", "facilitator"): (True, False),
    ("approve", "operator"): (True, True),
    ("decline", "member"): (False, False),
    ("decline", "facilitator"): (True, False),
    ("decline", "operator"): (True, True),
    ("make_core", "member"): (False, False),
    ("make_core", "sponsor"): (False, False),
    ("make_core", "facilitator"): (True, False),
    ("make_core", "operator"): (True, True),
    ("make_sponsor", "facilitator"): (False, False),
    ("make_sponsor", "operator"): (True, True),
    ("erase_other", "facilitator"): (False, False),
    ("erase_other", "operator"): (True, True),
    ("erase_other", "member"): (False, False),
}


@pytest.mark.parametrize(("action", "role"), sorted(MATRIX))
@pytest.mark.parametrize("where", ["own", "other"])
def test_permission_matrix(action: str, role: str, where: str) -> None:
    allowed_own, allowed_other = MATRIX[(action, role)]
    allowed = allowed_own if where == "own" else allowed_other
    actor = member("actor", region="LDN", roles=ACTORS[role])
    target_region = "LDN" if where == "own" else "NW"
    if allowed:
        ACTIONS[action](actor, target_region)
    else:
        with pytest.raises(Forbidden):
            ACTIONS[action](actor, target_region)


def test_facilitator_outside_their_region_gets_outside_remit() -> None:
    with pytest.raises(Forbidden) as error:
        approve(member("f", region="LDN", roles=ACTORS["facilitator"]), "NW")
    assert error.value.code == "outside_remit"


def test_inactive_facilitator_cannot_act() -> None:
    from services.membership.domain.member import Status

    former = member("f", roles=ACTORS["facilitator"], status=Status.LEFT)
    with pytest.raises(Forbidden):
        approve(former, "LDN")


def test_operator_cannot_remove_their_own_operator_role() -> None:
    operator = member("o", roles=ACTORS["operator"])
    with pytest.raises(Forbidden) as error:
        operator.set_roles(by=operator, roles=frozenset({"member"}))
    assert error.value.code == "cannot_demote_self"
