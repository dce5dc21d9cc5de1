"""Single sign-on with an NHS account (NHSmail is Microsoft Entra ID) over OpenID Connect:
the Authorization Code flow with PKCE. Pure: an attempt's secrets, and what an ID token's
claims must say before anyone is let in.

An attempt holds a state (bound to the browser by a cookie, used once), a nonce (the ID token
must carry it: a token minted for another attempt is refused) and a PKCE verifier (the code is
worth nothing without it). The ID token must come from the configured issuer, be meant for
this client, be current, and carry an email the provider verified, in an allowed domain."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt as pyjwt

from shared.emails import normalise_email
from shared.errors import Forbidden, Invalid, Unauthorized

ATTEMPT_LIFETIME = timedelta(minutes=10)
CLOCK_LEEWAY = timedelta(seconds=60)


@dataclass(frozen=True)
class Attempt:
    state_hash: str
    nonce: str
    verifier: str
    next_path: str
    created_at: datetime

    def expired(self, now: datetime) -> bool:
        return now - self.created_at > ATTEMPT_LIFETIME


@dataclass(frozen=True)
class Verified:
    """Who the provider says signed in."""

    issuer: str
    subject: str
    email: str
    name: str


def begin(next_path: str, now: datetime) -> tuple[str, Attempt]:
    """The state for the address and cookie (never stored), and the attempt to keep."""
    state = secrets.token_urlsafe(32)
    attempt = Attempt(
        state_hash=hash_state(state),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(48),
        next_path=next_path,
        created_at=now,
    )
    return state, attempt


def hash_state(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _refused(code: str, message: str) -> Unauthorized:
    return Unauthorized(code, message)


def verified(
    claims: Mapping[str, Any],
    *,
    attempt: Attempt,
    issuer: str,
    client_id: str,
    allowed_domains: frozenset[str],
    trust_emails: bool,
    now: datetime,
) -> Verified:
    """What a signature-checked ID token says, once its claims hold; refused with a code
    naming what did not."""
    if claims.get("iss") != issuer:
        raise _refused("sso_wrong_issuer", "The sign-in came from another provider")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise _refused("sso_wrong_audience", "The sign-in was meant for another service")
    expires, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expires, int | float) or not isinstance(issued, int | float):
        raise _refused("sso_token_invalid", "The sign-in did not say when it is good for")
    if datetime.fromtimestamp(expires, UTC) <= now - CLOCK_LEEWAY:
        raise _refused("sso_token_expired", "The sign-in has expired: sign in again")
    if datetime.fromtimestamp(issued, UTC) > now + CLOCK_LEEWAY:
        raise _refused("sso_token_invalid", "The sign-in claims to come from the future")
    if not secrets.compare_digest(str(claims.get("nonce", "")), attempt.nonce):
        raise _refused("sso_nonce_mismatch", "The sign-in belongs to another attempt")
    email = str(claims.get("email") or (claims.get("preferred_username") if trust_emails else ""))
    # A provider may vouch for its addresses as a whole (a single organisation's Entra ID).
    if not email or not (claims.get("email_verified") is True or trust_emails):
        raise _refused("sso_email_unverified", "The provider did not confirm your email address")
    try:
        email = normalise_email(email)
    except Invalid as bad:
        raise _refused("sso_email_unverified", "The provider gave no usable address") from bad
    domain = email.rsplit("@", 1)[1]
    if not any(domain == d or domain.endswith("." + d) for d in allowed_domains):
        raise Forbidden(
            "sso_domain_not_allowed",
            f"Accounts at {domain} cannot sign in here: use your password, or apply with it",
        )
    subject = str(claims.get("sub") or "")
    if not subject:
        raise _refused("sso_token_invalid", "The sign-in named no account")
    name = str(claims.get("name") or email.split("@")[0])
    return Verified(issuer=issuer, subject=subject, email=email, name=name)


APPLICANT_LIFETIME = timedelta(minutes=30)
_APPLICANT = "knet-sso-applicant"


def applicant_token(secret: str, who: Verified, now: datetime) -> str:
    """Someone the provider vouched for who is not a member yet: carried to the application
    form in a signed cookie (their address is the provider's, not what they type)."""
    claims = {
        "aud": _APPLICANT,
        "iss": who.issuer,
        "sub": who.subject,
        "email": who.email,
        "name": who.name,
        "exp": int((now + APPLICANT_LIFETIME).timestamp()),
    }
    return pyjwt.encode(claims, secret, algorithm="HS256")


def read_applicant_token(secret: str, token: str | None, now: datetime) -> Verified | None:
    if not token:
        return None
    try:
        claims = pyjwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=_APPLICANT,
            options={"verify_exp": False, "require": ["exp", "iss", "sub", "email"]},
        )
    except pyjwt.PyJWTError:
        return None
    if now.timestamp() >= claims["exp"]:
        return None
    return Verified(claims["iss"], claims["sub"], claims["email"], claims.get("name", ""))
