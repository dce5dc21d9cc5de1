"""A region's page: its members and key players, its upcoming events and its conversations
(the panel every subject's page has, and the way to all of them)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.usecases import regions
from services.gateway.web.pages import ClientsDep, MemberSession, render

router = APIRouter(include_in_schema=False)


@router.get("/regions/{code}")
async def region(
    request: Request,
    code: str,
    session: MemberSession,
    clients: ClientsDep,
) -> Response:
    found = await regions.region_page(clients, session.caller(), code)
    return render(
        request,
        "region.jinja",
        title=found.region.name,
        region=found.region,
        events={"items": found.upcoming or [], "away": found.upcoming is None},
        conversations=found.conversations,
    )
