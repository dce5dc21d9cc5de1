"""What facilitators do for their region (operators for any): the approvals queue (approve, or
decline with a reason), the regional nodes' keys (issue, list, revoke), and members' network
roles. The services decide who may; these pages only offer what the caller's roles allow."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients import ServiceRefused
from services.gateway.domain.sessions import Session
from services.gateway.web.pages import (
    Form,
    Problems,
    ServicesDep,
    form_list,
    redirect,
    render,
    with_role,
)
from shared.errors import Forbidden
from shared.reference import regions

router = APIRouter(include_in_schema=False)

AUTHORITY = with_role("facilitator", "operator")
NETWORK_ROLES = {
    "core": "Core group",
    "facilitator": "Facilitator",
    "sponsor": "Sponsor",
    "operator": "Operator",
}


def _region_for(session: Session, asked: str | None) -> str:
    """The region a page is about: a facilitator's own; an operator's choice."""
    if "operator" in session.roles:
        return asked if asked in regions() else (session.region or "LDN")
    if asked and asked != session.region:
        raise Forbidden("not_permitted", "Facilitators look after their own region")
    return session.region or ""


@router.get("/approvals")
async def approvals(
    request: Request,
    services: ServicesDep,
    session: Session = AUTHORITY,
    region: str | None = None,
    cursor: str | None = None,
) -> Response:
    return await _approvals_page(
        request, services, session, _region_for(session, region), cursor=cursor
    )


async def _approvals_page(
    request: Request,
    services: Any,
    session: Session,
    region: str,
    *,
    cursor: str | None = None,
    problems: Problems | None = None,
    failed: str | None = None,
) -> Response:
    page, moves = await asyncio.gather(
        services.get(
            "membership",
            "/v1/applications",
            caller=session.caller(),
            region=region,
            cursor=cursor,
            limit=20,
        ),
        services.get("membership", "/v1/moves", caller=session.caller(), region=region, limit=50),
    )
    return render(
        request,
        "approvals.jinja",
        title="Approvals",
        status=422 if problems else 200,
        page=page,
        moves=moves,
        region=region,
        chooses_region="operator" in session.roles,
        done=None if problems else request.query_params.get("done"),
        problems=problems,
        failed=failed,
    )


@router.post("/approvals/{member_id}/approve")
async def approve(
    member_id: str, form: Form, services: ServicesDep, session: Session = AUTHORITY
) -> Response:
    member = await services.call(
        "membership", "POST", f"/v1/applications/{member_id}/approve", caller=session.caller()
    )
    return redirect(f"/approvals?region={member['region']}&done=approved")


@router.post("/approvals/{member_id}/decline")
async def decline(
    request: Request,
    member_id: str,
    form: Form,
    services: ServicesDep,
    session: Session = AUTHORITY,
) -> Response:
    return await _decline(
        request,
        services,
        session,
        form,
        member_id=member_id,
        path=f"/v1/applications/{member_id}/decline",
        field=f"reason-{member_id}",
        told="the applicant",
        done="declined",
    )


@router.post("/approvals/moves/{member_id}/approve")
async def approve_move(
    member_id: str, form: Form, services: ServicesDep, session: Session = AUTHORITY
) -> Response:
    member = await services.call(
        "membership", "POST", f"/v1/members/{member_id}/move/approve", caller=session.caller()
    )
    return redirect(f"/approvals?region={member['region']}&done=moved")


@router.post("/approvals/moves/{member_id}/decline")
async def decline_move(
    request: Request,
    member_id: str,
    form: Form,
    services: ServicesDep,
    session: Session = AUTHORITY,
) -> Response:
    return await _decline(
        request,
        services,
        session,
        form,
        member_id=member_id,
        path=f"/v1/members/{member_id}/move/decline",
        field=f"move-reason-{member_id}",
        told="the member",
        done="move_declined",
    )


async def _decline(
    request: Request,
    services: Any,
    session: Session,
    form: Any,
    *,
    member_id: str,
    path: str,
    field: str,
    told: str,
    done: str,
) -> Response:
    """Declining an application or a move: a reason is required because the person is told it."""
    region = _region_for(session, form.get("region"))
    problems = Problems()
    reason = form.get("reason", "").strip()
    if not reason:
        problems.add(field, f"Say why: {told} is told")
    else:
        try:
            await services.call(
                "membership", "POST", path, caller=session.caller(), json={"reason": reason}
            )
        except ServiceRefused as refused:
            if refused.status_code != 422:
                raise
            problems.refused(refused, (), field)
        else:
            return redirect(f"/approvals?region={region}&done={done}")
    return await _approvals_page(
        request, services, session, region, problems=problems, failed=member_id
    )


@router.get("/node-keys")
async def node_keys(
    request: Request,
    services: ServicesDep,
    session: Session = AUTHORITY,
    region: str | None = None,
    cursor: str | None = None,
) -> Response:
    region = _region_for(session, region)
    return await _keys_page(request, services, session, region, cursor=cursor)


async def _keys_page(
    request: Request,
    services: Any,
    session: Session,
    region: str,
    *,
    cursor: str | None = None,
    issued: dict[str, Any] | None = None,
    problems: Problems | None = None,
) -> Response:
    page = await services.get(
        "events", f"/v1/regions/{region}/node-keys", caller=session.caller(), cursor=cursor
    )
    return render(
        request,
        "node_keys.jinja",
        title="Regional node keys",
        status=422 if problems else 200,
        page=page,
        region=region,
        chooses_region="operator" in session.roles,
        issued=issued,
        problems=problems,
        done=request.query_params.get("done"),
    )


@router.post("/node-keys")
async def issue_key(
    request: Request, form: Form, services: ServicesDep, session: Session = AUTHORITY
) -> Response:
    region = _region_for(session, form.get("region"))
    label = form.get("label", "").strip()
    problems = Problems()
    if not label:
        problems.add("label", "Name the node or system that will use the key")
        return await _keys_page(request, services, session, region, problems=problems)
    try:
        issued = await services.call(
            "events",
            "POST",
            f"/v1/regions/{region}/node-keys",
            caller=session.caller(),
            json={"label": label},
        )
    except ServiceRefused as refused:
        if refused.status_code != 422:
            raise
        problems.refused(refused, ("label",), "label")
        return await _keys_page(request, services, session, region, problems=problems)
    # Shown once, on this answer only: the events service keeps only its hash.
    response = await _keys_page(request, services, session, region, issued=issued)
    return response


@router.post("/node-keys/{region}/{key_id}/revoke")
async def revoke_key(
    region: str, key_id: str, form: Form, services: ServicesDep, session: Session = AUTHORITY
) -> Response:
    region = _region_for(session, region)
    await services.call(
        "events", "DELETE", f"/v1/regions/{region}/node-keys/{key_id}", caller=session.caller()
    )
    return redirect(f"/node-keys?region={region}&done=revoked")


def grantable(session: Session) -> dict[str, str]:
    """The network roles this caller may give or take away (membership enforces the same)."""
    if "operator" in session.roles:
        return NETWORK_ROLES
    return {k: v for k, v in NETWORK_ROLES.items() if k in FACILITATOR_GRANTS}


# Membership's rule (its domain/permissions.py): facilitators grant these in their region.
FACILITATOR_GRANTS = ("core", "facilitator")


@router.post("/people/{member_id}/roles")
async def set_roles(
    request: Request,
    member_id: str,
    form: Form,
    services: ServicesDep,
    session: Session = AUTHORITY,
) -> Response:
    caller = session.caller()
    member = await services.call("membership", "GET", f"/v1/members/{member_id}", caller=caller)
    offered = grantable(session)
    chosen = {r for r in form_list(request, "roles") if r in offered}
    kept = {r for r in member["roles"] if r not in offered}
    await services.call(
        "membership",
        "PUT",
        f"/v1/members/{member_id}/roles",
        caller=caller,
        json={"roles": sorted({"member", *kept, *chosen})},
    )
    return redirect(f"/people/{member_id}?done=roles")
