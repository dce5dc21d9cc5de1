from services.membership.domain.member import Status
from services.membership.domain.suggestions import suggest
from tests.unit.membership.factories import member


def test_same_region_first_then_score_then_name_with_reasons() -> None:
    me = member("me", region="LDN", interests=("peer assist", "taxonomy"), skills=("facilitation",))
    far_strong = member("f1", region="NW", name="Zed", interests=("peer assist", "taxonomy"))
    near_weak = member("n1", region="LDN", name="Bea", skills=("taxonomy",))
    near_helped = member("n2", region="LDN", name="Al", interests=("facilitation",))
    unrelated = member("u", region="LDN", interests=("gardening",))
    gone = member("g", region="LDN", interests=("peer assist",), status=Status.LEFT)
    found = suggest(me, [far_strong, near_weak, near_helped, unrelated, gone, me])
    assert [s.member.id for s in found] == ["n2", "n1", "f1"]
    assert found[0].reason == "You could help with facilitation (in your region)"
    assert found[1].reason == "They have skills in taxonomy (in your region)"
    assert found[2].score == 4
    assert found[2].reason == "You both care about peer assist, taxonomy (in NW)"


def test_limit_and_nobody_to_suggest() -> None:
    me = member("me", interests=("kms",))
    others = [member(f"o{i}", interests=("kms",)) for i in range(15)]
    assert len(suggest(me, others, limit=10)) == 10
    assert suggest(member("lonely"), others) == []
