"""What plans and case studies can be asked for: typed queries, checked here, turned into a
filter by each repository (MongoDB's in repository/, a predicate in
tests/fakes/recommendations.py)."""

from __future__ import annotations

from dataclasses import dataclass

from services.recommendations.domain.case_study import CaseStudy, words_of
from services.recommendations.domain.plan import Plan, Scope, Status


@dataclass(frozen=True)
class PlanListing:
    code: str | None = None
    region: str | None = None
    scope: Scope | None = None
    status: Status | None = None
    lead: str | None = None  # plans this member owns or co-leads
    scope_id: str | None = None  # an organisation's plans (with scope), or a region's

    def matches(self, plan: Plan) -> bool:
        return (
            (self.code is None or plan.code == self.code)
            and (self.region is None or plan.region == self.region)
            and (self.scope is None or plan.scope is self.scope)
            and (self.status is None or plan.status is self.status)
            and (self.lead is None or self.lead in plan.leads())
            and (self.scope_id is None or plan.scope_id == self.scope_id)
        )


MAX_SEARCH_WORDS = 8


@dataclass(frozen=True)
class CaseStudySearch:
    """Newest first. `words`: every one must appear in the study's text (lower case, in any
    order); a search is words, not a pattern."""

    words: tuple[str, ...] = ()
    region: str | None = None
    code: str | None = None
    technique: str | None = None

    @classmethod
    def of(
        cls,
        *,
        text: str | None = None,
        region: str | None = None,
        code: str | None = None,
        technique: str | None = None,
    ) -> CaseStudySearch:
        return cls(
            words=tuple((text or "").lower().split()[:MAX_SEARCH_WORDS]),
            region=region,
            code=code,
            technique=technique.strip().lower() if technique else None,
        )

    @property
    def longest_token(self) -> str | None:
        """The longest word-character run of the search: an index finds the candidates by
        its beginning."""
        tokens = words_of(" ".join(self.words))
        return max(tokens, key=len) if tokens else None

    def matches(self, study: CaseStudy) -> bool:
        token = self.longest_token
        return (
            (self.region is None or study.region == self.region)
            and (self.code is None or self.code in study.recommendation_codes)
            and (self.technique is None or self.technique in study.techniques)
            and all(word in study.search_text for word in self.words)
            and (token is None or any(w.startswith(token) for w in study.search_words))
        )
