"""A member's password: change it (with the current one), or reset a forgotten one by a
link emailed to them. Either signs out every other device and revokes every API token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients.http import ServiceRefused
from services.gateway.usecases import passwords
from services.gateway.usecases.sessions import TooManyAttempts
from services.gateway.web import security
from services.gateway.web.forms import FormModel, Password, Posted, given, posted
from services.gateway.web.pages import (
    ClientsDep,
    MaybeSession,
    MemberSession,
    Problems,
    StoresDep,
    client_address,
    redirect,
    render,
)
from shared.settings import PlatformSettings

router = APIRouter(include_in_schema=False)


class ChangeForm(FormModel):
    current_password: Annotated[Password, given("Enter your current password")]
    new_password: Annotated[Password, given("Enter a new password")]


class ForgottenForm(FormModel):
    email: Annotated[str, given("Enter your email address")]


class ResetForm(FormModel):
    token: str = ""
    new_password: Annotated[Password, given("Enter a new password")]


def _refused(problems: Problems, refused: ServiceRefused, field: str) -> None:
    """Membership's word on a password (weak, wrong, the link spent) beside its field."""
    if refused.status_code not in (401, 422):
        raise refused
    if refused.code == "wrong_password":
        problems.add("current_password", refused.message)
    else:
        problems.add(field, refused.message)


@router.get("/password")
async def change_page(request: Request, session: MemberSession) -> Response:
    return render(request, "password_change.jinja", title="Change your password")


@router.post("/password")
async def change(
    request: Request,
    session: MemberSession,
    stores: StoresDep,
    clients: ClientsDep,
    sent: Posted[ChangeForm] = posted(ChangeForm),
) -> Response:
    problems = sent.problems
    if sent.form is not None:
        current, new = sent.form.current_password, sent.form.new_password
        try:
            signed_in = await passwords.change(stores, clients, session, current=current, new=new)
        except ServiceRefused as refused:
            _refused(problems, refused, "new_password")
        else:
            settings: PlatformSettings = request.app.state.settings
            done = redirect("/profile?password=changed")
            return security.with_session(done, signed_in, settings, stores.timeouts)
    return render(
        request,
        "password_change.jinja",
        title="Change your password",
        status=422,
        problems=problems,
    )


# Pages anyone may open take the session when there is one: their form's CSRF token is the
# session's then, as the post that follows checks.
@router.get("/password/forgotten")
async def forgotten_page(request: Request, _: MaybeSession) -> Response:
    return render(request, "password_forgotten.jinja", title="Reset your password", form={})


@router.post("/password/forgotten")
async def forgotten(
    request: Request,
    stores: StoresDep,
    clients: ClientsDep,
    sent: Posted[ForgottenForm] = posted(ForgottenForm),
) -> Response:
    problems = sent.problems
    email = str(sent.typed.get("email", "")).strip()
    if sent.form is not None:
        try:
            await passwords.send_reset_link(
                stores, clients, email=email, address=client_address(request)
            )
        except TooManyAttempts as slowed:
            problems.add("email", slowed.message)
            response = render(
                request,
                "password_forgotten.jinja",
                title="Reset your password",
                status=429,
                problems=problems,
                form={"email": email},
            )
            response.headers["retry-after"] = str(slowed.retry_after)
            return response
        else:
            # The same page whether or not the address has an account.
            return render(
                request, "password_link_sent.jinja", title="Check your email", email=email
            )
    return render(
        request,
        "password_forgotten.jinja",
        title="Reset your password",
        status=422,
        problems=problems,
        form={"email": email},
    )


@router.get("/password/reset")
async def reset_page(request: Request, _: MaybeSession, token: str = "") -> Response:
    return render(request, "password_reset.jinja", title="Choose a new password", token=token)


@router.post("/password/reset")
async def reset(
    request: Request,
    stores: StoresDep,
    clients: ClientsDep,
    sent: Posted[ResetForm] = posted(ResetForm),
) -> Response:
    problems = sent.problems
    token = str(sent.typed.get("token", ""))
    if sent.form is not None:
        try:
            await passwords.reset(stores, clients, token=token, new=sent.form.new_password)
        except ServiceRefused as refused:
            _refused(problems, refused, "new_password")
        else:
            return redirect("/sign-in?reset=done")
    return render(
        request,
        "password_reset.jinja",
        title="Choose a new password",
        status=422,
        problems=problems,
        token=token,
    )
