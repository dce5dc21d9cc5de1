"""Plans: the list with its filters, creating a plan at my scope (my organisation, my region,
national: what the recommendations service lets me), a plan's page with its progress and
evidence, changing its status, reporting progress, and following it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from services.gateway.clients.http import ServiceRefused
from services.gateway.domain.ratings import RAG_WORDS
from services.gateway.domain.sessions import Session
from services.gateway.usecases import plans
from services.gateway.web.forms import FormModel, Lines, Posted, day, given, one_of, posted
from services.gateway.web.pages import (
    UK_TIME,
    ClientsDep,
    Form,
    MemberSession,
    Problems,
    redirect,
    render,
)
from shared.errors import Invalid

router = APIRouter(include_in_schema=False)

STATUSES = {"proposed": "Proposed", "active": "Active", "paused": "Paused", "done": "Done"}
RAGS = RAG_WORDS


class PlanForm(FormModel):
    code: str = ""
    scope: Annotated[str, one_of(plans.LEVELS, "Choose who the plan is for")] = ""
    goal: Annotated[str, given("Say what the plan will achieve")] = ""


class StatusForm(FormModel):
    status: str = ""
    note: str = ""


class MilestoneForm(FormModel):
    milestone_title: Annotated[str, given("Say what will have happened by then")] = ""
    milestone_on: Annotated[date | None, day("Enter the date as 2027-03-31")] = None


class ProgressForm(FormModel):
    summary: Annotated[str, given("Say what has happened since the last update")] = ""
    rag: Annotated[str, one_of(RAGS, "Choose red, amber or green")] = ""
    evidence_links: Lines = Field(default_factory=list)


@router.get("/plans")
async def plan_list(
    request: Request, session: MemberSession, clients: ClientsDep, cursor: str | None = None
) -> Response:
    q = request.query_params
    filters = {
        k: q.get(k, "").strip()
        for k in ("code", "level", "region", "organisation", "status", "mine")
    }
    found = await plans.plans(
        clients,
        session.caller(),
        code=filters["code"],
        region=filters["region"],
        status=filters["status"],
        mine=bool(filters["mine"]),
        cursor=cursor,
        level=filters["level"],
        organisation=filters["organisation"],
    )
    return render(
        request,
        "plans.jinja",
        title="Plans",
        page=found.page,
        filters=filters,
        titles=found.titles,
        statuses=STATUSES,
        levels=plans.LEVELS,
        export_region=(
            region
            if (region := filters["region"] or session.caller().region or "")
            and plans.may_export(session.caller(), region)
            else None
        ),
        organisations=found.organisations,
        organisation=found.organisation,
        query=urlencode({k: v for k, v in filters.items() if v}),
    )


@router.get("/plans/new")
async def new_plan(
    request: Request, session: MemberSession, clients: ClientsDep, code: str = ""
) -> Response:
    caller = session.caller()
    offered = await plans.scopes(clients, caller)
    return render(
        request,
        "plan_form.jinja",
        title="Start a plan",
        titles=await plans.choices(clients, caller),
        scopes=offered,
        form={"code": code, "scope": next(iter(offered.offered), "")},
    )


@router.post("/plans/new")
async def create_plan(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[PlanForm] = posted(PlanForm),
) -> Response:
    caller = session.caller()
    titles = await plans.choices(clients, caller)
    offered = await plans.scopes(clients, caller)
    problems = Problems()  # in the form's order: the recommendation first
    if str(sent.typed.get("code", "")) not in titles:
        problems.add("code", "Choose the recommendation the plan puts into practice")
    for name, message in sent.problems.by_field.items():
        problems.add(name, message)
    offered_here = sent.form is not None and sent.form.scope in offered.offered
    if sent.form is not None and "scope" not in problems.by_field and not offered_here:
        problems.add("scope", "Choose one of the levels offered to you")
    if sent.form is not None and not problems:
        try:
            plan = await plans.start(
                clients,
                caller,
                code=sent.form.code,
                scope=sent.form.scope,
                goal=sent.form.goal,
            )
        except Invalid as missing:
            problems.add("scope", missing.message)
        except ServiceRefused as refused:
            problems.refused(refused, ("code", "goal", "scope"), "scope")
        else:
            return redirect(f"/plans/{plan.id}?done=created")
    return render(
        request,
        "plan_form.jinja",
        title="Start a plan",
        status=422,
        problems=problems,
        titles=titles,
        scopes=offered,
        form=sent.typed,
    )


@router.get("/plans/export.csv")
async def export_plans(session: MemberSession, clients: ClientsDep, region: str = "") -> Response:
    """A region's plans, milestones and progress as CSV, for a board report."""
    caller = session.caller()
    rows = await plans.region_export(clients, caller, region, datetime.now(UTC).date())
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    return Response(
        # A byte order mark, so that Excel reads the names' accents as UTF-8.
        content="\ufeff" + text.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="km-network-plans-{region}.csv"',
            "cache-control": "no-store",
        },
    )


