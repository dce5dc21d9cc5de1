"""The home page: for a visitor, what the network is and how to join; for a member, the
network at a glance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.usecases import home as home_cases
from services.gateway.web.pages import ClientsDep, MaybeSession, redirect, render
from shared.reference import report

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, session: MaybeSession, clients: ClientsDep) -> Response:
    purpose = report()["source"]
    if session is None:
        upcoming = await home_cases.for_visitor(clients)
        return render(
            request, "home_visitor.jinja", title="Home", purpose=purpose, upcoming=upcoming
        )
    if not session.is_member:
        return redirect("/application")
    found = await home_cases.for_member(clients, request.app.state.overview, session.caller())
    titles = {r["code"]: r["title"] for r in report()["recommendations"]}
    return render(
        request,
        "home.jinja",
        title="Home",
        purpose=purpose,
        overview=found.overview,
        titles=titles,
        unread=found.unread,
        questions=found.questions,
    )


@router.get("/accessibility")
async def accessibility(request: Request, session: MaybeSession) -> Response:
    return render(request, "accessibility.jinja", title="Accessibility statement")


@router.get("/privacy")
async def privacy(request: Request, session: MaybeSession) -> Response:
    return render(request, "privacy.jinja", title="Privacy")
