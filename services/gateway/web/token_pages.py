"""A member's personal API tokens: make one (its secret shown once), see them, revoke one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field

from services.gateway.domain.api_tokens import LIFETIMES, SCOPES
from services.gateway.usecases import api_tokens
from services.gateway.web.forms import FormModel, Posted, posted
from services.gateway.web.pages import (
    Form,
    MemberSession,
    Problems,
    StoresDep,
    redirect,
    render,
    whole_number,
)
from shared.errors import Invalid

router = APIRouter(include_in_schema=False)


async def _page(
    request: Request,
    stores: StoresDep,
    session: MemberSession,
    *,
    secret: str | None = None,
    problems: Problems | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    return render(
        request,
        "api_tokens.jinja",
        title="API tokens",
        status=422 if problems else 200,
        tokens=await api_tokens.of_member(stores, session),
        lifetimes={str(days): f"{days} days" for days in LIFETIMES},
        # Reading is always granted: the choice is what else.
        scopes={k: v for k, v in SCOPES.items() if k != "read"},
        form_scopes=(form or {}).get("scopes", []),
        secret=secret,
        problems=problems,
        form=form or {"days": "90"},
        done=request.query_params.get("done"),
    )


@router.get("/profile/api-tokens")
async def tokens(request: Request, stores: StoresDep, session: MemberSession) -> Response:
    return await _page(request, stores, session)


class TokenForm(FormModel):
    lists = frozenset({"scopes"})
    label: str = ""
    days: str = ""
    scopes: list[str] = Field(default_factory=list)


@router.post("/profile/api-tokens")
async def make_token(
    request: Request,
    stores: StoresDep,
    session: MemberSession,
    sent: Posted[TokenForm] = posted(TokenForm),
) -> Response:
    form = sent.form or TokenForm()
    try:
        secret = await api_tokens.issue(
            stores,
            session,
            label=form.label,
            days=whole_number(form.days) or 0,
            scopes=frozenset(form.scopes) | {"read"},
        )
    except Invalid as invalid:
        problems = Problems()
        field = {"invalid_lifetime": "days", "invalid_scope": "scopes"}.get(invalid.code, "label")
        problems.add(field, invalid.message)
        return await _page(request, stores, session, problems=problems, form=sent.typed)
    # The secret is on this answer only (no-store, like every page): it is not kept.
    return await _page(request, stores, session, secret=secret)


@router.post("/profile/api-tokens/{id_hash}/revoke")
async def revoke_token(
    id_hash: str, form: Form, stores: StoresDep, session: MemberSession
) -> Response:
    await api_tokens.revoke(stores, session, id_hash)
    return redirect("/profile/api-tokens?done=revoked")
