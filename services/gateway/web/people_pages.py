"""People: the directory with its filters, a member's page with the connections suggested
for them and why, and my profile (with my contribution record) to edit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients import ServiceRefused
from services.gateway.web.account_pages import organisation_choices
from services.gateway.web.facilitator_pages import grantable
from services.gateway.web.pages import (
    Form,
    MemberSession,
    Problems,
    ServicesDep,
    redirect,
    render,
)
from shared.reference import regions

router = APIRouter(include_in_schema=False)

FILTERS = ("name", "region", "interest", "skill", "role")
PROFILE_FIELDS = ("name", "job_title", "interests", "skills", "bio", "links")
MOVE_FIELDS = ("move_region", "move_organisation_id")


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
    me = await _me(services, session)
    return await _profile_page(request, services, me, form=_as_form(me))


async def _me(services: ServicesDep, session: MemberSession) -> dict[str, Any]:
    found: dict[str, Any] = await services.call(
        "membership", "GET", f"/v1/members/{session.member_id}", caller=session.caller()
    )
    return found


async def _profile_page(
    request: Request,
    services: ServicesDep,
    me: dict[str, Any],
    *,
    form: dict[str, str],
    problems: Problems | None = None,
) -> Response:
    organisations = await organisation_choices(services)
    return render(
        request,
        "profile.jinja",
        title="Your profile",
        status=422 if problems else 200,
        problems=problems,
        form=form,
        me=me,
        organisation_names={o["id"]: o["name"] for o in organisations},
        organisation_labels={
            o["id"]: f"{o['name']} ({regions()[o['region']].name})" for o in organisations
        },
    )


def _as_form(member: dict[str, Any]) -> dict[str, str]:
    move = member.get("move") or {}
    return {
        "name": member["name"],
        "job_title": member["job_title"],
        "interests": ", ".join(member["interests"]),
        "skills": ", ".join(member["skills"]),
        "bio": member["bio"],
        "links": "\n".join(member["links"]),
        "move_region": move.get("region") or member["region"],
        "move_organisation_id": move.get("organisation_id") or member["organisation_id"] or "",
    }


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


@router.post("/profile")
async def change_profile(
    request: Request, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    changes = {
        "name": form.get("name", "").strip(),
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
    me = await _me(services, session)
    typed = {k: form.get(k, "") for k in PROFILE_FIELDS}
    return await _profile_page(request, services, me, form=_as_form(me) | typed, problems=problems)


@router.post("/profile/move")
async def request_move(
    request: Request, form: Form, session: MemberSession, services: ServicesDep
) -> Response:
    """Asks to move region or organisation: a facilitator of that region decides."""
    problems = Problems()
    try:
        await services.call(
            "membership",
            "POST",
            f"/v1/members/{session.member_id}/move",
            caller=session.caller(),
            json={
                "region": form.get("move_region", ""),
                "organisation_id": form.get("move_organisation_id") or None,
            },
        )
    except ServiceRefused as refused:
        if refused.status_code != 422:
            raise
        renames = {"region": "move_region", "organisation_id": "move_organisation_id"}
        problems.refused(refused, MOVE_FIELDS, "move_region", renames)
    else:
        return redirect("/profile?moving=1")
    me = await _me(services, session)
    typed = {k: form.get(k, "") for k in MOVE_FIELDS}
    return await _profile_page(request, services, me, form=_as_form(me) | typed, problems=problems)


@router.post("/profile/move/withdraw")
async def withdraw_move(form: Form, session: MemberSession, services: ServicesDep) -> Response:
    await services.call(
        "membership", "DELETE", f"/v1/members/{session.member_id}/move", caller=session.caller()
    )
    return redirect("/profile?withdrawn=1")
