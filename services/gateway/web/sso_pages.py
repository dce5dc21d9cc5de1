"""Signing in with an NHS account: off to the provider, and back. A member is signed in; a
person the provider vouched for who is not a member yet goes on to apply, their name and
address filled in from their account (the address is the provider's, not what they type)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.domain import sso
from services.gateway.oidc import OidcProvider
from services.gateway.usecases import sso as sso_cases
from services.gateway.web import security
from services.gateway.web.pages import (
    ClientsDep,
    Problems,
    StoresDep,
    client_address,
    redirect,
    render,
    safe_next,
)
from shared.errors import DomainError, NotFound
from shared.settings import PlatformSettings

router = APIRouter(include_in_schema=False)

STATE_COOKIE = "knet_sso_state"
APPLICANT_COOKIE = "knet_sso_applicant"


def _provider(request: Request) -> OidcProvider:
    provider: OidcProvider | None = request.app.state.oidc
    if provider is None:
        raise NotFound("sso_off", "Signing in with an NHS account is not set up here")
    return provider


def _callback(request: Request) -> str:
    return str(request.url_for("sso_callback"))


def applicant_secret(settings: PlatformSettings) -> str:
    return settings.internal_token_secret + ":sso-applicant"


@router.get("/sign-in/nhs")
async def begin(request: Request, stores: StoresDep, next: str = "/") -> Response:
    url, state = await sso_cases.begin(
        stores, _provider(request), next_path=safe_next(next), redirect_uri=_callback(request)
    )
    settings: PlatformSettings = request.app.state.settings
    response = redirect(url)
    # Lax: the provider's redirect back is a top-level navigation, which carries it.
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(sso.ATTEMPT_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.environment != "development",
        path="/sign-in/nhs",
    )
    return response


@router.get("/sign-in/nhs/callback", name="sso_callback")
async def callback(
    request: Request,
    stores: StoresDep,
    clients: ClientsDep,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
    settings: PlatformSettings = request.app.state.settings
    problems = Problems()
    if error or not code:
        problems.add("email", "Signing in with your NHS account did not finish: try again")
        return _sign_in_page(request, problems, 401)
    try:
        answered = await sso_cases.complete(
            stores,
            clients,
            _provider(request),
            request.app.state.sso,
            state=state,
            browser_state=request.cookies.get(STATE_COOKIE),
            code=code,
            redirect_uri=_callback(request),
            address=client_address(request),
            previous=request.cookies.get(security.session_cookie_name(settings)),
        )
    except DomainError as refused:
        problems.add("email", refused.message)
        return _sign_in_page(request, problems, refused.status_code)
    response: Response
    if answered.applicant is not None:
        response = redirect("/apply?with=nhs")
        response.set_cookie(
            APPLICANT_COOKIE,
            sso.applicant_token(applicant_secret(settings), answered.applicant, stores.clock.now()),
            max_age=int(sso.APPLICANT_LIFETIME.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=settings.environment != "development",
            path="/apply",
        )
    else:
        assert answered.signed_in is not None
        target = answered.next_path if answered.signed_in.session.is_member else "/application"
        response = security.with_session(
            redirect(target), answered.signed_in, settings, stores.timeouts
        )
    response.delete_cookie(STATE_COOKIE, path="/sign-in/nhs")
    return response


def _sign_in_page(request: Request, problems: Problems, status: int) -> Response:
    return render(
        request,
        "sign_in.jinja",
        title="Sign in",
        status=status,
        problems=problems,
        next="/",
        form={"email": ""},
    )
