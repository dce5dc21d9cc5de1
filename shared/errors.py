"""Typed errors, plain Python: the domain and the use cases raise them; shared/http_errors.py
maps them to HTTP in one place, and the event consumer treats a `DomainError` as permanent (no
retry, straight to the dead-letter topic) and everything else as worth retrying.

Two are about contention, not about the request: `Stale` (the document changed since it was
read: reload and decide again, shared/retry.py does) and `Busy` (others kept winning for the
whole retry budget: 503 with Retry-After over HTTP, retried by consumers)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


class Invalid(DomainError):
    status_code = 422


class Unauthorized(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class TooMany(DomainError):
    """Too many at once (a new member's posts): try again after `retry_after` seconds."""

    status_code = 429


class Unavailable(DomainError):
    """Something the request needs is away for now (the mail server): try again later."""

    status_code = 503


class Stale(Exception):
    """The aggregate changed since it was read: reload it and decide again."""


class Busy(Exception):
    """Contention outlasted the retry budget. Not a verdict on the request: try again."""

    code = "busy"

    def __init__(self, message: str = "Others are changing this right now; try again") -> None:
        super().__init__(message)
        self.message = message
