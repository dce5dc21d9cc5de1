import pytest

from services.membership import facts as fact
from services.membership.domain.directory import DirectoryQuery
from services.membership.domain.member import ERASED_NAME, Member, Status
from services.membership.domain.profile import Profile
from shared.errors import Conflict, Forbidden, Invalid
from tests.unit.membership.factories import NOW, applicant, member


def test_applying_records_member_applied() -> None:
    m = Member.apply(
        member_id="a1",
        email="ada@nhs.net",
        region="NW",
        profile=Profile.create(name="Ada", interests=["Peer Assist "]),
        password_hash="h",
        now=NOW,
    )
    assert m.status is Status.PENDING
    (event,) = m.facts
    assert isinstance(event, fact.MemberApplied)
    assert (event.member_id, event.region, event.interests) == ("a1", "NW", ["peer assist"])


def test_unknown_region_is_refused() -> None:
    with pytest.raises(Invalid) as error:
        Member.apply(
            member_id="a",
            email="a@nhs.net",
            region="XX",
            profile=Profile(name="A"),
            password_hash="h",
            now=NOW,
        )
    assert error.value.code == "unknown_region"


def test_facilitator_approves_in_their_region() -> None:
    a = applicant()
    a.approve(by=member("f", roles={"member", "facilitator"}), now=NOW)
    assert a.status is Status.ACTIVE
    assert a.roles == {"member"}
    assert isinstance(a.facts[-1], fact.MemberApproved)
    assert a.facts[-1].approved_by == "f"


def test_approving_someone_not_pending_is_a_conflict() -> None:
    a = applicant()
    operator = member("o", roles={"member", "operator"})
    a.approve(by=operator, now=NOW)
    with pytest.raises(Conflict) as error:
        a.approve(by=operator, now=NOW)
    assert error.value.code == "not_pending"
    assert len(a.facts) == 1


def test_decline_needs_a_reason_and_tells_it() -> None:
    a = applicant()
    f = member("f", roles={"member", "facilitator"})
    with pytest.raises(Invalid):
        a.decline(by=f, reason="  ", now=NOW)
    assert a.status.value == "pending"
    a.decline(by=f, reason="Not  in the NHS", now=NOW)
    assert a.status is Status.DECLINED
    assert a.facts[-1] == fact.MemberDeclined(
        member_id="a1",
        region="LDN",
        name=a.profile.name,
        email=a.email,
        reason="Not in the NHS",
        declined_by="f",
    )


def test_profile_update_records_changed_fields() -> None:
    m = member()
    m.update_profile(by=m, region="LDN", skills=["Taxonomy"], name="Member m1")
    (event,) = m.facts
    assert isinstance(event, fact.MemberProfileUpdated)
    assert event.changed == ["skills"]
    assert (event.previous_region, event.region) == ("LDN", "LDN")


@pytest.mark.parametrize("change", [{"region": "NW"}, {"organisation_id": "org-elsewhere"}])
def test_a_member_cannot_change_what_their_remit_hangs_on_alone(change: dict[str, str]) -> None:
    facilitator = member("f", roles={"member", "facilitator"})
    with pytest.raises(Forbidden) as error:
        facilitator.update_profile(by=facilitator, bio="moved", **change)
    assert error.value.code == "move_needs_approval"
    assert (facilitator.region, facilitator.profile.organisation_id) == ("LDN", None)
    assert facilitator.facts == []


def test_a_move_waits_for_the_destination_and_leaves_regional_roles_behind() -> None:
    mover = member("m", roles={"member", "facilitator", "core", "sponsor", "operator"})
    mover.request_move(by=mover, region="NW", organisation_id="org-nw", now=NOW)
    (asked,) = mover.facts
    assert isinstance(asked, fact.MemberMoveRequested)
    assert (asked.region, asked.from_region, asked.organisation_id) == ("NW", "LDN", "org-nw")
    assert mover.region == "LDN"
    assert mover.has("facilitator")
    mover.facts.clear()

    mover.approve_move(by=member("nw-f", region="NW", roles={"member", "facilitator"}))

    assert (mover.region, mover.profile.organisation_id, mover.move) == ("NW", "org-nw", None)
    assert mover.roles == {"member", "operator"}  # operator is national; the rest were LDN's
    updated, roles = mover.facts
    assert isinstance(updated, fact.MemberProfileUpdated)
    assert (updated.previous_region, updated.region, updated.changed) == (
        "LDN",
        "NW",
        ["organisation_id", "region"],
    )
    assert isinstance(roles, fact.MemberRoleChanged)
    assert (roles.region, roles.removed) == ("NW", ["core", "facilitator", "sponsor"])


