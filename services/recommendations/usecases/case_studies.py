"""Case studies: shared, corrected by their author, marked useful, searched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.recommendations.domain import case_study as case_studies
from services.recommendations.domain.case_study import CaseStudy
from services.recommendations.domain.permissions import require_member
from services.recommendations.domain.queries import CaseStudySearch
from services.recommendations.stores import Stores
from shared.caller import Caller
from shared.errors import Forbidden, NotFound
from shared.retry import until_saved


async def share_case_study(stores: Stores, *, caller: Caller, **fields: Any) -> CaseStudy:
    require_member(caller)
    known = frozenset(r.code for r in await stores.catalogue.all())
    study = case_studies.share(
        case_study_id=stores.new_id(),
        author_member_id=caller.member_id,
        known_codes=known,
        now=stores.clock.now(),
        **fields,
    )
    await stores.case_studies.add(study)
    return study


async def revise_case_study(
    stores: Stores, *, caller: Caller, case_study_id: str, **fields: Any
) -> CaseStudy:
    """Its author (or an operator) corrects or completes a case study."""
    known = frozenset(r.code for r in await stores.catalogue.all())
    changes = case_studies.content(known_codes=known, **fields)

    def revise(study: CaseStudy) -> bool:
        if caller.member_id != study.author_member_id and not caller.has("operator"):
            raise Forbidden("not_permitted", "Only its author or an operator edits a case study")
        return study.revise(changes)

    return await change_study(stores, case_study_id, revise)


async def case_study(stores: Stores, case_study_id: str) -> CaseStudy:
    found = await stores.case_studies.get(case_study_id)
    if found is None:
        raise NotFound("case_study_not_found", f"No case study {case_study_id}")
    return found


async def mark_useful(
    stores: Stores, *, caller: Caller, case_study_id: str, useful: bool
) -> CaseStudy:
    require_member(caller)
    if useful:
        return await change_study(stores, case_study_id, lambda s: s.mark_useful(caller.member_id))
    return await change_study(stores, case_study_id, lambda s: s.unmark_useful(caller.member_id))


async def change_study(
    stores: Stores, case_study_id: str, change: Callable[[CaseStudy], bool]
) -> CaseStudy:
    async def attempt() -> CaseStudy:
        study = await case_study(stores, case_study_id)
        if change(study):
            await stores.case_studies.save(study)
        return study

    return await until_saved(
        attempt, busy="Others are changing this case study right now; try again"
    )


async def search(
    stores: Stores,
    *,
    text: str | None = None,
    region: str | None = None,
    code: str | None = None,
    technique: str | None = None,
    cursor: str | None,
    limit: int,
) -> tuple[list[CaseStudy], str | None]:
    """Newest first; every word of `text` must appear (in any order)."""
    query = CaseStudySearch.of(text=text, region=region, code=code, technique=technique)
    return await stores.case_studies.search(query, cursor=cursor, limit=limit)
