"""The organisation picker's matches as the person types (the fragment static/gateway.js
swaps in; without JavaScript the forms' "Find organisation" button gives the same)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.gateway.usecases import organisations
from services.gateway.web.pages import ClientsDep, MaybeSession, render

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Query(max_length=200)]


@router.get("/organisations/options")
async def organisation_options(
    request: Request,
    _: MaybeSession,
    clients: ClientsDep,
    q: Text = "",
    region: Text = "",
    chosen: Text = "",
    prefix: Annotated[str, Query(pattern="^(|move_)$")] = "",
) -> Response:
    found = await organisations.choices(
        clients, searched=q, region=region, chosen=chosen, prefix=prefix
    )
    return render(request, "organisation_options.jinja", title="Organisations", choices=found)
