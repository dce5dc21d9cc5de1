"""Case studies: search (by every word, region, recommendation, technique), read, share one,
and mark one useful (and take it back). Each route reads its input, calls one use case
(usecases/case_studies.py) and renders."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from services.gateway.clients.http import ServiceRefused
from services.gateway.clients.models import recommendations as r
from services.gateway.usecases import case_studies, plans
from services.gateway.web.forms import FormModel, Lines, Posted, Tags, chosen, given, posted
from services.gateway.web.pages import ClientsDep, MemberSession, Problems, redirect, render

router = APIRouter(include_in_schema=False)

FILTERS = ("q", "region", "code", "technique")


class StudyForm(FormModel):
    lists = frozenset({"recommendation_codes"})
    title: Annotated[str, given("Enter a title")]
    context: Annotated[str, given("Describe the setting and the problem")]
    what_was_done: Annotated[str, given("Say what was done")]
    outcome: Annotated[str, given("Say what changed as a result")]
    evidence_links: Lines = Field(default_factory=list)
    contact: str = ""
    region: str = ""
    recommendation_codes: Annotated[
        list[str], chosen("Choose at least one recommendation it puts into practice")
    ] = Field(default_factory=list)
    techniques: Tags = Field(default_factory=list)


STUDY_FIELDS = tuple(StudyForm.model_fields)


class UsefulForm(FormModel):
    useful: str = "yes"


@router.get("/case-studies")
async def study_list(
    request: Request, session: MemberSession, clients: ClientsDep, cursor: str | None = None
) -> Response:
    filters = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    caller = session.caller()
    problems = Problems()
    page = r.PageCaseStudyView(items=[])
    try:
        found = await case_studies.case_studies(clients, caller, filters, cursor)
        page, titles = found.page, found.choices
    except ServiceRefused as refused:
        problems.refused(refused, FILTERS, "q")
        titles = await plans.choices(clients, caller)
    return render(
        request,
        "case_studies.jinja",
        title="Case studies",
        page=page,
        filters=filters,
        titles=titles,
        query=urlencode({k: v for k, v in filters.items() if v}),
        problems=problems,
        status=422 if problems else 200,
    )


@router.get("/case-studies/new")
async def new_case_study(
    request: Request, session: MemberSession, clients: ClientsDep, code: str = ""
) -> Response:
    return render(
        request,
        "case_study_form.jinja",
        title="Share a case study",
        titles=await plans.choices(clients, session.caller()),
        form={"region": session.region},
        codes=[code] if code else [],
    )


@router.post("/case-studies/new")
async def share(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[StudyForm] = posted(StudyForm),
) -> Response:
    caller = session.caller()
    problems = sent.problems
    if sent.form is not None:
        try:
            study = await case_studies.share(
                clients, caller, case_studies.Sharing(**sent.form.model_dump())
            )
        except ServiceRefused as refused:
            problems.refused(refused, STUDY_FIELDS, "title")
        else:
            return redirect(f"/case-studies/{study.id}?done=shared")
    return render(
        request,
        "case_study_form.jinja",
        title="Share a case study",
        status=422,
        problems=problems,
        titles=await plans.choices(clients, caller),
        form=sent.typed,
        codes=sent.typed.get("recommendation_codes", []),
    )


@router.get("/case-studies/{study_id}")
async def case_study(
    request: Request, study_id: str, session: MemberSession, clients: ClientsDep
) -> Response:
    found = await case_studies.case_study(clients, session.caller(), study_id)
    return render(
        request,
        "case_study.jinja",
        title=found.study.title,
        study=found.study,
        author=found.author,
        titles=found.titles,
        done=request.query_params.get("done"),
    )


@router.post("/case-studies/{study_id}/useful")
async def useful(
    study_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[UsefulForm] = posted(UsefulForm),
) -> Response:
    on = sent.form is None or sent.form.useful == "yes"
    await case_studies.useful(clients, session.caller(), study_id, on=on)
    return redirect(f"/case-studies/{study_id}?done={'useful' if on else 'not_useful'}")