@pytest.mark.parametrize(
    ("decider", "code"),
    [
        (member("ldn-f", region="LDN", roles={"member", "facilitator"}), "outside_remit"),
        (member("nw-core", region="NW", roles={"member", "core"}), "not_permitted"),
        (member("m"), "not_your_own_move"),  # the mover themself
    ],
)
def test_only_the_destinations_authority_decides_a_move(decider: Member, code: str) -> None:
    mover = member("m", roles={"member", "facilitator"})
    mover.request_move(by=mover, region="NW", organisation_id=None, now=NOW)
    with pytest.raises(Forbidden) as error:
        mover.approve_move(by=decider)
    assert error.value.code == code
    with pytest.raises(Forbidden) as error:
        mover.decline_move(by=decider, reason="No")
    assert error.value.code == code
    assert mover.region == "LDN"
    assert mover.move is not None
    assert mover.move.pending


def test_a_facilitator_never_approves_their_own_move() -> None:
    mover = member("f", roles={"member", "facilitator"})
    mover.request_move(by=mover, region="LDN", organisation_id="another-trust", now=NOW)
    with pytest.raises(Forbidden) as error:
        mover.approve_move(by=mover)
    assert error.value.code == "not_your_own_move"
    assert mover.profile.organisation_id is None


def test_a_declined_move_tells_the_member_why_and_changes_nothing() -> None:
    mover = member("m")
    mover.request_move(by=mover, region="NW", organisation_id=None, now=NOW)
    mover.facts.clear()
    mover.decline_move(by=member("o", roles={"member", "operator"}), reason="  Not  yet ")
    (declined,) = mover.facts
    assert isinstance(declined, fact.MemberMoveDeclined)
    assert (declined.region, declined.to_region, declined.reason) == ("LDN", "NW", "Not yet")
    assert mover.region == "LDN"
    assert mover.move is not None
    assert not mover.move.pending
    with pytest.raises(Conflict):
        mover.approve_move(by=member("o", roles={"member", "operator"}))


def test_a_move_can_be_withdrawn_and_asking_for_nothing_is_refused() -> None:
    mover = member("m")
    with pytest.raises(Invalid):
        mover.request_move(by=mover, region="LDN", organisation_id=None, now=NOW)
    mover.request_move(by=mover, region="NW", organisation_id=None, now=NOW)
    mover.withdraw_move(by=mover)
    assert mover.move is None
    with pytest.raises(Forbidden):
        mover.request_move(by=member("other"), region="NW", organisation_id=None, now=NOW)


def test_profile_update_without_change_records_nothing() -> None:
    m = member()
    m.update_profile(by=m, name=m.profile.name)
    assert m.facts == []


def test_editing_another_members_profile_is_forbidden() -> None:
    with pytest.raises(Forbidden) as error:
        member("m1").update_profile(by=member("m2", roles={"member", "operator"}), bio="x")
    assert error.value.code == "not_your_profile"


def test_roles_always_keep_member_and_record_the_difference() -> None:
    target = member("t")
    target.set_roles(by=member("o", roles={"member", "operator"}), roles=frozenset({"sponsor"}))
    assert target.roles == {"member", "sponsor"}
    event = target.facts[-1]
    assert isinstance(event, fact.MemberRoleChanged)
    assert (event.added, event.removed) == (["sponsor"], [])


def test_unknown_role_is_invalid() -> None:
    from services.membership.domain.member import check_roles

    with pytest.raises(Invalid):
        check_roles(frozenset({"wizard"}))


def test_leaving_ends_roles_and_erasure_removes_personal_data() -> None:
    m = member("m1", roles={"member", "core"}, interests=("kms",))
    m.leave(by=m, now=NOW)
    assert m.status.value == "left"
    assert m.roles == frozenset()
    m.erase(by=m, now=NOW)
    assert m.status is Status.ERASED
    assert m.profile == Profile(name=ERASED_NAME)
    assert m.email == "erased+m1@invalid"
    assert m.password_hash is None
    assert [type(e) for e in m.facts] == [fact.MemberLeft, fact.MemberLeft]
    last = m.facts[-1]
    assert isinstance(last, fact.MemberLeft)
    assert last.erased is True
    m.erase(by=m, now=NOW)
    assert len(m.facts) == 2, "erasing twice records nothing more"


@pytest.mark.parametrize("blank", [" ", "\t", "\x1d", "  \u2003 "])
def test_a_directory_filter_of_only_spaces_filters_nothing(blank: str) -> None:
    # Python counts \x1d and em spaces as spaces: such a filter normalises to no tag at all.
    query = DirectoryQuery.of(name=blank, interest=blank, skill=blank)
    assert (query.name_prefix, query.interest, query.skill) == (None, None, None)
