"""The modified Borda count on hand-computed examples."""

from __future__ import annotations

import pytest

from services.recommendations.domain.ranking import Standing, check_ballot, order, standings
from shared.errors import Invalid

CODES = ["R1", "R2", "R3", "R4", "R5"]


def test_points_are_k_minus_position_on_a_k_code_ballot() -> None:
    # R4: 3 + 1 + 1 = 5; R1: 2 + 2 = 4; R3: 1; R2, R5: nothing.
    ballots = [["R4", "R1", "R3"], ["R1", "R4"], ["R4"]]
    assert standings(ballots, CODES) == [
        Standing("R4", 1, 5, 3, 2),
        Standing("R1", 2, 4, 2, 1),
        Standing("R3", 3, 1, 1, 0),
        Standing("R2", 4, 0, 0, 0),
        Standing("R5", 4, 0, 0, 0),
    ]


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    # R1: 3 + 1 = 4, R2: 2 + 2 = 4, both on two ballots with one first preference each: tied.
    ballots = [["R1", "R2", "R3"], ["R2", "R1"], ["R3"]]
    result = standings(ballots, CODES)
    assert [(s.code, s.rank, s.points) for s in result] == [
        ("R1", 1, 4),
        ("R2", 1, 4),
        ("R3", 3, 2),
        ("R4", 4, 0),
        ("R5", 4, 0),
    ]


def test_equal_points_are_split_by_endorsements_then_first_preferences() -> None:
    # R1: 2 (one ballot, first of two); R2: 1 + 1 = 2 (two ballots): more endorsements wins.
    by_endorsements = standings([["R1", "R2"], ["R2"], ["R3"]], ["R1", "R2", "R3"])
    assert [(s.code, s.rank) for s in by_endorsements] == [("R2", 1), ("R1", 2), ("R3", 3)]
    # All three on 3 points; R2 and R3 on two ballots each, R3 first on one of them.
    by_firsts = standings([["R1", "R2", "R3"], ["R3", "R2"]], ["R1", "R2", "R3"])
    assert [(s.code, s.rank, s.points) for s in by_firsts] == [
        ("R3", 1, 3),
        ("R2", 2, 3),
        ("R1", 3, 3),
    ]


def test_retired_codes_drop_out_and_close_their_gap() -> None:
    # R2 retired: ["R2", "R1"] counts as ["R1"] (1 point), not R1 in second place.
    result = standings([["R2", "R1"], ["R3", "R1"]], ["R1", "R3"])
    assert [(s.code, s.points, s.first_preferences) for s in result] == [
        ("R1", 2, 1),
        ("R3", 2, 1),
    ]
    assert result[0].endorsements == 2


def test_no_ballots_is_a_tie_of_everything() -> None:
    assert {s.rank for s in standings([], CODES)} == {1}


def test_order_is_what_a_change_is_measured_on() -> None:
    assert order(standings([["R2"]], ["R1", "R2"])) == {"R2": 1, "R1": 2}


def test_a_ballot_with_duplicates_or_unknown_codes_names_every_problem() -> None:
    with pytest.raises(Invalid) as caught:
        check_ballot(["R1", "R1", "R9", "R2", "R2"], frozenset(CODES))
    assert caught.value.code == "invalid_ranking"
    assert caught.value.details["problems"] == [
        "ranking: R1, R2 ranked more than once",
        "ranking: R9 not recommendations open to endorsement",
    ]
    with pytest.raises(Invalid):
        check_ballot([], frozenset(CODES))
    assert check_ballot(["R3", "R1"], frozenset(CODES)) == ("R3", "R1")
