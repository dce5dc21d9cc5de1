"""Errors to HTTP, in one place: the platform's error envelope for every failure a client can
act on, and never a stack trace."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import AutoReconnect

from shared.errors import Busy, DomainError


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), exc.status_code)

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

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "problem": e["msg"]}
            for e in exc.errors()
        ]
        return JSONResponse(
            error_body("invalid_request", "The request is not valid", problems), 422
        )
