"""A region's page: its members and key players, its upcoming events and its conversations
(the panel every subject's page has, and the way to all of them)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients.http import Services
from services.gateway.web import conversation_pages
from services.gateway.web.pages import MemberSession, ServicesDep, render
from shared.caller import Caller
from shared.errors import NotFound
from shared.reference import regions

router = APIRouter(include_in_schema=False)

UPCOMING = 5


async def _events(services: Services, caller: Caller, code: str) -> dict[str, Any]:
    try:
        page: dict[str, Any] = await services.get(
            "events", "/v1/events", caller=caller, region=code, limit=UPCOMING
        )
    except Exception:  # events away: the page shows without them
        return {"items": [], "away": True}
    return page


@router.get("/regions/{code}")
async def region(
    request: Request, code: str, session: MemberSession, services: ServicesDep
) -> Response:
    if code not in regions():
        raise NotFound("no_such_region", "There is no such region")
    caller = session.caller()
    overview, events, conversations = await asyncio.gather(
        services.get("membership", f"/v1/regions/{code}", caller=caller),
        _events(services, caller, code),
        conversation_pages.panel(services, caller, "region", code, listed={"region": code}),
    )
    return render(
        request,
        "region.jinja",
        title=overview["name"],
        region=overview,
        events=events,
        conversations=conversations,
    )
