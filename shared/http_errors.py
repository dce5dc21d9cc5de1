"""Errors to HTTP, in one place: the platform's error envelope for every failure a client can
act on, and never a stack trace."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from pymongo.errors import AutoReconnect
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import Busy, DomainError


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable: what went wrong", examples=["not_permitted"])
    message: str = Field(description="For people")
    details: list[Any] | dict[str, Any] | None = Field(
        None, description="Per field problems, reasons, or what is known"
    )


class ErrorEnvelope(BaseModel):
    """Every error this API answers, whatever the status."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": description}
    for status, description in (
        (400, "The request could not be read (malformed_request)"),
        (401, "No valid internal token or node key (token_missing, token_invalid, ...)"),
        (403, "The caller may not do this (not_permitted, outside_remit, ...)"),
        (404, "Not found (the code names what)"),
        (409, "In conflict with the current state (the code names which)"),
        (422, "Not valid: every problem, by field (invalid_request and domain codes)"),
        (429, "Too many at once (slow_down): try again after Retry-After"),
        (503, "Busy or the store unreachable: try again after Retry-After"),
    )
}

# A route whose success is not JSON (a calendar) still answers errors in JSON; FastAPI would
# document a model under the route's own media type, so these name the schema directly (the
# JSON routes register it).
ERROR_RESPONSES_IN_JSON: dict[int | str, dict[str, Any]] = {
    status: {
        "description": response["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
    }
    for status, response in ERROR_RESPONSES.items()
}

# Domain codes that request validation raises itself (shared/requests.py).
EDGE_CHECKED_CODES = {"unknown_region", "unknown_role"}

HTTP_CODES = {
    400: "malformed_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods of the most specific route templates matching `path` (fewest parameters,
    then most literal characters: /events/{id}.ics over /events/{id}), as documented."""
    matching = [
        r for r in app.router.routes if isinstance(r, APIRoute) and r.path_regex.match(path)
    ]
    if not matching:
        return []

    def specificity(route: APIRoute) -> tuple[int, int]:
        literal = re.sub(r"\{[^}]+\}", "", route.path)
        return (-route.path.count("{"), len(literal))

    best = max(specificity(r) for r in matching)
    return sorted({m for r in matching if specificity(r) == best for m in r.methods or set()})


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def domain_error_response(exc: DomainError) -> JSONResponse:
    headers = {}
    if "retry_after" in exc.details:  # TooMany: when to try again, as HTTP says it
        headers["Retry-After"] = str(int(exc.details["retry_after"]))
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details), exc.status_code, headers=headers
    )


def framework_error_response(
    app: FastAPI, request: Request, exc: StarletteHTTPException
) -> JSONResponse:
    # Raised by the framework itself: a body it could not parse (too deeply nested, not
    # UTF-8), a path that does not exist, a method a path does not take.
    code = HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the first matching route's methods; a path served by
        # several routes (GET and POST /events) takes all of theirs.
        headers["Allow"] = ", ".join(allowed_methods(app, request.url.path))
    return JSONResponse(error_body(code, message), exc.status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return domain_error_response(exc)

    @app.exception_handler(Busy)
    async def _busy(_: Request, exc: Busy) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), 503, headers={"Retry-After": "1"})

    @app.exception_handler(AutoReconnect)
    async def _store(_: Request, exc: Exception) -> JSONResponse:
        # The write may or may not have landed; every write is safe to repeat (versioned or
        # keyed), so the client is told to try again.
        return JSONResponse(
            error_body("store_unavailable", "The store could not be reached; try again"),
            503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return framework_error_response(app, request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        problems = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "problem": e["msg"]} for e in errors
        ]
        # A region or role checked at the edge answers with the domain's own code.
        kinds = {e["type"] for e in errors}
        code = kinds.pop() if len(kinds) == 1 and kinds <= EDGE_CHECKED_CODES else "invalid_request"
        return JSONResponse(error_body(code, "The request is not valid", problems), 422)
