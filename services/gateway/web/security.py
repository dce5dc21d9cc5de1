"""What every response and every form carries: security headers with a per-response CSP
nonce (the only inline script is NHS.UK frontend's one-line `js-enabled` switch, allowed by
nonce; no 'unsafe-inline'), the session cookie's attributes, and CSRF tokens.

CSRF: a signed-in form's token is derived from its session's secret; before sign-in (apply,
sign in) from a random cookie of its own (double submit). Cookies are SameSite=Lax too."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.domain.sessions import Timeouts
from services.gateway.usecases.sessions import SignedIn
from shared.errors import Forbidden
from shared.settings import PlatformSettings

PRE_SESSION_COOKIE = "knet_form"


def session_cookie_name(settings: PlatformSettings) -> str:
    # __Host- binds the cookie to this host, path / and HTTPS: it needs Secure, so not locally.
    return "knet_session" if settings.environment == "development" else "__Host-knet_session"


def cookie_attributes(settings: PlatformSettings) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": settings.environment != "development",
        "path": "/",
    }


def with_session(
    response: Response, signed_in: SignedIn, settings: PlatformSettings, timeouts: Timeouts
) -> Response:
    """The response with the new session's cookie (signed in, or a session given a new
    secret after the password changed)."""
    response.set_cookie(
        session_cookie_name(settings),
        signed_in.secret,
        max_age=int(timeouts.absolute.total_seconds()),
        **cookie_attributes(settings),
    )
    return response


def pre_session_token(settings: PlatformSettings, seed: str) -> str:
    key = settings.internal_token_secret.encode()
    return hmac.new(key, b"form:" + seed.encode(), hashlib.sha256).hexdigest()


def check_pre_session_token(settings: PlatformSettings, seed: str | None, token: str) -> None:
    if not seed or not hmac.compare_digest(
        pre_session_token(settings, seed).encode(), token.encode()
    ):
        raise Forbidden("csrf_failed", "This form has expired. Go back, reload and try again.")


def new_seed() -> str:
    return secrets.token_urlsafe(24)


class SecurityHeaders:
    """Sets the headers on every response and a fresh CSP nonce in scope["state"]."""

    def __init__(self, app: ASGIApp, settings: PlatformSettings) -> None:
        self.app = app
        self.hsts = settings.environment != "development"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        policy = "; ".join(
            [
                "default-src 'self'",
                f"script-src 'self' 'nonce-{nonce}'",
                "style-src 'self'",
                "img-src 'self' data:",
                "connect-src 'self'",
                "font-src 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
                "base-uri 'none'",
                "object-src 'none'",
            ]
        )

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = {
                    b"content-security-policy": policy.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"x-frame-options": b"DENY",
                    b"cross-origin-opener-policy": b"same-origin",
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                }
                if self.hsts:
                    extra[b"strict-transport-security"] = b"max-age=31536000; includeSubDomains"
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
