"""Recommendations: the five with how they resonate (bar charts, national and my region), my
ballot (plain form fields; drag to reorder is an enhancement in gateway.js), a
recommendation's page with its plans and case studies and a follow button, and the adoption
view as a table and a tile map of the regions."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients.http import ServiceRefused, Services
from services.gateway.web import charts, conversation_pages
from services.gateway.web.pages import (
    Form,
    MemberSession,
    Problems,
    ServicesDep,
    redirect,
    render,
    whole_number,
)
from shared.caller import Caller
from shared.reference import regions

router = APIRouter(include_in_schema=False)


def ranking_chart(title: str, rankings: dict[str, Any], titles: dict[str, str]) -> Any:
    bars = [
        charts.Bar(
            f"{s['code']} {titles.get(s['code'], '')}",
            s["points"],
            f"points, {s['first_preferences']} first choices",
        )
        for s in rankings["standings"]
    ]
    return charts.bar_chart(title, bars)


async def catalogue_of(services: Services, caller: Caller) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await services.get(
        "recommendations", "/v1/recommendations", caller=caller
    )
    return found


@router.get("/recommendations")
async def recommendations(
    request: Request, session: MemberSession, services: ServicesDep
) -> Response:
    caller = session.caller()
    catalogue, national, mine = await asyncio.gather(
        catalogue_of(services, caller),
        services.get("recommendations", "/v1/rankings", caller=caller),
        services.get("recommendations", "/v1/rankings", caller=caller, region=session.region),
    )
    titles = {r["code"]: r["title"] for r in catalogue}
    region_name = regions()[session.region].name if session.region in regions() else "my region"
    return render(
        request,
        "recommendations.jinja",
        title="Recommendations",
        catalogue=catalogue,
        national=national,
        mine=mine,
        region_name=region_name,
        national_chart=ranking_chart(
            "How the recommendations resonate nationally", national, titles
        ),
        region_chart=ranking_chart(f"How they resonate in {region_name}", mine, titles),
        titles=titles,
    )


async def _my_codes(services: Services, caller: Caller) -> list[str]:
    try:
        ballot = await services.call(
            "recommendations", "GET", "/v1/members/me/ranking", caller=caller
        )
    except ServiceRefused as refused:
        if refused.code != "no_ballot":
            raise
        return []
    codes: list[str] = ballot["codes"]
    return codes


@router.get("/recommendations/rank")
async def ballot(request: Request, session: MemberSession, services: ServicesDep) -> Response:
    caller = session.caller()
    catalogue, codes = await asyncio.gather(
        catalogue_of(services, caller), _my_codes(services, caller)
    )
    places = {code: str(i + 1) for i, code in enumerate(codes)}
    return render(
        request,
        "ballot.jinja",
        title="Rank the recommendations",
        catalogue=_in_ballot_order(catalogue, codes),
        places=places,
        has_ballot=bool(codes),
        done=request.query_params.get("done"),
    )


def _in_ballot_order(catalogue: list[dict[str, Any]], codes: list[str]) -> list[dict[str, Any]]:
    """Ranked ones first in their order, then the rest in the report's order: the page starts
    where the member left it, and dragging reorders from there."""
    rank = {code: i for i, code in enumerate(codes)}
    return sorted(catalogue, key=lambda r: (rank.get(r["code"], len(rank)), r["code"]))


@router.post("/recommendations/rank")
async def rank(
    request: Request, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    caller = session.caller()
    catalogue = await catalogue_of(services, caller)
    problems = Problems()
    places: dict[str, str] = {}
    chosen: dict[int, str] = {}
    for item in catalogue:
        code = item["code"]
        place = form.get(f"place-{code}", "").strip()
        places[code] = place
        if not place:
            continue
        number = whole_number(place)
        if number is None or not 1 <= number <= len(catalogue):
            problems.add(f"place-{code}", f"Choose a place from 1 to {len(catalogue)}")
        elif number in chosen:
            problems.add(f"place-{code}", f"You gave place {place} to {chosen[number]} as well")
        else:
            chosen[number] = code
    if not chosen and not problems:
        problems.add(f"place-{catalogue[0]['code']}", "Give at least one recommendation a place")
    if not problems:
        codes = [chosen[p] for p in sorted(chosen)]
        try:
            await services.call(
                "recommendations",
                "PUT",
                "/v1/members/me/ranking",
                caller=caller,
                json={"codes": codes},
            )
        except ServiceRefused as refused:
            problems.refused(refused, (), f"place-{codes[0]}")
        else:
            return redirect("/recommendations/rank?done=saved")
    return render(
        request,
        "ballot.jinja",
        title="Rank the recommendations",
        status=422,
        problems=problems,
        catalogue=catalogue,
        places=places,
        has_ballot=False,
        done=None,
    )


@router.post("/recommendations/rank/withdraw")
async def withdraw(form: Form, session: MemberSession, services: ServicesDep) -> Response:
    await services.call(
        "recommendations", "DELETE", "/v1/members/me/ranking", caller=session.caller()
    )
    return redirect("/recommendations/rank?done=withdrawn")


@router.get("/recommendations/{code}")
async def recommendation(
    request: Request, code: str, session: MemberSession, services: ServicesDep
) -> Response:
    caller = session.caller()
    found = await services.call(
        "recommendations", "GET", f"/v1/recommendations/{code}", caller=caller
    )
    plans, studies, follows, talk = await asyncio.gather(
        services.get("recommendations", "/v1/plans", caller=caller, code=code, limit=10),
        services.get("recommendations", "/v1/case-studies", caller=caller, code=code, limit=5),
        follows_of(services, caller),
        conversation_pages.panel(services, caller, "recommendation", code),
    )
    return render(
        request,
        "recommendation.jinja",
        title=f"{found['code']}: {found['title']}",
        recommendation=found,
        plans=plans["items"],
        studies=studies["items"],
        following=("recommendation", code) in follows,
        conversations=talk,
        done=request.query_params.get("done"),
    )


async def follows_of(services: Services, caller: Caller) -> set[tuple[str, str]]:
    """What the member follows (a member follows few things: a few pages at most)."""
    found: set[tuple[str, str]] = set()
    cursor = None
    for _ in range(10):
        page = await services.get(
            "recommendations", "/v1/members/me/follows", caller=caller, cursor=cursor, limit=100
        )
        found |= {(f["kind"], f["target"]) for f in page["items"]}
        cursor = page["next_cursor"]
        if not cursor:
            break
    return found


@router.post("/follows/{kind}/{target}")
async def follow(
    kind: str, target: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    on = form.get("follow", "yes") == "yes"
    await services.call(
        "recommendations",
        "PUT" if on else "DELETE",
        f"/v1/follows/{kind}/{target}",
        caller=session.caller(),
    )
    back = f"/recommendations/{target}" if kind == "recommendation" else f"/plans/{target}"
    return redirect(f"{back}?done={'followed' if on else 'unfollowed'}")


@router.get("/adoption")
async def adoption(
    request: Request, session: MemberSession, services: ServicesDep, code: str | None = None
) -> Response:
    caller = session.caller()
    rows, catalogue = await asyncio.gather(
        services.get("recommendations", "/v1/adoption", caller=caller),
        catalogue_of(services, caller),
    )
    titles = {r["code"]: r["title"] for r in catalogue}
    chosen = code if code in titles else (rows[0]["code"] if rows else None)
    row = next((r for r in rows if r["code"] == chosen), None)
    names = {c: r.name for c, r in regions().items()}
    states = {
        region: charts.most_advanced(tally["by_status"])
        for region, tally in (row["regions"] if row else {}).items()
    }
    tile_map = charts.tile_map(
        f"Plans for {chosen} by region: the furthest plan in each", states, names
    )
    return render(
        request,
        "adoption.jinja",
        title="Adoption",
        rows=rows,
        titles=titles,
        chosen=chosen,
        tile_map=tile_map,
        states=states,
        state_words=charts.STATE_WORDS,
        state_colours=charts.STATE_COLOURS,
    )
