"""Network health, for sponsors, facilitators and operators: members per region over time, the
share who contributed in the last 90 days, events held and their attendance, and plans by RAG.
Each service computes its own series (membership's and events' /v1/statistics/..., recommendations'
adoption view); this page only draws them."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.domain.sessions import Session
from services.gateway.web import charts
from services.gateway.web.pages import ServicesDep, render, with_role
from shared.reference import regions

router = APIRouter(include_in_schema=False)

WATCHERS = with_role("sponsor", "facilitator", "operator")
MONTHS = 12


def plans_by_rag(adoption: list[dict[str, Any]]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for row in adoption:
        totals.update(row["national"]["by_rag"])
    return {rag: totals.get(rag, 0) for rag in ("green", "amber", "red")}


@router.get("/network-health")
async def network_health(
    request: Request, services: ServicesDep, session: Session = WATCHERS
) -> Response:
    caller = session.caller()
    members, events, adoption = await asyncio.gather(
        services.get("membership", "/v1/statistics/members", caller=caller, months=MONTHS),
        services.get("events", "/v1/statistics/events", caller=caller, months=MONTHS),
        services.get("recommendations", "/v1/adoption", caller=caller),
    )
    rag = plans_by_rag(adoption)
    latest = members["members"][-1] if members["members"] else {"by_region": {}}
    return render(
        request,
        "network_health.jinja",
        title="Network health",
        members=members,
        events=events,
        rag=rag,
        latest=latest,
        members_chart=charts.line_chart(
            "Members at each month's end", [(m["month"], m["total"]) for m in members["members"]]
        ),
        regions_chart=charts.bar_chart(
            "Members per region now",
            [
                charts.Bar(region.name, latest["by_region"].get(code, 0))
                for code, region in regions().items()
            ],
        ),
        events_chart=charts.bar_chart(
            "Events held per month",
            [
                charts.Bar(m["month"], m["events"], f"held, {m['attended']} attended")
                for m in events
            ],
        ),
        rag_chart=charts.bar_chart(
            "Plans by RAG rating", [charts.Bar(k.capitalize(), v) for k, v in rag.items()]
        ),
    )
