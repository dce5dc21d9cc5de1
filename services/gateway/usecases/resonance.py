"""The recommendations: how they resonate (nationally and in my region), my ballot, a
recommendation's page with its plans and case studies, following, and adoption by region."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.gateway.clients import Clients
from services.gateway.clients.http import ServiceRefused
from services.gateway.clients.models import recommendations as r
from services.gateway.domain.ballot import Ballot, in_ballot_order, read_places
from services.gateway.usecases.conversations import Panel, panel
from shared.caller import Caller

PLANS_SHOWN = 10
STUDIES_SHOWN = 5
FOLLOWS_PAGE = 100
FOLLOWS_PAGES = 10  # a member follows few things: a few pages at most


async def catalogue(clients: Clients, caller: Caller | None) -> list[r.RecommendationView]:
    return await clients.recommendations.catalogue(caller)


def titles(found: list[r.RecommendationView]) -> dict[str, str]:
    return {rec.code: rec.title for rec in found}


@dataclass(frozen=True)
class Overview:
    catalogue: list[r.RecommendationView]
    national: r.RankingsView
    mine: r.RankingsView


async def overview(clients: Clients, caller: Caller) -> Overview:
    found, national, mine = await asyncio.gather(
        clients.recommendations.catalogue(caller),
        clients.recommendations.rankings(caller),
        clients.recommendations.rankings(caller, region=caller.region),
    )
    return Overview(found, national, mine)


async def my_codes(clients: Clients, caller: Caller) -> list[str]:
    """My ballot's codes in order; none before I rank."""
    try:
        return list((await clients.recommendations.my_ballot(caller)).codes)
    except ServiceRefused as refused:
        if refused.code != "no_ballot":
            raise
        return []


@dataclass(frozen=True)
class BallotPage:
    catalogue: list[r.RecommendationView]  # in my ballot's order
    places: dict[str, str]  # code -> place, as the form shows it
    has_ballot: bool


async def ballot(clients: Clients, caller: Caller) -> BallotPage:
    found, codes = await asyncio.gather(catalogue(clients, caller), my_codes(clients, caller))
    by_code = {rec.code: rec for rec in found}
    ordered = in_ballot_order(list(by_code), codes)
    return BallotPage(
        [by_code[c] for c in ordered],
        {code: str(i + 1) for i, code in enumerate(codes)},
        bool(codes),
    )


async def rank(
    clients: Clients, caller: Caller, places: dict[str, str]
) -> tuple[Ballot, list[r.RecommendationView]]:
    """The ballot read from the places typed, cast when it stands (ServiceRefused when the
    service refuses it); the catalogue, for showing the form again."""
    found = await catalogue(clients, caller)
    read = read_places(places, [rec.code for rec in found])
    if not read.problems:
        await clients.recommendations.rank(caller, read.codes)
    return read, found


async def withdraw_ballot(clients: Clients, caller: Caller) -> None:
    await clients.recommendations.withdraw_ballot(caller)


async def follows_of(clients: Clients, caller: Caller) -> set[tuple[str, str]]:
    """What the member follows, as (kind, target)."""
    found: set[tuple[str, str]] = set()
    cursor = None
    for _ in range(FOLLOWS_PAGES):
        page = await clients.recommendations.follows(caller, cursor=cursor, limit=FOLLOWS_PAGE)
        found |= {(f.kind, f.target) for f in page.items}
        cursor = page.next_cursor
        if not cursor:
            break
    return found


@dataclass(frozen=True)
class RecommendationPage:
    recommendation: r.RecommendationView
    national: list[r.PlanRow]
    regional: list[r.PlanRow]
    local: int  # how many local plans (counted up to LOCAL_COUNTED)
    studies: list[r.CaseStudyView]
    following: bool
    conversations: Panel


# Local plans are counted, not listed, on a recommendation's page; past this it says "N+".
LOCAL_COUNTED = 500


async def recommendation_page(clients: Clients, caller: Caller, code: str) -> RecommendationPage:
    """Its national plan, its regional plans, and how many local plans there are."""
    found = await clients.recommendations.recommendation(caller, code)
    national, regional, local, studies, follows, talk = await asyncio.gather(
        clients.recommendations.plans(caller, code=code, scope="national", limit=PLANS_SHOWN),
        clients.recommendations.plans(caller, code=code, scope="region", limit=PLANS_SHOWN),
        _count_local(clients, caller, code),
        clients.recommendations.case_studies(caller, code=code, limit=STUDIES_SHOWN),
        follows_of(clients, caller),
        panel(clients, caller, "recommendation", code),
    )
    return RecommendationPage(
        found,
        national.items,
        regional.items,
        local,
        studies.items,
        ("recommendation", code) in follows,
        talk,
    )


async def _count_local(clients: Clients, caller: Caller, code: str) -> int:
    counted, cursor = 0, None
    while counted < LOCAL_COUNTED:
        page = await clients.recommendations.plans(
            caller, code=code, scope="organisation", cursor=cursor, limit=100
        )
        counted += len(page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    return counted


async def follow(clients: Clients, caller: Caller, kind: str, target: str, *, on: bool) -> str:
    """Follows or stops; the page to go back to."""
    await clients.recommendations.follow(caller, kind, target, on=on)
    return f"/recommendations/{target}" if kind == "recommendation" else f"/plans/{target}"


@dataclass(frozen=True)
class Adoption:
    rows: list[r.AdoptionRow]
    titles: dict[str, str]
    chosen: str | None
    row: r.AdoptionRow | None


async def adoption(clients: Clients, caller: Caller, code: str | None) -> Adoption:
    rows, found = await asyncio.gather(
        clients.recommendations.adoption(caller), catalogue(clients, caller)
    )
    named = titles(found)
    chosen = code if code in named else (rows[0].code if rows else None)
    row = next((row for row in rows if row.code == chosen), None)
    return Adoption(rows, named, chosen, row)
