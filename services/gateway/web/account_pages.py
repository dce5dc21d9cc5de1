"""Joining and the account: apply, sign in, sign out (here or everywhere), and a pending
applicant's view of their application."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.gateway.clients.http import ServiceRefused
from services.gateway.domain.sso import Verified, read_applicant_token
from services.gateway.usecases import limits, sessions
from services.gateway.usecases.sessions import TooManyAttempts
from services.gateway.web import security
from services.gateway.web.pages import (
    Form,
    MaybeSession,
    Problems,
    ServicesDep,
    SignInNeeded,
    StoresDep,
    client_address,
    redirect,
    render,
    safe_next,
)
from services.gateway.web.sso_pages import APPLICANT_COOKIE, applicant_secret
from shared.errors import Unauthorized
from shared.pagination import MAX_PAGE_SIZE
from shared.settings import PlatformSettings

router = APIRouter(include_in_schema=False)

# Membership's field names, as the form names them (its problems come back by field).
APPLICATION_FIELDS = ("name", "email", "password", "region", "organisation_id", "job_title")


@router.get("/sign-in")
async def sign_in_page(request: Request, session: MaybeSession, next: str = "/") -> Response:
    if session is not None:
        return redirect(safe_next(next))
    return render(request, "sign_in.jinja", title="Sign in", next=safe_next(next), form={})


@router.post("/sign-in")
async def sign_in(
    request: Request, form: Form, stores: StoresDep, services: ServicesDep
) -> Response:
    email, password = form.get("email", "").strip(), form.get("password", "")
    next_path = safe_next(form.get("next"))
    problems = Problems()
    if not email:
        problems.add("email", "Enter your email address")
    if not password:
        problems.add("password", "Enter your password")
    status = 422
    if not problems:
        settings: PlatformSettings = request.app.state.settings
        try:
            signed_in = await sessions.sign_in(
                stores,
                services,
                email=email,
                password=password,
                address=client_address(request),
                previous=request.cookies.get(security.session_cookie_name(settings)),
            )
        except Unauthorized:
            problems.add("email", "Email or password is not right")
            status = 401
        except sessions.TooManyAttempts as locked:
            problems.add("email", locked.message)
            response = render(
                request,
                "sign_in.jinja",
                title="Sign in",
                status=429,
                problems=problems,
                next=next_path,
                form={"email": email},
            )
            response.headers["retry-after"] = str(locked.retry_after)
            return response
        else:
            target = next_path if signed_in.session.is_member else "/application"
            return security.with_session(redirect(target), signed_in, settings, stores.timeouts)
    return render(
        request,
        "sign_in.jinja",
        title="Sign in",
        status=status,
        problems=problems,
        next=next_path,
        form={"email": email},
    )


@router.get("/sign-out")
async def sign_out_page(request: Request, session: MaybeSession) -> Response:
    if session is None:
        return redirect("/")
    return render(request, "sign_out.jinja", title="Sign out")


@router.post("/sign-out")
async def sign_out(
    request: Request, form: Form, session: MaybeSession, stores: StoresDep
) -> Response:
    if session is not None:
        if form.get("everywhere") == "yes":
            await sessions.sign_out_everywhere(stores, session)
        else:
            await sessions.sign_out(stores, session)
    settings: PlatformSettings = request.app.state.settings
    response = redirect("/signed-out")
    response.delete_cookie(security.session_cookie_name(settings), path="/")
    return response


@router.get("/signed-out")
async def signed_out(request: Request) -> HTMLResponse:
    return render(request, "signed_out.jinja", title="You have signed out")


async def organisation_choices(services: ServicesDep) -> list[dict[str, Any]]:
    """Every registered organisation, page by page (a few hundred trusts and boards at most)."""
    organisations: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await services.get(
            "membership", "/v1/organisations", caller=None, limit=MAX_PAGE_SIZE, cursor=cursor
        )
        organisations += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return organisations


@router.get("/apply")
async def apply_page(
    request: Request, session: MaybeSession, services: ServicesDep, stores: StoresDep
) -> Response:
    if session is not None:
        return redirect("/" if session.is_member else "/application")
    verified = _verified_applicant(request, stores)
    form = {"name": verified.name, "email": verified.email} if verified else {}
    return render(
        request,
        "apply.jinja",
        title="Apply to join",
        form=form,
        verified=verified,
        organisations=await organisation_choices(services),
    )


def _verified_applicant(request: Request, stores: StoresDep) -> Verified | None:
    """Someone the NHS sign-in vouched for, carried here in a signed cookie."""
    settings: PlatformSettings = request.app.state.settings
    token = request.cookies.get(APPLICANT_COOKIE)
    return read_applicant_token(applicant_secret(settings), token, stores.clock.now())


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


@router.post("/apply")
async def apply(request: Request, form: Form, services: ServicesDep, stores: StoresDep) -> Response:
    body = {
        "name": form.get("name", "").strip(),
        "email": form.get("email", "").strip(),
        "password": form.get("password", ""),
        "region": form.get("region", ""),
        "organisation_id": form.get("organisation_id") or None,
        "job_title": form.get("job_title", "").strip(),
        "interests": _tags(form.get("interests", "")),
        "skills": _tags(form.get("skills", "")),
        "bio": form.get("bio", "").strip(),
    }
    verified = _verified_applicant(request, stores)
    if verified is not None:
        # The provider's address and account, never what was typed; no password to choose.
        del body["password"]
        body |= {"email": verified.email, "issuer": verified.issuer, "subject": verified.subject}
    problems = Problems()
    for name, label in (
        ("name", "your name"),
        ("email", "your email address"),
        ("password", "a password"),
    ):
        if name in body and not body[name]:
            problems.add(name, f"Enter {label}")
    if not body["region"]:
        problems.add("region", "Select your region")
    if not problems:
        try:
            await limits.count_anonymous_change(stores, address=client_address(request))
            path = "/v1/applications/verified" if verified else "/v1/applications"
            await services.call("membership", "POST", path, caller=None, json=body)
        except TooManyAttempts as slowed:
            problems.add("email", slowed.message)
        except ServiceRefused as refused:
            _explain(problems, refused)
        else:
            sent = redirect("/apply/sent")
            sent.delete_cookie(APPLICANT_COOKIE, path="/apply")
            return sent
    form_values = {k: v for k, v in form.items() if k != "password"}
    if verified is not None:
        form_values["email"] = verified.email
    return render(
        request,
        "apply.jinja",
        title="Apply to join",
        status=422,
        problems=problems,
        form=form_values,
        verified=verified,
        organisations=await organisation_choices(services),
    )


def _explain(problems: Problems, refused: ServiceRefused) -> None:
    """A service's refusal, beside the field it is about when it names one."""
    for problem in refused.problems:
        name = str(problem.get("field", "")).split(".")[0]
        problems.add(name if name in APPLICATION_FIELDS else "name", problem.get("problem", ""))
    if not refused.problems:
        # Membership's codes name the field: email_taken, weak_password, unknown_region...
        field = next((f for f in APPLICATION_FIELDS if f.split("_")[0] in refused.code), "name")
        problems.add(field, refused.message)


@router.get("/apply/sent")
async def application_sent(request: Request) -> HTMLResponse:
    return render(request, "application_sent.jinja", title="Application sent")


@router.get("/application")
async def application(request: Request, session: MaybeSession, services: ServicesDep) -> Response:
    if session is None:
        raise SignInNeeded("/application")
    if session.is_member:
        return redirect("/")
    me = await services.call(
        "membership", "GET", f"/v1/members/{session.member_id}", caller=session.caller()
    )
    return render(request, "application.jinja", title="Your application", me=me)
