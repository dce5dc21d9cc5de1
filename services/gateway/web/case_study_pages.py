"""Case studies: search (by every word, region, recommendation, technique), read, share one,
and mark one useful (and take it back)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients.http import ServiceRefused
from services.gateway.web.pages import (
    Form,
    MemberSession,
    Problems,
    ServicesDep,
    form_list,
    member_names,
    redirect,
    render,
)
from services.gateway.web.recommendation_pages import catalogue_of

router = APIRouter(include_in_schema=False)

FILTERS = ("q", "region", "code", "technique")
STUDY_FIELDS = (
    "title",
    "context",
    "what_was_done",
    "outcome",
    "evidence_links",
    "contact",
    "region",
    "recommendation_codes",
    "techniques",
)


@router.get("/case-studies")
async def case_studies(
    request: Request, session: MemberSession, services: ServicesDep, cursor: str | None = None
) -> Response:
    filters = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    caller = session.caller()
    problems = Problems()
    page: dict[str, Any] = {"items": [], "next_cursor": None}
    catalogue = await catalogue_of(services, caller)
    try:
        page = await services.get(
            "recommendations", "/v1/case-studies", caller=caller, cursor=cursor, limit=20, **filters
        )
    except ServiceRefused as refused:
        problems.refused(refused, FILTERS, "q")
    return render(
        request,
        "case_studies.jinja",
        title="Case studies",
        page=page,
        filters=filters,
        titles={r["code"]: f"{r['code']}: {r['title']}" for r in catalogue},
        query=urlencode({k: v for k, v in filters.items() if v}),
        problems=problems,
        status=422 if problems else 200,
    )


@router.get("/case-studies/new")
async def new_case_study(
    request: Request, session: MemberSession, services: ServicesDep, code: str = ""
) -> Response:
    catalogue = await catalogue_of(services, session.caller())
    return render(
        request,
        "case_study_form.jinja",
        title="Share a case study",
        titles={r["code"]: f"{r['code']}: {r['title']}" for r in catalogue},
        form={"region": session.region},
        codes=[code] if code else [],
    )


@router.post("/case-studies/new")
async def share(
    request: Request, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    caller = session.caller()
    codes = form_list(request, "recommendation_codes")
    body = {
        "title": form.get("title", "").strip(),
        "context": form.get("context", "").strip(),
        "what_was_done": form.get("what_was_done", "").strip(),
        "outcome": form.get("outcome", "").strip(),
        "evidence_links": [
            x.strip() for x in form.get("evidence_links", "").splitlines() if x.strip()
        ],
        "contact": form.get("contact", "").strip(),
        "region": form.get("region", ""),
        "recommendation_codes": codes,
        "techniques": [t.strip() for t in form.get("techniques", "").split(",") if t.strip()],
    }
    problems = Problems()
    for name, message in (
        ("title", "Enter a title"),
        ("context", "Describe the setting and the problem"),
        ("what_was_done", "Say what was done"),
        ("outcome", "Say what changed as a result"),
    ):
        if not body[name]:
            problems.add(name, message)
    if not codes:
        problems.add(
            "recommendation_codes", "Choose at least one recommendation it puts into practice"
        )
    if not problems:
        try:
            study = await services.call(
                "recommendations", "POST", "/v1/case-studies", caller=caller, json=body
            )
        except ServiceRefused as refused:
            problems.refused(refused, STUDY_FIELDS, "title")
        else:
            return redirect(f"/case-studies/{study['id']}?done=shared")
    catalogue = await catalogue_of(services, caller)
    return render(
        request,
        "case_study_form.jinja",
        title="Share a case study",
        status=422,
        problems=problems,
        titles={r["code"]: f"{r['code']}: {r['title']}" for r in catalogue},
        form=form,
        codes=codes,
    )


@router.get("/case-studies/{study_id}")
async def case_study(
    request: Request, study_id: str, session: MemberSession, services: ServicesDep
) -> Response:
    caller = session.caller()
    study, catalogue = await asyncio.gather(
        services.call("recommendations", "GET", f"/v1/case-studies/{study_id}", caller=caller),
        catalogue_of(services, caller),
    )
    names = await member_names(services, caller, [study["author_member_id"]])
    return render(
        request,
        "case_study.jinja",
        title=study["title"],
        study=study,
        author=names[study["author_member_id"]],
        titles={r["code"]: r["title"] for r in catalogue},
        done=request.query_params.get("done"),
    )


@router.post("/case-studies/{study_id}/useful")
async def useful(
    study_id: str, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    on = form.get("useful", "yes") == "yes"
    await services.call(
        "recommendations",
        "PUT" if on else "DELETE",
        f"/v1/case-studies/{study_id}/useful",
        caller=session.caller(),
    )
    return redirect(f"/case-studies/{study_id}?done={'useful' if on else 'not_useful'}")
