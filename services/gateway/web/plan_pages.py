"""Plans: the list with its filters, creating a plan at my scope (my organisation, my region,
national: what the recommendations service lets me), a plan's page with its progress and
evidence, changing its status, reporting progress, and following it."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients.http import ServiceRefused, Services
from services.gateway.domain.sessions import Session
from services.gateway.web import conversation_pages
from services.gateway.web.pages import (
    Form,
    MemberSession,
    Problems,
    ServicesDep,
    member_names,
    redirect,
    render,
)
from services.gateway.web.recommendation_pages import catalogue_of, follows_of

router = APIRouter(include_in_schema=False)

STATUSES = {"proposed": "Proposed", "active": "Active", "paused": "Paused", "done": "Done"}
RAGS = {"green": "Green: on track", "amber": "Amber: at risk", "red": "Red: off track"}
PLAN_SCOPES = {"organisation": "My organisation", "region": "My region", "national": "National"}


@router.get("/plans")
async def plans(
    request: Request, session: MemberSession, services: ServicesDep, cursor: str | None = None
) -> Response:
    q = request.query_params
    filters = {k: q.get(k, "").strip() for k in ("code", "region", "status", "mine")}
    caller = session.caller()
    page, catalogue = await asyncio.gather(
        services.get(
            "recommendations",
            "/v1/plans",
            caller=caller,
            code=filters["code"],
            region=filters["region"],
            status=filters["status"],
            lead=session.member_id if filters["mine"] else None,
            cursor=cursor,
            limit=20,
        ),
        catalogue_of(services, caller),
    )
    return render(
        request,
        "plans.jinja",
        title="Plans",
        page=page,
        filters=filters,
        titles={r["code"]: r["title"] for r in catalogue},
        statuses=STATUSES,
        query=urlencode({k: v for k, v in filters.items() if v}),
    )


@router.get("/plans/new")
async def new_plan(
    request: Request, session: MemberSession, services: ServicesDep, code: str = ""
) -> Response:
    catalogue = await catalogue_of(services, session.caller())
    return render(
        request,
        "plan_form.jinja",
        title="Start a plan",
        titles={r["code"]: f"{r['code']}: {r['title']}" for r in catalogue},
        scopes=PLAN_SCOPES,
        form={"code": code, "scope": "organisation"},
    )


@router.post("/plans/new")
async def create_plan(
    request: Request, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    caller = session.caller()
    catalogue = await catalogue_of(services, caller)
    titles = {r["code"]: f"{r['code']}: {r['title']}" for r in catalogue}
    problems = Problems()
    scope, goal = form.get("scope", ""), form.get("goal", "").strip()
    if form.get("code") not in titles:
        problems.add("code", "Choose the recommendation the plan puts into practice")
    if scope not in PLAN_SCOPES:
        problems.add("scope", "Choose who the plan is for")
    if not goal:
        problems.add("goal", "Say what the plan will achieve")
    body: dict[str, Any] = {"code": form.get("code"), "scope": scope, "goal": goal}
    if scope == "organisation":
        me = await services.call(
            "membership", "GET", f"/v1/members/{session.member_id}", caller=caller
        )
        if not me.get("organisation_id"):
            problems.add("scope", "Your profile names no organisation: choose region or national")
        body |= {"scope_id": me.get("organisation_id"), "region": me["region"]}
    elif scope == "region":
        body |= {"scope_id": session.region}
    if not problems:
        try:
            plan = await services.call(
                "recommendations", "POST", "/v1/plans", caller=caller, json=body
            )
        except ServiceRefused as refused:
            problems.refused(refused, ("code", "goal", "scope"), "scope")
        else:
            return redirect(f"/plans/{plan['id']}?done=created")
    return render(
        request,
        "plan_form.jinja",
        title="Start a plan",
        status=422,
        problems=problems,
        titles=titles,
        scopes=PLAN_SCOPES,
        form=form,
    )


@router.get("/plans/{plan_id}")
async def plan_page(
    request: Request, plan_id: str, session: MemberSession, services: ServicesDep
) -> Response:
    return await _plan_page(request, plan_id, session, services)


async def _plan_page(
    request: Request,
    plan_id: str,
    session: Session,
    services: Services,
    *,
    form: dict[str, str] | None = None,
    problems: Problems | None = None,
) -> Response:
    caller = session.caller()
    plan, follows, talk = await asyncio.gather(
        services.call("recommendations", "GET", f"/v1/plans/{plan_id}", caller=caller),
        follows_of(services, caller),
        conversation_pages.panel(services, caller, "plan", plan_id),
    )
    team = [plan["owner_member_id"], *plan["co_lead_member_ids"]]
    names = await member_names(services, caller, [*team, *(u["by"] for u in plan["updates"])])
    return render(
        request,
        "plan.jinja",
        title=plan["goal"][:60],
        status=422 if problems else 200,
        problems=problems,
        plan=plan,
        names=names,
        team=team,
        leads=session.member_id in team or caller.governs(plan["region"]),
        following=("plan", plan_id) in follows,
        conversations=talk,
        statuses=STATUSES,
        rags=RAGS,
        done=None if problems else request.query_params.get("done"),
        form=form or {},
    )


@router.post("/plans/{plan_id}/status")
async def change_status(
    plan_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    await services.call(
        "recommendations",
        "POST",
        f"/v1/plans/{plan_id}/status",
        caller=session.caller(),
        json={"status": form.get("status", ""), "note": form.get("note", "").strip()},
    )
    return redirect(f"/plans/{plan_id}?done=status")


def _links(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.post("/plans/{plan_id}/progress")
async def report_progress(
    request: Request, plan_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    problems = Problems()
    summary, rag = form.get("summary", "").strip(), form.get("rag", "")
    if not summary:
        problems.add("summary", "Say what has happened since the last update")
    if rag not in RAGS:
        problems.add("rag", "Choose red, amber or green")
    links = _links(form.get("evidence_links", ""))
    if not problems:
        try:
            await services.call(
                "recommendations",
                "POST",
                f"/v1/plans/{plan_id}/progress",
                caller=session.caller(),
                json={"summary": summary, "rag": rag, "evidence_links": links},
            )
        except ServiceRefused as refused:
            if refused.status_code == 403:
                raise
            problems.refused(refused, ("summary", "rag", "evidence_links"), "summary")
        else:
            return redirect(f"/plans/{plan_id}?done=progress")
    return await _plan_page(request, plan_id, session, services, form=form, problems=problems)
