"""Recommendations: the five with how they resonate (bar charts, national and my region), my
ballot (plain form fields; drag to reorder is an enhancement in gateway.js), a
recommendation's page with its plans and case studies and a follow button, and the adoption
view as a table and a tile map of the regions. Each route reads its input, calls one use
case (usecases/resonance.py) and renders."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ConfigDict

from services.gateway.clients.http import ServiceRefused
from services.gateway.clients.models import recommendations as r
from services.gateway.domain.ballot import place_field
from services.gateway.usecases import resonance
from services.gateway.web import charts
from services.gateway.web.forms import FormModel, Posted, posted
from services.gateway.web.pages import (
    ClientsDep,
    Form,
    MemberSession,
    Problems,
    redirect,
    render,
)
from shared.reference import regions

router = APIRouter(include_in_schema=False)


class BallotForm(FormModel):
    """A place typed beside each recommendation (`place-R1`...), read by domain/ballot.py."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="allow", frozen=True)

    def places(self) -> dict[str, str]:
        return {
            name.removeprefix("place-"): str(value)
            for name, value in (self.model_extra or {}).items()
            if name.startswith("place-")
        }


class FollowForm(FormModel):
    follow: str = "yes"


def ranking_chart(title: str, rankings: r.RankingsView, titles: dict[str, str]) -> Markup:
    bars = [
        charts.Bar(
            f"{s.code} {titles.get(s.code, '')}",
            s.points,
            f"points, {s.first_preferences} first choices",
        )
        for s in rankings.standings
    ]
    return charts.bar_chart(title, bars)


@router.get("/recommendations")
async def recommendations(
    request: Request, session: MemberSession, clients: ClientsDep
) -> Response:
    found = await resonance.overview(clients, session.caller())
    titles = resonance.titles(found.catalogue)
    region_name = regions()[session.region].name if session.region in regions() else "my region"
    return render(
        request,
        "recommendations.jinja",
        title="Recommendations",
        catalogue=found.catalogue,
        national=found.national,
        mine=found.mine,
        region_name=region_name,
        national_chart=ranking_chart(
            "How the recommendations resonate nationally", found.national, titles
        ),
        region_chart=ranking_chart(f"How they resonate in {region_name}", found.mine, titles),
        titles=titles,
    )


@router.get("/recommendations/rank")
async def ballot(request: Request, session: MemberSession, clients: ClientsDep) -> Response:
    found = await resonance.ballot(clients, session.caller())
    return render(
        request,
        "ballot.jinja",
        title="Rank the recommendations",
        catalogue=found.catalogue,
        places=found.places,
        has_ballot=found.has_ballot,
        done=request.query_params.get("done"),
    )


@router.post("/recommendations/rank")
async def rank(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[BallotForm] = posted(BallotForm),
) -> Response:
    places = sent.form.places() if sent.form is not None else {}
    problems = Problems()
    try:
        read, catalogue = await resonance.rank(clients, session.caller(), places)
    except ServiceRefused as refused:
        catalogue = await resonance.catalogue(clients, session.caller())
        first = next((code for code in places if places[code].strip()), catalogue[0].code)
        problems.refused(refused, (), place_field(first))
    else:
        if not read.problems:
            return redirect("/recommendations/rank?done=saved")
        for name, message in read.problems.items():
            problems.add(name, message)
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
async def withdraw(form: Form, session: MemberSession, clients: ClientsDep) -> Response:
    await resonance.withdraw_ballot(clients, session.caller())
    return redirect("/recommendations/rank?done=withdrawn")


@router.get("/recommendations/{code}")
async def recommendation(
    request: Request,
    code: str,
    session: MemberSession,
    clients: ClientsDep,
) -> Response:
    found = await resonance.recommendation_page(clients, session.caller(), code)
    return render(
        request,
        "recommendation.jinja",
        title=f"{found.recommendation.code}: {found.recommendation.title}",
        recommendation=found.recommendation,
        national=found.national,
        regional=found.regional,
        local=found.local,
        local_counted=resonance.LOCAL_COUNTED,
        studies=found.studies,
        following=found.following,
        conversations=found.conversations,
        done=request.query_params.get("done"),
    )


@router.post("/follows/{kind}/{target}")
async def follow(
    kind: str,
    target: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[FollowForm] = posted(FollowForm),
) -> Response:
    on = sent.form is None or sent.form.follow == "yes"
    back = await resonance.follow(clients, session.caller(), kind, target, on=on)
    return redirect(f"{back}?done={'followed' if on else 'unfollowed'}")


@router.get("/adoption")
async def adoption(
    request: Request, session: MemberSession, clients: ClientsDep, code: str | None = None
) -> Response:
    found = await resonance.adoption(clients, session.caller(), code)
    names = {c: region.name for c, region in regions().items()}
    states = {
        region: charts.most_advanced(tally.by_status)
        for region, tally in (found.row.regions if found.row else {}).items()
    }
    tile_map = charts.tile_map(
        f"Plans for {found.chosen} by region: the furthest plan in each", states, names
    )
    return render(
        request,
        "adoption.jinja",
        title="Adoption",
        rows=found.rows,
        titles=found.titles,
        chosen=found.chosen,
        tile_map=tile_map,
        states=states,
        state_words=charts.STATE_WORDS,
        state_colours=charts.STATE_COLOURS,
    )