def _cell(value: str) -> str:
    """A spreadsheet never runs a cell as a formula (OWASP's CSV injection advice)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@router.get("/plans/{plan_id}")
async def plan_page(
    request: Request,
    plan_id: str,
    session: MemberSession,
    clients: ClientsDep,
) -> Response:
    return await _plan_page(request, plan_id, session, clients)


async def _plan_page(
    request: Request,
    plan_id: str,
    session: Session,
    clients: ClientsDep,
    *,
    form: dict[str, Any] | None = None,
    problems: Problems | None = None,
) -> Response:
    found = await plans.plan_page(clients, session.caller(), plan_id)
    return render(
        request,
        "plan.jinja",
        title=found.plan.goal[:60],
        status=422 if problems else 200,
        problems=problems,
        plan=found.plan,
        names=found.names,
        team=found.team,
        leads=found.leads,
        following=found.following,
        conversations=found.conversations,
        parent=found.parent,
        offered=found.offered,
        rollup=found.rollup,
        places=found.places,
        today=datetime.now(UK_TIME).date().isoformat(),
        statuses=STATUSES,
        rags=RAGS,
        done=None if problems else request.query_params.get("done"),
        form=form or {},
    )


@router.post("/plans/{plan_id}/parent")
async def link_plan(
    request: Request, plan_id: str, session: MemberSession, clients: ClientsDep, fields: Form
) -> Response:
    """Counts the plan in the plan a level up (the one offered), or no longer does."""
    parent = fields.get("parent_plan_id", "").strip() or None
    try:
        await plans.link(clients, session.caller(), plan_id, parent)
    except ServiceRefused as refused:
        if refused.status_code not in (403, 409, 422):
            raise
        problems = Problems()
        problems.add("parent", refused.message)
        return await _plan_page(request, plan_id, session, clients, problems=problems)
    return redirect(f"/plans/{plan_id}?done={'linked' if parent else 'unlinked'}")


@router.post("/plans/{plan_id}/status")
async def change_status(
    plan_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[StatusForm] = posted(StatusForm),
) -> Response:
    chosen = sent.form or StatusForm()
    await plans.change_status(
        clients, session.caller(), plan_id, status=chosen.status, note=chosen.note
    )
    return redirect(f"/plans/{plan_id}?done=status")


@router.post("/plans/{plan_id}/milestones")
async def add_milestone(
    request: Request,
    plan_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[MilestoneForm] = posted(MilestoneForm),
) -> Response:
    problems = sent.problems
    if sent.form is not None and sent.form.milestone_on is None:
        problems.add("milestone_on", "Enter the date as 2027-03-31")
    if sent.form is not None and sent.form.milestone_on is not None and not problems:
        try:
            await clients.recommendations.add_milestone(
                session.caller(),
                plan_id,
                title=sent.form.milestone_title,
                target_on=sent.form.milestone_on,
            )
        except ServiceRefused as refused:
            if refused.status_code == 403:
                raise
            renames = {"title": "milestone_title", "target_on": "milestone_on"}
            problems.refused(refused, tuple(MilestoneForm.model_fields), "milestone_title", renames)
        else:
            return redirect(f"/plans/{plan_id}?done=milestone")
    return await _plan_page(request, plan_id, session, clients, form=sent.typed, problems=problems)


@router.post("/plans/{plan_id}/milestones/{milestone_id}/reached")
async def milestone_reached(
    plan_id: str, milestone_id: str, session: MemberSession, clients: ClientsDep, _: Form
) -> Response:
    await clients.recommendations.reach_milestone(session.caller(), plan_id, milestone_id)
    return redirect(f"/plans/{plan_id}?done=reached")


@router.post("/plans/{plan_id}/progress")
async def report_progress(
    request: Request,
    plan_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[ProgressForm] = posted(ProgressForm),
) -> Response:
    problems = sent.problems
    if sent.form is not None:
        try:
            await plans.report_progress(
                clients,
                session.caller(),
                plan_id,
                summary=sent.form.summary,
                rag=sent.form.rag,
                evidence_links=sent.form.evidence_links,
            )
        except ServiceRefused as refused:
            if refused.status_code == 403:
                raise
            problems.refused(refused, ("summary", "rag", "evidence_links"), "summary")
        else:
            return redirect(f"/plans/{plan_id}?done=progress")
    return await _plan_page(request, plan_id, session, clients, form=sent.typed, problems=problems)
