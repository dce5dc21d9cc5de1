"""What works: a case study of best practice, shared by a member, searchable, marked useful
by others, and attachable to a plan as evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.recommendations import facts as fact
from services.recommendations.domain.plan import is_web_link
from shared.errors import Invalid
from shared.reference import region_codes

MAX_EVIDENCE = 10
MAX_TAGS = 20


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@dataclass
class CaseStudy:
    id: str
    title: str
    context: str
    what_was_done: str
    outcome: str
    evidence_links: list[str]
    contact: str
    region: str
    organisation_id: str | None
    recommendation_codes: list[str]
    techniques: list[str]
    author_member_id: str
    shared_at: datetime
    useful_by: list[str] = field(default_factory=list)
    version: int = 0
    facts: list[fact.CaseStudyShared] = field(default_factory=list)

    @property
    def search_text(self) -> str:
        """What a free-text search matches, lower-cased once at write time."""
        parts = [self.title, self.context, self.what_was_done, self.outcome, *self.techniques]
        return " ".join(parts).lower()

    @property
    def search_words(self) -> list[str]:
        """The words of `search_text`: a search finds its candidates by a word's beginning."""
        return words_of(self.search_text)

    def revise(self, changes: dict[str, Any]) -> bool:
        """New content (from `content`); True when anything changed."""
        changed = {k: v for k, v in changes.items() if getattr(self, k) != v}
        for name, value in changed.items():
            setattr(self, name, value)
        return bool(changed)

    def mark_useful(self, member_id: str) -> bool:
        if member_id in self.useful_by:
            return False
        self.useful_by.append(member_id)
        return True

    def unmark_useful(self, member_id: str) -> bool:
        if member_id not in self.useful_by:
            return False
        self.useful_by.remove(member_id)
        return True


def share(
    *,
    case_study_id: str,
    author_member_id: str,
    known_codes: frozenset[str],
    now: datetime,
    **fields: Any,
) -> CaseStudy:
    """A new case study, checked (every problem at once), with its `case_study.shared` fact.
    `fields` are the content's: title, context, what_was_done, outcome, evidence_links,
    contact, region, organisation_id, recommendation_codes, techniques."""
    study = CaseStudy(
        id=case_study_id,
        **content(known_codes=known_codes, **fields),
        author_member_id=author_member_id,
        shared_at=now,
    )
    study.facts.append(
        fact.CaseStudyShared(
            case_study_id=study.id,
            author_member_id=author_member_id,
            title=study.title,
            region=study.region,
            organisation_id=study.organisation_id,
            recommendation_codes=study.recommendation_codes,
            techniques=study.techniques,
        )
    )
    return study


def content(
    *,
    title: str,
    context: str,
    what_was_done: str,
    outcome: str,
    evidence_links: list[str],
    contact: str,
    region: str,
    organisation_id: str | None,
    recommendation_codes: list[str],
    techniques: list[str],
    known_codes: frozenset[str],
) -> dict[str, Any]:
    """A case study's content, checked and tidied; Invalid naming every problem."""
    problems = [
        f"{name}: required"
        for name, value in (
            ("title", title),
            ("context", context),
            ("what_was_done", what_was_done),
            ("outcome", outcome),
        )
        if not value.strip()
    ]
    if region not in region_codes():
        problems.append(f"region: '{region}' is not a region")
    if unknown := sorted(set(recommendation_codes) - known_codes):
        problems.append(f"recommendation_codes: unknown {', '.join(unknown)}")
    if not recommendation_codes:
        problems.append("recommendation_codes: name the recommendations it shows working")
    if bad := [link for link in evidence_links if not is_web_link(link)]:
        problems.append(f"evidence_links: not http(s) URLs: {', '.join(bad)}")
    if len(evidence_links) > MAX_EVIDENCE:
        problems.append(f"evidence_links: at most {MAX_EVIDENCE}")
    if len(techniques) > MAX_TAGS:
        problems.append(f"techniques: at most {MAX_TAGS}")
    if problems:
        raise Invalid("invalid_case_study", "The case study is not valid", problems=problems)
    return {
        "title": title.strip(),
        "context": context.strip(),
        "what_was_done": what_was_done.strip(),
        "outcome": outcome.strip(),
        "evidence_links": list(dict.fromkeys(evidence_links)),
        "contact": contact.strip(),
        "region": region,
        "organisation_id": organisation_id,
        "recommendation_codes": list(dict.fromkeys(recommendation_codes)),
        "techniques": list(dict.fromkeys(t.strip().lower() for t in techniques if t.strip())),
    }
