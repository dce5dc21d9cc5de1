"""The home page: for a visitor, what the network is and how to join; for a member, the
network at a glance."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.usecases import notices, regions
from services.gateway.web.conversation_pages import open_questions
from services.gateway.web.pages import ClientsDep, MaybeSession, ServicesDep, redirect, render
from shared.reference import report

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(
    request: Request, session: MaybeSession, services: ServicesDep, clients: ClientsDep
) -> Response:
    purpose = report()["source"]
    if session is None:
        upcoming = await regions.upcoming_for_visitors(clients, limit=3)
        return render(
            request, "home_visitor.jinja", title="Home", purpose=purpose, upcoming=upcoming
        )
    if not session.is_member:
        return redirect("/application")
    caller = session.caller()
    overview, unread, questions = await asyncio.gather(
        request.app.state.overview.get(caller),
        notices.unread_count(clients, caller),
        open_questions(services, caller, session.region),
    )
    titles = {r["code"]: r["title"] for r in report()["recommendations"]}
    return render(
        request,
        "home.jinja",
        title="Home",
        purpose=purpose,
        overview=overview,
        titles=titles,
        unread=unread,
        questions=questions,
    )


@router.get("/accessibility")
async def accessibility(request: Request, session: MaybeSession) -> Response:
    return render(request, "accessibility.jinja", title="Accessibility statement")


@router.get("/privacy")
async def privacy(request: Request, session: MaybeSession) -> Response:
    return render(request, "privacy.jinja", title="Privacy")
