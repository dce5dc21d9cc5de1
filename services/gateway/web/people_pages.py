"""People: the directory with its filters, a member's page with the connections suggested
for them and why, and my profile (with my contribution record) to edit. Each route reads its
input, calls one use case (usecases/people.py) and renders."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from services.gateway.clients.http import ServiceRefused
from services.gateway.clients.models import membership as m
from services.gateway.usecases import organisations, people
from services.gateway.web.forms import FormModel, Lines, Posted, Tags, given, posted
from services.gateway.web.pages import (
    ClientsDep,
    Form,
    MemberSession,
    Problems,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)

FILTERS = ("name", "region", "interest", "skill", "role")


class ProfileForm(FormModel):
    name: Annotated[str, given("Enter your name")]
    job_title: str = ""
    interests: Tags = Field(default_factory=list)
    skills: Tags = Field(default_factory=list)
    bio: str = ""
    links: Lines = Field(default_factory=list)


class MoveForm(FormModel):
    move_region: str = ""
    move_organisation_id: str = ""
    move_organisation_search: str = ""
    move_proposed_organisation: str = ""


PROFILE_FIELDS = tuple(ProfileForm.model_fields)
MOVE_FIELDS = tuple(MoveForm.model_fields)


@router.get("/people")
async def directory(
    request: Request, session: MemberSession, clients: ClientsDep, cursor: str | None = None
) -> Response:
    filters = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    problems = Problems()
    page = m.PageMemberView(items=[])
    try:
        page = await people.directory(clients, session.caller(), filters, cursor)
    except ServiceRefused as refused:
        problems.refused(refused, FILTERS, "name")
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
    request: Request, member_id: str, session: MemberSession, clients: ClientsDep
) -> Response:
    found = await people.person(clients, session.caller(), member_id)
    return render(
        request,
        "person.jinja",
        title=found.member.name,
        member=found.member,
        suggestions=found.suggestions,
        record=found.record,
        mine=found.mine,
        grantable=found.grantable,
        done=request.query_params.get("done"),
    )


@router.get("/profile")
async def profile(request: Request, session: MemberSession, clients: ClientsDep) -> Response:
    mine = await people.profile(clients, session.caller())
    return await _profile_page(request, clients, mine, form=_as_form(mine.me))


async def _profile_page(
    request: Request,
    clients: ClientsDep,
    mine: people.Profile,
    *,
    form: dict[str, Any],
    problems: Problems | None = None,
    status: int | None = None,
) -> Response:
    choices = await organisations.choices(
        clients,
        searched=form.get("move_organisation_search", ""),
        region=form.get("move_region"),
        chosen=form.get("move_organisation_id", ""),
        proposed=form.get("move_proposed_organisation", ""),
        prefix="move_",
    )
    return render(
        request,
        "profile.jinja",
        title="Your profile",
        status=status or (422 if problems else 200),
        problems=problems,
        form=form,
        me=mine.me,
        organisation_names=mine.organisation_names,
        choices=choices,
    )


def _as_form(member: m.MemberView) -> dict[str, str]:
    """The profile as its form shows it: lists as people type them."""
    return {
        "name": member.name,
        "job_title": member.job_title,
        "interests": ", ".join(member.interests),
        "skills": ", ".join(member.skills),
        "bio": member.bio,
        "links": "\n".join(member.links),
        "move_region": (member.move.region if member.move else None) or member.region,
        "move_organisation_id": (member.move.organisation_id if member.move else None)
        or member.organisation_id
        or "",
    }


@router.post("/profile")
async def change_profile(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[ProfileForm] = posted(ProfileForm),
) -> Response:
    problems = sent.problems
    if sent.form is not None:
        try:
            await people.change_profile(clients, session.caller(), **sent.form.model_dump())
        except ServiceRefused as refused:
            if refused.status_code != 422:
                raise
            problems.refused(refused, PROFILE_FIELDS, "name")
        else:
            return redirect("/profile?saved=1")
    mine = await people.profile(clients, session.caller())
    typed = {k: sent.typed.get(k, "") for k in PROFILE_FIELDS}
    return await _profile_page(
        request, clients, mine, form=_as_form(mine.me) | typed, problems=problems
    )


@router.post("/profile/move")
async def request_move(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[MoveForm] = posted(MoveForm),
) -> Response:
    """Asks to move region or organisation: a facilitator of that region decides. "Find
    organisation" (without JavaScript) sends the form back with the matches instead."""
    problems = sent.problems
    if sent.typed.get("find"):
        mine = await people.profile(clients, session.caller())
        typed = {k: sent.typed.get(k, "") for k in MOVE_FIELDS}
        return await _profile_page(request, clients, mine, form=_as_form(mine.me) | typed)
    if sent.form is not None:
        organisation_id, proposed = organisations.chosen_organisation(
            sent.form.move_organisation_id, sent.form.move_proposed_organisation
        )
        if sent.form.move_organisation_id == organisations.NOT_LISTED and not proposed:
            problems.add("move_proposed_organisation", "Enter the name of the organisation")
    if sent.form is not None and not problems:
        try:
            await people.ask_to_move(
                clients,
                session.caller(),
                region=sent.form.move_region,
                organisation_id=organisation_id,
                proposed_organisation=proposed,
            )
        except ServiceRefused as refused:
            if refused.status_code != 422:
                raise
            renames = {
                "region": "move_region",
                "organisation_id": "move_organisation_id",
                "proposed_organisation": "move_proposed_organisation",
            }
            problems.refused(refused, MOVE_FIELDS, "move_region", renames)
        else:
            return redirect("/profile?moving=1")
    mine = await people.profile(clients, session.caller())
    typed = {k: sent.typed.get(k, "") for k in MOVE_FIELDS}
    return await _profile_page(
        request, clients, mine, form=_as_form(mine.me) | typed, problems=problems
    )


@router.post("/profile/move/withdraw")
async def withdraw_move(form: Form, session: MemberSession, clients: ClientsDep) -> Response:
    await people.withdraw_move(clients, session.caller())
    return redirect("/profile?withdrawn=1")
