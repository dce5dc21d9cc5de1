from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.recommendations import facts as fact
from services.recommendations.domain.case_study import share
from services.recommendations.domain.queries import CaseStudySearch
from services.recommendations.repository.case_studies import search_filter
from shared.errors import Invalid

NOW = datetime(2027, 1, 1, tzinfo=UTC)
CODES = frozenset({"R1", "R3", "R4"})


def study(**change: Any) -> dict[str, Any]:
    return {
        "case_study_id": "cs1",
        "title": "Peer assists before procurement",
        "context": "Big purchases repeated old mistakes",
        "what_was_done": "A peer assist before each",
        "outcome": "Fewer failed tenders",
        "evidence_links": ["https://example.nhs.uk/report"],
        "contact": "km@example.nhs.uk",
        "region": "NW",
        "organisation_id": None,
        "recommendation_codes": ["R3", "R4"],
        "techniques": ["Peer Assist", "peer assist "],
        "author_member_id": "m1",
        "known_codes": CODES,
        "now": NOW,
        **change,
    }


def test_a_shared_case_study_is_told_once_and_searchable() -> None:
    shared = share(**study())
    assert shared.techniques == ["peer assist"]
    assert [type(f) for f in shared.facts] == [fact.CaseStudyShared]
    assert "fewer failed tenders" in shared.search_text
    assert shared.mark_useful("m2")
    assert not shared.mark_useful("m2")
    assert shared.useful_by == ["m2"]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(Invalid) as caught:
        share(
            **study(title=" ", region="XX", recommendation_codes=["R9"], evidence_links=["ftp://x"])
        )
    problems = caught.value.details["problems"]
    assert len(problems) == 4
    assert any("evidence_links" in p for p in problems)


def test_a_text_search_is_words_not_a_pattern() -> None:
    criteria = search_filter(CaseStudySearch.of(text="Peer a.*", region="NW"))
    assert criteria["region"] == "NW"
    assert criteria["$and"] == [
        {"search_text": {"$regex": "peer"}},
        {"search_text": {"$regex": "a\\.\\*"}},
    ]
