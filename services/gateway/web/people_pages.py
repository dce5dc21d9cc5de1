"""People: the directory with its filters, a member's page with the connections suggested
for them and why, and my profile (with my contribution record) to edit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients import ServiceRefused
from services.gateway.web.facilitator_pages import grantable
from services.gateway.web.pages import (
    Form,
    MemberSession,
    Problems,
    ServicesDep,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)

FILTERS = ("name", "region", "interest", "skill", "role")
PROFILE_FIELDS = ("name", "region", "job_title", "interests", "skills", "bio", "links")


@router.get("/people")
async def directory(
    request: Request, session: MemberSession, services: ServicesDep, cursor: str | None = None
) -> Response:
    filters = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    problems = Problems()
    page: dict[str, Any] = {"items": [], "next_cursor": None}
    try:
        page = await services.get(
            "membership", "/v1/members", caller=session.caller(), cursor=cursor, limit=20, **filters
        )
    except ServiceRefused as refused:
        for problem in refused.problems or [{"field": "name", "problem": refused.message}]:
            name = str(problem.get("field", "name"))
            problems.add(name if name in FILTERS else "name", str(problem.get("problem")))
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "people.jinja",
        title="People",
        filters=filters,
        page=page,
        query=query,
        problems=problems,
        status=422 if problems else 200,
    )


@router.get("/people/{member_id}")
async def person(
    request: Request, member_id: str, session: MemberSession, services: ServicesDep
) -> Response:
    caller = session.caller()
    member = await services.call("membership", "GET", f"/v1/members/{member_id}", caller=caller)
    suggestions = await services.get(
        "membership", f"/v1/members/{member_id}/suggestions", caller=caller, limit=5
    )
    record = await services.get(
        "membership", f"/v1/members/{member_id}/contributions", caller=caller
    )
    manages = caller.governs(member["region"]) and member["status"] == "active"
    return render(
        request,
        "person.jinja",
        title=member["name"],
        member=member,
        suggestions=suggestions,
        record=record,
        mine=member_id == session.member_id,
        grantable=grantable(session) if manages else {},
        done=request.query_params.get("done"),
    )


@router.get("/profile")
async def profile(request: Request, session: MemberSession, services: ServicesDep) -> Response:
    me = await services.call(
        "membership", "GET", f"/v1/members/{session.member_id}", caller=session.caller()
    )
    return render(request, "profile.jinja", title="Your profile", form=_as_form(me))


def _as_form(member: dict[str, Any]) -> dict[str, str]:
    return {
        "name": member["name"],
        "region": member["region"],
        "job_title": member["job_title"],
        "interests": ", ".join(member["interests"]),
        "skills": ", ".join(member["skills"]),
        "bio": member["bio"],
        "links": "\n".join(member["links"]),
    }


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


@router.post("/profile")
async def change_profile(
    request: Request, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    changes = {
        "name": form.get("name", "").strip(),
        "region": form.get("region", ""),
        "job_title": form.get("job_title", "").strip(),
        "interests": _tags(form.get("interests", "")),
        "skills": _tags(form.get("skills", "")),
        "bio": form.get("bio", "").strip(),
        "links": [line.strip() for line in form.get("links", "").splitlines() if line.strip()],
    }
    problems = Problems()
    if not changes["name"]:
        problems.add("name", "Enter your name")
    if not problems:
        try:
            await services.call(
                "membership",
                "PATCH",
                f"/v1/members/{session.member_id}",
                caller=session.caller(),
                json=changes,
            )
        except ServiceRefused as refused:
            for problem in refused.problems:
                name = str(problem.get("field", "")).split(".")[0]
                problems.add(
                    name if name in PROFILE_FIELDS else "name", str(problem.get("problem"))
                )
            if not refused.problems:
                field = next((f for f in PROFILE_FIELDS if f.rstrip("s") in refused.code), "name")
                problems.add(field, refused.message)
        else:
            return redirect("/profile?saved=1")
    return render(
        request,
        "profile.jinja",
        title="Your profile",
        status=422,
        problems=problems,
        form={k: form.get(k, "") for k in PROFILE_FIELDS},
    )
