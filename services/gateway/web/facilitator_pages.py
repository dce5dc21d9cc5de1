"""What facilitators do for their region (operators for any): the approvals queue (approve, or
decline with a reason), the regional nodes' keys (issue, list, revoke), and members' network
roles. Each route reads its input, calls one use case (usecases/approvals.py, people.py) and
renders; the services decide who may, and these pages offer only what will succeed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from services.gateway.clients.http import ServiceRefused
from services.gateway.clients.models import events as e
from services.gateway.domain.sessions import Session
from services.gateway.usecases import approvals, people
from services.gateway.web.forms import FormModel, Posted, given, posted
from services.gateway.web.pages import ClientsDep, Form, Problems, redirect, render, with_role

router = APIRouter(include_in_schema=False)

AUTHORITY = with_role("facilitator", "operator")


class Declining(FormModel):
    """Declining an application: the applicant is told why."""

    region: str = ""
    reason: Annotated[str, given("Say why: the applicant is told")]


class DecliningMove(Declining):
    """Declining a move: the member is told why."""

    reason: Annotated[str, given("Say why: the member is told")]


class KeyForm(FormModel):
    region: str = ""
    label: Annotated[str, given("Name the node or system that will use the key")]


class RolesForm(FormModel):
    lists = frozenset({"roles"})
    roles: list[str] = Field(default_factory=list)


@router.get("/approvals")
async def queue(
    request: Request,
    clients: ClientsDep,
    session: Session = AUTHORITY,
    region: str | None = None,
    cursor: str | None = None,
) -> Response:
    return await _queue_page(request, clients, session, region, cursor=cursor)


async def _queue_page(
    request: Request,
    clients: ClientsDep,
    session: Session,
    asked: str | None,
    *,
    cursor: str | None = None,
    problems: Problems | None = None,
    failed: str | None = None,
) -> Response:
    found = await approvals.queue(clients, session.caller(), asked, cursor)
    return render(
        request,
        "approvals.jinja",
        title="Approvals",
        status=422 if problems else 200,
        page=found.applications,
        moves=found.moves,
        organisations=found.organisations,
        region=found.region,
        chooses_region=found.chooses_region,
        done=None if problems else request.query_params.get("done"),
        problems=problems,
        failed=failed,
    )


@router.post("/approvals/{member_id}/approve")
async def approve(
    member_id: str, form: Form, clients: ClientsDep, session: Session = AUTHORITY
) -> Response:
    member = await approvals.approve(clients, session.caller(), member_id)
    return redirect(f"/approvals?region={member.region}&done=approved")


@router.post("/approvals/moves/{member_id}/approve")
async def approve_move(
    member_id: str, form: Form, clients: ClientsDep, session: Session = AUTHORITY
) -> Response:
    member = await approvals.approve_move(clients, session.caller(), member_id)
    return redirect(f"/approvals?region={member.region}&done=moved")


@router.post("/approvals/{member_id}/decline")
async def decline(
    request: Request,
    member_id: str,
    clients: ClientsDep,
    session: Session = AUTHORITY,
    sent: Posted[Declining] = posted(Declining),
) -> Response:
    return await _decline(
        request, clients, session, sent, member_id, move=False, field=f"reason-{member_id}"
    )


@router.post("/approvals/moves/{member_id}/decline")
async def decline_move(
    request: Request,
    member_id: str,
    clients: ClientsDep,
    session: Session = AUTHORITY,
    sent: Posted[DecliningMove] = posted(DecliningMove),
) -> Response:
    return await _decline(
        request, clients, session, sent, member_id, move=True, field=f"move-reason-{member_id}"
    )


async def _decline(
    request: Request,
    clients: ClientsDep,
    session: Session,
    sent: Posted[Declining] | Posted[DecliningMove],
    member_id: str,
    *,
    move: bool,
    field: str,
) -> Response:
    """Declining an application or a move: the reason sits beside its own row's field."""
    asked = str(sent.typed.get("region", "")) or None
    problems = Problems()
    for message in sent.problems.by_field.values():
        problems.add(field, message)
    if sent.form is not None:
        decide = approvals.decline_move if move else approvals.decline
        try:
            await decide(clients, session.caller(), member_id, sent.form.reason)
        except ServiceRefused as refused:
            if refused.status_code != 422:
                raise
            problems.refused(refused, (), field)
        else:
            where = approvals.region(session.caller(), asked)
            done = "move_declined" if move else "declined"
            return redirect(f"/approvals?region={where}&done={done}")
    return await _queue_page(request, clients, session, asked, problems=problems, failed=member_id)


@router.get("/node-keys")
async def node_keys(
    request: Request,
    clients: ClientsDep,
    session: Session = AUTHORITY,
    region: str | None = None,
    cursor: str | None = None,
) -> Response:
    return await _keys_page(request, clients, session, region, cursor=cursor)


async def _keys_page(
    request: Request,
    clients: ClientsDep,
    session: Session,
    asked: str | None,
    *,
    cursor: str | None = None,
    issued: e.IssuedKey | None = None,
    problems: Problems | None = None,
) -> Response:
    found = await approvals.node_keys(clients, session.caller(), asked, cursor)
    return render(
        request,
        "node_keys.jinja",
        title="Regional node keys",
        status=422 if problems else 200,
        page=found.page,
        region=found.region,
        chooses_region=found.chooses_region,
        issued=issued,
        problems=problems,
        done=request.query_params.get("done"),
    )


@router.post("/node-keys")
async def issue_key(
    request: Request,
    clients: ClientsDep,
    session: Session = AUTHORITY,
    sent: Posted[KeyForm] = posted(KeyForm),
) -> Response:
    asked = str(sent.typed.get("region", "")) or None
    problems = sent.problems
    if sent.form is not None:
        try:
            issued = await approvals.issue_key(clients, session.caller(), asked, sent.form.label)
        except ServiceRefused as refused:
            if refused.status_code != 422:
                raise
            problems.refused(refused, ("label",), "label")
        else:
            # Shown once, on this answer only: the events service keeps only its hash.
            return await _keys_page(request, clients, session, asked, issued=issued)
    return await _keys_page(request, clients, session, asked, problems=problems)


@router.post("/node-keys/{region}/{key_id}/revoke")
async def revoke_key(
    region: str, key_id: str, form: Form, clients: ClientsDep, session: Session = AUTHORITY
) -> Response:
    where = await approvals.revoke_key(clients, session.caller(), region, key_id)
    return redirect(f"/node-keys?region={where}&done=revoked")


@router.post("/people/{member_id}/roles")
async def set_roles(
    member_id: str,
    clients: ClientsDep,
    session: Session = AUTHORITY,
    sent: Posted[RolesForm] = posted(RolesForm),
) -> Response:
    chosen = sent.form.roles if sent.form is not None else []
    await people.set_roles(clients, session.caller(), member_id, chosen)
    return redirect(f"/people/{member_id}?done=roles")
