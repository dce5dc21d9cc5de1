"""Request bodies are bounded before anything parses them: a declared Content-Length over
the route's limit is answered 413 at once, without reading a byte of the body, and a body
sent in chunks is counted as it arrives and cut off at the limit (the parser never sees the
rest). A plain ASGI middleware, on every service and the gateway (shared.service)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http_errors import error_body

KIB = 1024
# Enough for the longest thing a member writes (a post of 20,000 characters, 4 bytes each at
# worst) with room to spare; a route that takes less says so.
DEFAULT_LIMIT = 1024 * KIB


class TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than this route takes ({limit} bytes)")


class BodyLimit:
    def __init__(
        self, app: ASGIApp, *, default: int = DEFAULT_LIMIT, limits: Mapping[str, int] | None = None
    ) -> None:
        self.app, self.default = app, default
        # Longest prefix first, so /api/v1/node/ wins over /api/.
        self.limits = sorted((limits or {}).items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        return next(
            (limit for prefix, limit in self.limits if path.startswith(prefix)), self.default
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # An HTTPException passes through FastAPI's body parsing as it is (any
                    # other exception would become a 400) to the error handlers: a 413.
                    raise TooLarge(limit)
            return message

        await self.app(scope, counted, send)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        error_body("too_large", f"The request body is larger than this route takes ({limit} bytes)")
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
