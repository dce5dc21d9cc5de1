"""Joining and the account: apply, sign in, sign out (here or everywhere), and a pending
applicant's view of their application."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field

from services.gateway.clients.http import ServiceRefused
from services.gateway.domain.sso import Verified, read_applicant_token
from services.gateway.usecases import joining, organisations, sessions
from services.gateway.usecases.sessions import TooManyAttempts
from services.gateway.web import security
from services.gateway.web.forms import FormModel, Password, Posted, Tags, given, posted, read
from services.gateway.web.pages import (
    ClientsDep,
    Form,
    MaybeSession,
    Problems,
    SignInNeeded,
    StoresDep,
    client_address,
    redirect,
    render,
    safe_next,
)
from services.gateway.web.sso_pages import APPLICANT_COOKIE, applicant_secret
from shared.errors import Unauthorized
from shared.settings import PlatformSettings

router = APIRouter(include_in_schema=False)

# Membership's field names, as the form names them (its problems come back by field).
APPLICATION_FIELDS = (
    "name",
    "email",
    "password",
    "region",
    "organisation_id",
    "proposed_organisation",
    "job_title",
)


@router.get("/sign-in")
async def sign_in_page(request: Request, session: MaybeSession, next: str = "/") -> Response:
    if session is not None:
        return redirect(safe_next(next))
    return render(request, "sign_in.jinja", title="Sign in", next=safe_next(next), form={})


class SignInForm(FormModel):
    email: Annotated[str, given("Enter your email address")]
    password: Annotated[Password, given("Enter your password")]
    next: str = "/"


@router.post("/sign-in")
async def sign_in(
    request: Request,
    stores: StoresDep,
    clients: ClientsDep,
    sent: Posted[SignInForm] = posted(SignInForm),
) -> Response:
    next_path = safe_next(str(sent.typed.get("next", "")))
    problems = sent.problems
    shown = {"email": str(sent.typed.get("email", "")).strip()}
    status = 422
    if sent.form is not None:
        settings: PlatformSettings = request.app.state.settings
        try:
            signed_in = await sessions.sign_in(
                stores,
                clients,
                email=sent.form.email,
                password=sent.form.password,
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
                form=shown,
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
        form=shown,
    )


@router.get("/sign-out")
async def sign_out_page(request: Request, session: MaybeSession) -> Response:
    if session is None:
        return redirect("/")
    return render(request, "sign_out.jinja", title="Sign out")


class SignOutForm(FormModel):
    everywhere: str = "no"


@router.post("/sign-out")
async def sign_out(
    request: Request,
    session: MaybeSession,
    stores: StoresDep,
    sent: Posted[SignOutForm] = posted(SignOutForm),
) -> Response:
    if session is not None:
        if sent.form is not None and sent.form.everywhere == "yes":
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


@router.get("/apply")
async def apply_page(
    request: Request, session: MaybeSession, clients: ClientsDep, stores: StoresDep
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
        choices=await organisations.choices(clients, searched="", region=None, chosen=""),
    )


def _verified_applicant(request: Request, stores: StoresDep) -> Verified | None:
    """Someone the NHS sign-in vouched for, carried here in a signed cookie."""
    settings: PlatformSettings = request.app.state.settings
    token = request.cookies.get(APPLICANT_COOKIE)
    return read_applicant_token(applicant_secret(settings), token, stores.clock.now())


class ApplyForm(FormModel):
    name: Annotated[str, given("Enter your name")]
    email: Annotated[str, given("Enter your email address")]
    password: Annotated[Password, given("Enter a password")]
    region: Annotated[str, given("Select your region")]
    organisation_id: str = ""
    organisation_search: str = ""
    proposed_organisation: str = ""
    job_title: str = ""
    interests: Tags = Field(default_factory=list)
    skills: Tags = Field(default_factory=list)
    bio: str = ""


class VerifiedApplyForm(ApplyForm):
    """Someone an NHS account vouched for: the provider's address, and no password."""

    email: str = ""
    password: Password = ""


@router.post("/apply")
async def apply(request: Request, fields: Form, clients: ClientsDep, stores: StoresDep) -> Response:
    verified = _verified_applicant(request, stores)
    typed = {k: v for k, v in dict(fields).items() if isinstance(v, str)}
    if typed.get("find"):
        # "Find organisation" without JavaScript: the same form back, with the matches.
        return await _apply_again(request, clients, verified, typed, Problems(), status=200)
    sent = read(VerifiedApplyForm if verified else ApplyForm, dict(fields))
    problems = sent.problems
    if sent.form is not None:
        organisation_id, proposed = organisations.chosen_organisation(
            sent.form.organisation_id, sent.form.proposed_organisation
        )
        if sent.form.organisation_id == organisations.NOT_LISTED and not proposed:
            problems.add("proposed_organisation", "Enter the name of your organisation")
    if sent.form is not None and not problems:
        applying = joining.Applying(
            **sent.form.model_dump(
                exclude={"organisation_id", "organisation_search", "proposed_organisation"}
            ),
            organisation_id=organisation_id,
            proposed_organisation=proposed,
        )
        try:
            await joining.apply(
                stores, clients, applying, verified=verified, address=client_address(request)
            )
        except TooManyAttempts as slowed:
            problems.add("email", slowed.message)
        except ServiceRefused as refused:
            _explain(problems, refused)
        else:
            done = redirect("/apply/sent")
            done.delete_cookie(APPLICANT_COOKIE, path="/apply")
            return done
    return await _apply_again(request, clients, verified, typed, problems, status=422)


async def _apply_again(
    request: Request,
    clients: ClientsDep,
    verified: Verified | None,
    typed: dict[str, str],
    problems: Problems,
    *,
    status: int,
) -> Response:
    """The form as it was sent (never the password), with the organisation matches."""
    shown = {k: v for k, v in typed.items() if k != "password"}
    if verified is not None:
        shown["email"] = verified.email
    choices = await organisations.choices(
        clients,
        searched=typed.get("organisation_search", ""),
        region=typed.get("region"),
        chosen=typed.get("organisation_id", ""),
        proposed=typed.get("proposed_organisation", ""),
    )
    return render(
        request,
        "apply.jinja",
        title="Apply to join",
        status=status,
        problems=problems or None,
        form=shown,
        verified=verified,
        choices=choices,
        password_typed=bool(typed.get("password")),
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
async def application(request: Request, session: MaybeSession, clients: ClientsDep) -> Response:
    if session is None:
        raise SignInNeeded("/application")
    if session.is_member:
        return redirect("/")
    me = await joining.application(clients, session.caller())
    return render(request, "application.jinja", title="Your application", me=me)
