"""Network health, for sponsors, facilitators and operators: members per region over time, the
share who contributed in the last 90 days, events held and their attendance, and plans by RAG.
Each service computes its own series (membership's and events' /v1/statistics/..., recommendations'
adoption view); this page only draws them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.domain.sessions import Session
from services.gateway.usecases import health
from services.gateway.web import charts
from services.gateway.web.pages import ClientsDep, render, with_role
from shared.reference import regions

router = APIRouter(include_in_schema=False)

WATCHERS = with_role("sponsor", "facilitator", "operator")


@router.get("/network-health")
async def network_health(
    request: Request, clients: ClientsDep, session: Session = WATCHERS
) -> Response:
    found = await health.network_health(clients, session.caller())
    months = found.members.members
    return render(
        request,
        "network_health.jinja",
        title="Network health",
        members=found.members,
        events=found.events,
        rag=found.rag,
        latest={"by_region": found.by_region_now},
        members_chart=charts.line_chart(
            "Members at each month's end", [(m.month, m.total) for m in months]
        ),
        regions_chart=charts.bar_chart(
            "Members per region now",
            [
                charts.Bar(region.name, found.by_region_now.get(code, 0))
                for code, region in regions().items()
            ],
        ),
        events_chart=charts.bar_chart(
            "Events held per month",
            [charts.Bar(m.month, m.events, f"held, {m.attended} attended") for m in found.events],
        ),
        rag_chart=charts.bar_chart("Plans by RAG rating", charts.rag_bars(found.rag)),
    )
