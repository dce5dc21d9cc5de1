"""Case studies ("what works")."""

from __future__ import annotations

import re
from typing import Any

from services.recommendations.domain.case_study import CaseStudy
from services.recommendations.domain.queries import CaseStudySearch
from services.recommendations.repository.common import NO_OUTBOX, SOURCE
from shared.aggregates import AggregateStore
from shared.clock import Clock
from shared.mongo import Db
from shared.pagination import fetch_page


class CaseStudies:
    def __init__(self, db: Db, clock: Clock) -> None:
        self.store = AggregateStore(db, "case_studies", source=SOURCE, clock=clock)
        self.collection = self.store.collection

    async def add(self, study: CaseStudy) -> None:
        await self.store.insert(study_document(study), study.facts)
        study.facts.clear()

    def document(self, study: CaseStudy) -> dict[str, Any]:
        return study_document(study)

    async def save(self, study: CaseStudy) -> None:
        await self.store.save(study, study_document(study))

    async def get(self, case_study_id: str) -> CaseStudy | None:
        d = await self.collection.find_one({"_id": case_study_id}, NO_OUTBOX)
        return study_of(d) if d else None

    async def ids_by_author(self, member_id: str) -> list[str]:
        cursor = self.collection.find({"author_member_id": member_id}, {"_id": 1})
        return [d["_id"] async for d in cursor]

    async def search(
        self, search: CaseStudySearch, *, cursor: str | None, limit: int
    ) -> tuple[list[CaseStudy], str | None]:
        """Newest first (ids are time-ordered)."""
        documents, next_cursor = await fetch_page(
            self.collection,
            search_filter(search),
            sort=["_id"],
            cursor=cursor,
            limit=limit,
            projection=NO_OUTBOX,
            descending=True,
        )
        return [study_of(d) for d in documents], next_cursor


_STUDY_FIELDS = (
    "title",
    "context",
    "what_was_done",
    "outcome",
    "evidence_links",
    "contact",
    "region",
    "organisation_id",
    "recommendation_codes",
    "techniques",
    "author_member_id",
    "shared_at",
    "useful_by",
    "version",
)


def study_document(s: CaseStudy) -> dict[str, Any]:
    document = {"_id": s.id, **{f: getattr(s, f) for f in _STUDY_FIELDS}}
    return {**document, "search_text": s.search_text, "words": sorted(set(s.search_words))}


def study_of(d: dict[str, Any]) -> CaseStudy:
    return CaseStudy(id=d["_id"], **{f: d[f] for f in _STUDY_FIELDS})


def search_filter(search: CaseStudySearch) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if search.region:
        found["region"] = search.region
    if search.code:
        found["recommendation_codes"] = search.code
    if search.technique:
        found["techniques"] = search.technique
    if search.words:
        # Escaped: a search is words, not a pattern.
        found["$and"] = [{"search_text": {"$regex": re.escape(w)}} for w in search.words]
    if token := search.longest_token:
        # The candidates come from the words index, by the beginning of the longest word.
        found["words"] = {"$elemMatch": {"$gte": token, "$lt": token + "\uffff"}}
    return found
