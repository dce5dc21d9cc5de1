"""Errors on pages are pages: a friendly page for a refusal or a service that is down (never a
stack trace), a sign-in redirect for a visitor. Under /api they stay the platform's JSON
envelope (shared/http_errors.py)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.gateway.clients.http import ServiceUnavailable
from services.gateway.web.pages import (
    ApplicationPending,
    SignInNeeded,
    client_address,
    redirect,
    render,
    sign_in_path,
)
from shared.errors import DomainError
from shared.http_errors import domain_error_response, error_body, framework_error_response
from shared.logs import log, security_event

HEADINGS = {
    401: "Sign in to see this page",
    403: "You cannot see this page",
    404: "Page not found",
    405: "Page not found",
    409: "This has changed",
    422: "Something is not right",
    429: "Too many attempts",
    503: "Sorry, there is a problem with the service",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def install_page_errors(app: FastAPI) -> None:
    @app.exception_handler(SignInNeeded)
    async def _sign_in(_: Request, exc: SignInNeeded) -> Response:
        return redirect(sign_in_path(exc.next_path))

    @app.exception_handler(ApplicationPending)
    async def _pending(_: Request, __: ApplicationPending) -> Response:
        return redirect("/application")

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if exc.status_code == 403:
            session = getattr(request.state, "session", None)
            security_event(
                "forbidden",
                alarm=True,
                code=exc.code,
                path=request.url.path,
                member_id=session.member_id if session else None,
                client=client_address(request),
            )
        if _is_api(request):
            return domain_error_response(exc)
        status = exc.status_code
        heading = HEADINGS.get(status, "Something went wrong")
        return render(
            request,
            "error.jinja",
            title=heading,
            status=status,
            heading=heading,
            message=exc.message,
        )

    @app.exception_handler(ServiceUnavailable)
    async def _down(request: Request, exc: ServiceUnavailable) -> Response:
        log.warning("service unavailable", service=exc.service, error=str(exc))
        if _is_api(request):
            return JSONResponse(
                error_body("service_unavailable", f"The {exc.service} service is unavailable"),
                503,
                headers={"Retry-After": "5"},
            )
        heading = HEADINGS[503]
        response = render(
            request,
            "error.jinja",
            title=heading,
            status=503,
            heading=heading,
            message="Part of the KM Network is not answering right now.",
        )
        response.headers["retry-after"] = "5"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) or request.url.path.startswith(("/health", "/metrics", "/static")):
            return framework_error_response(app, request, exc)
        heading = HEADINGS.get(exc.status_code, "Something went wrong")
        message = (
            "If you typed the web address, check it is correct."
            if exc.status_code in (404, 405)
            else str(exc.detail)
        )
        return render(
            request,
            "error.jinja",
            title=heading,
            status=exc.status_code,
            heading=heading,
            message=message,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error", path=request.url.path, error=repr(exc))
        if _is_api(request):
            return JSONResponse(error_body("internal_error", "Something went wrong"), 500)
        heading = "Sorry, there is a problem with the service"
        return render(
            request,
            "error.jinja",
            title=heading,
            status=500,
            heading=heading,
            message="Something went wrong on our side. Try again later.",
        )
