"""Case studies ("what works"): the list with its filters, sharing one, a case study's page
with its author by name, and marking it useful."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.gateway.clients import Clients
from services.gateway.clients.models import recommendations as r
from services.gateway.clients.operations import request
from services.gateway.usecases.names import member_names
from services.gateway.usecases.plans import choices
from services.gateway.usecases.resonance import catalogue, titles
from shared.caller import Caller

STUDIES_PAGE = 20


@dataclass(frozen=True)
class StudyList:
    page: r.PageCaseStudyView
    choices: dict[str, str]


async def case_studies(
    clients: Clients, caller: Caller, filters: dict[str, str], cursor: str | None
) -> StudyList:
    given = {k: v for k, v in filters.items() if v}
    page, offered = await asyncio.gather(
        clients.recommendations.case_studies(caller, cursor=cursor, limit=STUDIES_PAGE, **given),
        choices(clients, caller),
    )
    return StudyList(page, offered)


@dataclass(frozen=True)
class Sharing:
    title: str
    context: str
    what_was_done: str
    outcome: str
    evidence_links: list[str]
    contact: str
    region: str
    recommendation_codes: list[str]
    techniques: list[str]


async def share(clients: Clients, caller: Caller, study: Sharing) -> r.CaseStudyView:
    body = request(r.CaseStudyIn, **vars(study))
    return await clients.recommendations.share(caller, body)


@dataclass(frozen=True)
class StudyPage:
    study: r.CaseStudyView
    author: str
    titles: dict[str, str]


async def case_study(clients: Clients, caller: Caller, study_id: str) -> StudyPage:
    study, found = await asyncio.gather(
        clients.recommendations.case_study(caller, study_id), catalogue(clients, caller)
    )
    names = await member_names(clients, caller, [study.author_member_id])
    return StudyPage(study, names[study.author_member_id], titles(found))


async def useful(clients: Clients, caller: Caller, study_id: str, *, on: bool) -> None:
    await clients.recommendations.useful(caller, study_id, on=on)
