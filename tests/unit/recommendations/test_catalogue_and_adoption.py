from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.recommendations.domain import catalogue
from services.recommendations.domain.adoption import PlanSummary, adoption
from shared.errors import Conflict, Invalid

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def test_the_seed_is_the_reports_five_each_linked_to_aims_and_challenges() -> None:
    seeded = catalogue.seed()
    assert [r.code for r in seeded] == ["R1", "R2", "R3", "R4", "R5"]
    for r in seeded:
        assert r.aims
        assert set(r.aims) <= catalogue.aim_codes()
        assert r.challenges
        assert set(r.challenges) <= catalogue.challenge_names()
    every_challenge = {c for r in seeded for c in r.challenges}
    assert every_challenge == catalogue.challenge_names(), "each challenge is addressed"


def test_an_operators_recommendation_is_checked() -> None:
    added = catalogue.new(
        code="R6",
        title="Measure what KM saves",
        description="",
        aims=["ROSE"],
        challenges=["Culture"],
        source="A later report",
    )
    assert added.active
    with pytest.raises(Invalid) as caught:
        catalogue.new(
            code="r6 x", title=" ", description="", aims=["NOPE"], challenges=[], source=""
        )
    assert len(caught.value.details["problems"]) == 4


def test_retiring_needs_a_reason_and_happens_once() -> None:
    r = catalogue.seed()[0]
    with pytest.raises(Invalid):
        r.retire(reason="  ", now=NOW)
    retired = r.retire(reason="Superseded by R6", now=NOW)
    assert not retired.active
    with pytest.raises(Conflict):
        retired.retire(reason="again", now=NOW)


def test_adoption_counts_by_region_with_a_national_roll_up() -> None:
    plans = [
        PlanSummary("R4", "LDN", "active", "green"),
        PlanSummary("R4", "LDN", "active", "amber"),
        PlanSummary("R4", "NW", "proposed", None),
        PlanSummary("R4", None, "active", "red"),  # a national plan
        PlanSummary("R1", "NW", "done", "green"),
        PlanSummary("R9", "SW", "paused", "red"),  # its recommendation is not listed
    ]
    rows = {row.code: row for row in adoption(plans, ["R1", "R2", "R4"])}
    assert list(rows) == ["R1", "R2", "R4", "R9"]
    r4 = rows["R4"]
    assert r4.national.plans == 4
    assert dict(r4.national.by_status) == {"active": 3, "proposed": 1}
    assert dict(r4.national.by_rag) == {"green": 1, "amber": 1, "red": 1, "unrated": 1}
    assert list(r4.regions) == ["LDN", "NW"]
    assert dict(r4.regions["LDN"].by_rag) == {"green": 1, "amber": 1}
    assert rows["R2"].national.plans == 0
    assert rows["R2"].regions == {}
