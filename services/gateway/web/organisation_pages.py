"""Organisations: the list (search, region, kind, status), an organisation's page (its
members and plans, to members), and a facilitator's changes in their region (add, confirm a
proposal, rename, merge, close, reopen). Also the picker's matches as a person types (the
fragment static/gateway.js swaps in; without JavaScript the forms' "Find organisation" button
gives the same)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.gateway.clients.http import ServiceRefused
from services.gateway.clients.models import membership as m
from services.gateway.clients.operations import request as body_of
from services.gateway.usecases import organisations
from services.gateway.web.forms import FormModel, Posted, given, posted
from services.gateway.web.pages import (
    ClientsDep,
    Form,
    MaybeSession,
    MemberSession,
    Problems,
    redirect,
    render,
)

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
    prefix: Annotated[str, Query(pattern="^(|move_|merge_)$")] = "",
) -> Response:
    found = await organisations.choices(
        clients, searched=q, region=region, chosen=chosen, prefix=prefix
    )
    return render(request, "organisation_options.jinja", title="Organisations", choices=found)


@router.get("/organisations")
async def organisation_list(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    q: Text = "",
    region: Text = "",
    kind: Text = "",
    status: Text = "",
    cursor: Text = "",
) -> Response:
    found = await organisations.listing(
        clients,
        session.caller(),
        text=q,
        region=region,
        kind=kind,
        status=status,
        cursor=cursor or None,
    )
    return render(
        request,
        "organisations.jinja",
        title="Organisations",
        listing=found,
        filters={"q": q, "region": region, "kind": kind, "status": status},
        kinds=organisations.KINDS,
        statuses=organisations.STATUS_WORDS,
    )


class OrganisationForm(FormModel):
    name: Annotated[str, given("Enter the organisation's name")]
    region: Annotated[str, given("Select its region")]
    kind: str = "other"
    ods_code: str = ""


ORGANISATION_FIELDS = tuple(OrganisationForm.model_fields)


@router.get("/organisations/new")
async def new_organisation(request: Request, session: MemberSession) -> Response:
    return _organisation_form(request, {"region": session.caller().region or "", "kind": ""})


def _organisation_form(
    request: Request, form: dict[str, Any], problems: Problems | None = None
) -> Response:
    return render(
        request,
        "organisation_form.jinja",
        title="Add an organisation",
        status=422 if problems else 200,
        form=form,
        problems=problems,
        kinds=organisations.KINDS,
    )


@router.post("/organisations")
async def add_organisation(
    request: Request,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[OrganisationForm] = posted(OrganisationForm),
) -> Response:
    problems = sent.problems
    if sent.form is not None:
        try:
            added = await clients.membership.add_organisation(
                session.caller(),
                body_of(
                    m.OrganisationIn,
                    name=sent.form.name,
                    region=sent.form.region,
                    kind=sent.form.kind or "other",
                    ods_code=sent.form.ods_code or None,
                ),
            )
        except ServiceRefused as refused:
            if refused.status_code not in (403, 409, 422):
                raise
            problems.refused(refused, ORGANISATION_FIELDS, "name")
        else:
            return redirect(f"/organisations/{added.id}?added=1")
    return _organisation_form(request, sent.typed, problems)


@router.get("/organisations/{organisation_id}")
async def organisation(
    request: Request,
    organisation_id: str,
    session: MemberSession,
    clients: ClientsDep,
) -> Response:
    return await _organisation_page(request, clients, session, organisation_id)


async def _organisation_page(
    request: Request,
    clients: ClientsDep,
    session: Any,
    organisation_id: str,
    *,
    form: dict[str, Any] | None = None,
    problems: Problems | None = None,
    status: int | None = None,
) -> Response:
    found = await organisations.organisation_page(clients, session.caller(), organisation_id)
    form = form or {}
    merge_choices = await organisations.choices(
        clients,
        searched=form.get("merge_organisation_search", ""),
        region=found.organisation.region,
        chosen=form.get("merge_organisation_id", ""),
        prefix="merge_",
    )
    return render(
        request,
        "organisation.jinja",
        title=found.organisation.name,
        status=status or (422 if problems else 200),
        page=found,
        form={"name": found.organisation.name, "kind": found.organisation.kind, **form},
        problems=problems,
        kinds=organisations.KINDS,
        statuses=organisations.STATUS_WORDS,
        merge_choices=merge_choices,
    )


class RenameForm(FormModel):
    name: Annotated[str, given("Enter the organisation's name")]
    kind: str = ""
    ods_code: str = ""


@router.post("/organisations/{organisation_id}/change")
async def change_organisation(
    request: Request,
    organisation_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[RenameForm] = posted(RenameForm),
) -> Response:
    problems = sent.problems
    if sent.form is not None:
        changes: dict[str, Any] = {"name": sent.form.name}
        if sent.form.kind:
            changes["kind"] = sent.form.kind
        if sent.form.ods_code:
            changes["ods_code"] = sent.form.ods_code
        try:
            await clients.membership.change_organisation(
                session.caller(), organisation_id, body_of(m.OrganisationChanges, **changes)
            )
        except ServiceRefused as refused:
            if refused.status_code not in (403, 409, 422):
                raise
            problems.refused(refused, tuple(RenameForm.model_fields), "name")
        else:
            return redirect(f"/organisations/{organisation_id}?changed=1")
    return await _organisation_page(
        request, clients, session, organisation_id, form=sent.typed, problems=problems
    )


class MergeForm(FormModel):
    merge_organisation_id: Annotated[str, given("Choose the organisation it merges into")]
    merge_organisation_search: str = ""


@router.post("/organisations/{organisation_id}/merge")
async def merge_organisation(
    request: Request,
    organisation_id: str,
    session: MemberSession,
    clients: ClientsDep,
    sent: Posted[MergeForm] = posted(MergeForm),
) -> Response:
    problems = sent.problems
    if sent.typed.get("find"):
        return await _organisation_page(request, clients, session, organisation_id, form=sent.typed)
    if sent.form is not None and sent.form.merge_organisation_id == organisations.NOT_LISTED:
        problems.add("merge_organisation_id", "Choose an organisation in the list")
    if sent.form is not None and not problems:
        try:
            await clients.membership.merge_organisation(
                session.caller(), organisation_id, sent.form.merge_organisation_id
            )
        except ServiceRefused as refused:
            if refused.status_code not in (403, 409, 422):
                raise
            problems.add("merge_organisation_id", refused.message)
        else:
            return redirect(f"/organisations/{organisation_id}?merged=1")
    return await _organisation_page(
        request, clients, session, organisation_id, form=sent.typed, problems=problems
    )


@router.post("/organisations/{organisation_id}/{action}")
async def decide(
    request: Request,
    organisation_id: str,
    action: str,
    session: MemberSession,
    clients: ClientsDep,
    _: Form,
) -> Response:
    """Confirm a proposal, close, or reopen."""
    caller = session.caller()
    try:
        if action == "confirm":
            await clients.membership.confirm_organisation(caller, organisation_id)
        elif action == "close":
            await clients.membership.close_organisation(caller, organisation_id)
        elif action == "reopen":
            await clients.membership.change_organisation(
                caller, organisation_id, body_of(m.OrganisationChanges, reopen=True)
            )
        else:
            return await _organisation_page(request, clients, session, organisation_id, status=404)
    except ServiceRefused as refused:
        if refused.status_code not in (403, 409, 422):
            raise
        problems = Problems()
        problems.add("decision", refused.message)
        return await _organisation_page(
            request, clients, session, organisation_id, problems=problems
        )
    return redirect(f"/organisations/{organisation_id}?{action}=1")
