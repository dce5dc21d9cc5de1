"""The member API (`/api/v1/...`) and the regional-node API (`/api/v1/node/submissions`):
each request forwarded to the service that owns the path, as the caller the gateway vouches
for (a member's session; anonymous otherwise, and the service decides what anyone may do).

A session's requests that change anything carry the page's CSRF token in X-CSRF-Token. A
refusal is the service's own envelope; a service that is down is a 503 envelope."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from services.gateway.api.documents import find_route
from services.gateway.clients.http import ServiceUnavailable
from services.gateway.domain.api_tokens import is_token, scope_for
from services.gateway.usecases import api_tokens, limits
from services.gateway.usecases.sessions import TooManyAttempts
from services.gateway.web.pages import (
    ClientsDep,
    MaybeSession,
    ServicesDep,
    StoresDep,
    client_address,
)
from shared.http_errors import error_body
from shared.logs import security_event
from shared.requests import FORWARDED_PREFIX

router = APIRouter(include_in_schema=False)

SAFE = {"GET", "HEAD", "OPTIONS"}
FORWARDED_REQUEST_HEADERS = ("content-type", "accept", "idempotency-key", "if-match")
FORWARDED_RESPONSE_HEADERS = ("content-type", "retry-after", "allow", "location", "etag")


@router.api_route(
    "/api/v1/{rest:path}", methods=["GET", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "HEAD"]
)
async def forward(
    request: Request,
    rest: str,
    session: MaybeSession,
    services: ServicesDep,
    clients: ClientsDep,
    stores: StoresDep,
) -> Response:
    # The path as the client encoded it: decoded, an id holding %3F or %2F would turn into a
    # query or another segment on the way to the service.
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("ascii", errors="replace").removeprefix("/api")
    method = "GET" if request.method == "HEAD" else request.method
    route, allowed = find_route(method, path)
    if route is None:
        if allowed:
            return JSONResponse(
                error_body("method_not_allowed", "Method Not Allowed"),
                405,
                headers={"Allow": ", ".join(allowed)},
            )
        return JSONResponse(error_body("not_found", "Not Found"), 404)
    headers = {k: v for k in FORWARDED_REQUEST_HEADERS if (v := request.headers.get(k))}
    # Paths the service answers with must work here, under /api.
    headers[FORWARDED_PREFIX] = "/api"
    if route.node:
        # A node's own credential; a member's session means nothing here. Without one the
        # body is not read at all.
        key = request.headers.get("x-node-key")
        if not key:
            return JSONResponse(
                error_body("node_key_missing", "Send the node's key in X-Node-Key"), 401
            )
        headers["x-node-key"] = key
        caller = None
    elif bearer := _bearer(request):
        # A token is sent on purpose, never by a browser on its own: no CSRF token needed.
        found = await api_tokens.current(stores, clients, bearer) if is_token(bearer) else None
        if found is None:
            return JSONResponse(
                error_body("invalid_token", "The API token is unknown, revoked or expired"),
                401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        needed = scope_for(method, path.split("?", 1)[0])
        if needed not in found.scopes:
            challenge = f'Bearer error="insufficient_scope", scope="{needed}"'
            return JSONResponse(
                error_body("insufficient_scope", f"The token was not made to {needed}"),
                403,
                headers={"WWW-Authenticate": challenge},
            )
        caller, session = found.identity.caller(), found.identity
    else:
        caller = session.caller() if session else None
        if session is None and method not in SAFE:
            try:
                await limits.count_anonymous_change(stores, address=client_address(request))
            except TooManyAttempts as slowed:
                return JSONResponse(
                    error_body(slowed.code, slowed.message),
                    429,
                    headers={"Retry-After": str(slowed.retry_after)},
                )
        if session is not None and method not in SAFE:
            token = request.headers.get("x-csrf-token", "")
            if not session.csrf_ok(token):
                return JSONResponse(
                    error_body("csrf_failed", "Send the page's CSRF token in X-CSRF-Token"), 403
                )
    try:
        answer = await services.send(
            route.service,
            method,
            path,
            caller=caller,
            params=list(request.query_params.multi_items()),
            content=await request.body(),
            headers=headers,
        )
    except ServiceUnavailable as down:
        return _unavailable(down.service)
    if answer.status_code >= 500:
        return _unavailable(route.service)
    if answer.status_code == 403:
        security_event(
            "forbidden",
            alarm=True,
            path="/api" + path.split("?", 1)[0],
            member_id=caller.member_id if caller else None,
            client=client_address(request),
        )
    if session is None and not route.node and answer.status_code == 403:
        # Anonymous and refused: what would let them in is signing in.
        return JSONResponse(error_body("sign_in_required", "Sign in to do this"), 401)
    return Response(
        content=b"" if request.method == "HEAD" else answer.content,
        status_code=answer.status_code,
        headers={k: v for k in FORWARDED_RESPONSE_HEADERS if (v := answer.headers.get(k))},
    )


def _bearer(request: Request) -> str | None:
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    return credential.strip() if scheme.lower() == "bearer" and credential.strip() else None


def _unavailable(service: str) -> JSONResponse:
    return JSONResponse(
        error_body("service_unavailable", f"The {service} service is unavailable; try again"),
        503,
        headers={"Retry-After": "5"},
    )
