"""A member's password: change it (with the current one), or reset a forgotten one by a
link emailed to them. Either signs out every other device and revokes every API token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.clients.http import ServiceRefused
from services.gateway.usecases import passwords
from services.gateway.usecases.sessions import TooManyAttempts
from services.gateway.web import security
from services.gateway.web.pages import (
    Form,
    MaybeSession,
    MemberSession,
    Problems,
    ServicesDep,
    StoresDep,
    client_address,
    redirect,
    render,
)
from shared.settings import PlatformSettings

router = APIRouter(include_in_schema=False)


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
    form: Form,
    session: MemberSession,
    stores: StoresDep,
    services: ServicesDep,
) -> Response:
    current, new = form.get("current_password", ""), form.get("new_password", "")
    problems = Problems()
    if not current:
        problems.add("current_password", "Enter your current password")
    if not new:
        problems.add("new_password", "Enter a new password")
    if not problems:
        try:
            signed_in = await passwords.change(stores, services, session, current=current, new=new)
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
    request: Request, form: Form, stores: StoresDep, services: ServicesDep
) -> Response:
    email = form.get("email", "").strip()
    problems = Problems()
    if not email:
        problems.add("email", "Enter your email address")
    else:
        try:
            await passwords.send_reset_link(
                stores, services, email=email, address=client_address(request)
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
async def reset(request: Request, form: Form, stores: StoresDep, services: ServicesDep) -> Response:
    token, new = form.get("token", ""), form.get("new_password", "")
    problems = Problems()
    if not new:
        problems.add("new_password", "Enter a new password")
    if not problems:
        try:
            await passwords.reset(stores, services, token=token, new=new)
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
