"""Signing in with an NHS account: the attempt begun (its state bound to the browser), then
the provider's answer checked and turned into a session for the member the account belongs to
(linked by its verified address the first time), or into an application to join."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from services.gateway.clients import Clients
from services.gateway.clients.http import ServiceRefused
from services.gateway.domain import sso
from services.gateway.domain.sessions import hash_secret
from services.gateway.domain.sso import Verified
from services.gateway.oidc import OidcProvider
from services.gateway.stores import Stores
from services.gateway.usecases.sessions import SignedIn, start_session
from shared.errors import Unauthorized
from shared.logs import security_event


@dataclass(frozen=True)
class SsoSettings:
    allowed_domains: frozenset[str]
    trust_emails: bool


async def begin(
    stores: Stores, provider: OidcProvider, *, next_path: str, redirect_uri: str
) -> tuple[str, str]:
    """The provider's address to send the browser to, and the state for its cookie."""
    state, attempt = sso.begin(next_path, stores.clock.now())
    await stores.sso.add(attempt)
    return await provider.authorization_url(state, attempt, redirect_uri), state


@dataclass(frozen=True)
class Answered:
    signed_in: SignedIn | None  # a member: their new session
    applicant: Verified | None  # nobody has the address: they may apply
    next_path: str


async def complete(
    stores: Stores,
    clients: Clients,
    provider: OidcProvider,
    settings: SsoSettings,
    *,
    state: str,
    browser_state: str | None,
    code: str,
    redirect_uri: str,
    address: str,
    previous: str | None = None,
) -> Answered:
    """`previous`: the secret of a session this browser held, which ends on signing in."""
    now = stores.clock.now()
    try:
        # The state must be this browser's (a callback planted in someone else's browser is
        # refused), and is used once (a replayed callback finds nothing).
        if not browser_state or not hmac.compare_digest(state.encode(), browser_state.encode()):
            raise Unauthorized("sso_state_invalid", "This sign-in was not started here")
        attempt = await stores.sso.take(sso.hash_state(state))
        if attempt is None:
            raise Unauthorized("sso_state_invalid", "This sign-in was used already")
        if attempt.expired(now):
            raise Unauthorized("sso_state_expired", "The sign-in took too long: start again")
        claims = await provider.id_token_claims(code, attempt, redirect_uri)
        who = sso.verified(
            claims,
            attempt=attempt,
            issuer=provider.issuer,
            client_id=provider.client_id,
            allowed_domains=settings.allowed_domains,
            trust_emails=settings.trust_emails,
            now=now,
        )
    except Exception as refused:
        code_name = getattr(refused, "code", type(refused).__name__)
        security_event("sso_refused", alarm=True, code=code_name, client=address)
        raise
    try:
        identity = await clients.membership.sso_sign_in(
            issuer=who.issuer, subject=who.subject, email=who.email
        )
    except ServiceRefused as refused:
        if refused.code != "no_member":
            raise
        return Answered(None, who, attempt.next_path)
    if previous:
        await stores.sessions.remove(hash_secret(previous))
    signed_in = await start_session(stores, identity)
    security_event("signed_in", member_id=identity.member_id, client=address, method="sso")
    return Answered(signed_in, None, attempt.next_path)
