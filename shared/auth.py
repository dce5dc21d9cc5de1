"""Internal auth: the gateway calls services with a short-lived signed token naming the
caller (member id, region, roles); services verify it and hand the caller to routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.caller import Caller
from shared.clock import Clock, SystemClock
from shared.errors import Forbidden, Unauthorized
from shared.settings import PlatformSettings

__all__ = [
    "AUTHORITIES",
    "GATEWAY_ONLY",
    "MEMBERS",
    "OPERATORS",
    "Caller",
    "CurrentCaller",
    "issue_token",
    "requires",
    "verify_token",
]

ALGORITHM = "HS256"
AUDIENCE = "knet-services"
ISSUER = "knet-gateway"


def issue_token(caller: Caller, settings: PlatformSettings, clock: Clock | None = None) -> str:
    now = (clock or SystemClock()).now()
    claims = {
        "sub": caller.member_id,
        "region": caller.region,
        "roles": sorted(caller.roles),
        "iat": now,
        "exp": now + timedelta(seconds=settings.internal_token_ttl_seconds),
        "aud": AUDIENCE,
        "iss": ISSUER,
    }
    return jwt.encode(claims, settings.internal_token_secret, algorithm=ALGORITHM)


def verify_token(token: str, settings: PlatformSettings) -> Caller:
    try:
        claims = jwt.decode(
            token,
            settings.internal_token_secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "sub", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token_expired", "The internal token has expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("token_invalid", "The internal token is not valid") from exc
    return Caller(
        member_id=claims["sub"],
        region=claims.get("region"),
        roles=frozenset(claims.get("roles", [])),
    )


BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="internal_token",
    bearerFormat="JWT",
    description="A short-lived token the gateway signs, naming the caller and their roles",
)


async def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
) -> Caller:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("token_missing", "An internal bearer token is required")
    settings: PlatformSettings = request.app.state.settings
    return verify_token(credentials.credentials, settings)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def requires(*roles: str) -> Any:
    """A route's dependency: the caller holds one of `roles`. Routes declare it (who may call
    at all) so that it is checked before the body is read: a caller without the role learns
    nothing of the body's schema. Use cases still decide remit (which region, whose plan)."""

    async def check(caller: CurrentCaller) -> Caller:
        if not any(caller.has(role) for role in roles):
            who = " or ".join(f"{role}s" for role in roles)
            raise Forbidden("not_permitted", f"Only {who} can do this")
        return caller

    return Depends(check)


# An operation only the gateway calls for its own pages (sign-in, credentials): marked in the
# service's OpenAPI document, so the gateway's member API never forwards it to the public.
GATEWAY_ONLY: dict[str, Any] = {"x-knet-gateway-only": True}

MEMBERS = requires("member")
AUTHORITIES = requires("facilitator", "operator")
OPERATORS = requires("operator")
