"""The OpenID Connect provider, over HTTP: its discovery document and signing keys (read once
and kept; the keys again when a token names one not seen yet), the address a browser is sent
to, and the code exchanged for an ID token whose signature is checked here. Authlib is the
OAuth 2.0 client (PKCE S256); its sister library joserfc checks the signature. What the claims
must say is domain/sso.py's."""

from __future__ import annotations

from typing import Any

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.gateway.domain.sso import Attempt
from shared.errors import Unauthorized

SCOPE = "openid email profile"
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class OidcProvider:
    def __init__(self, *, issuer: str, client_id: str, client_secret: str) -> None:
        self.issuer, self.client_id, self.client_secret = (
            issuer.rstrip("/"),
            client_id,
            client_secret,
        )
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def _client(self, redirect_uri: str) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret or None,
            scope=SCOPE,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=10,
        )

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            async with httpx.AsyncClient(timeout=10) as http:
                answer = await http.get(f"{self.issuer}/.well-known/openid-configuration")
                answer.raise_for_status()
                self._metadata = answer.json()
        return self._metadata

    async def authorization_url(self, state: str, attempt: Attempt, redirect_uri: str) -> str:
        endpoint = (await self.metadata())["authorization_endpoint"]
        async with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                endpoint, state=state, nonce=attempt.nonce, code_verifier=attempt.verifier
            )
        return str(url)

    async def id_token_claims(
        self, code: str, attempt: Attempt, redirect_uri: str
    ) -> dict[str, Any]:
        """The ID token's claims, its signature checked against the provider's keys."""
        endpoint = (await self.metadata())["token_endpoint"]
        async with self._client(redirect_uri) as client:
            try:
                token = await client.fetch_token(
                    endpoint, code=code, code_verifier=attempt.verifier
                )
            except Exception as refused:  # the provider said no: a spent or foreign code
                raise Unauthorized(
                    "sso_code_refused", "The provider refused the sign-in: sign in again"
                ) from refused
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise Unauthorized("sso_token_invalid", "The provider sent no ID token")
        return await self._verified_claims(id_token)

    async def _verified_claims(self, id_token: str) -> dict[str, Any]:
        for fresh in (False, True):
            keys = await self._key_set(refresh=fresh)
            try:
                return dict(jwt.decode(id_token, keys, algorithms=ALGORITHMS).claims)
            except JoseError:
                continue  # a key rotated since: read them again, once
        raise Unauthorized("sso_token_invalid", "The sign-in's signature did not check out")

    async def _key_set(self, *, refresh: bool) -> KeySet:
        if self._keys is None or refresh:
            uri = (await self.metadata())["jwks_uri"]
            async with httpx.AsyncClient(timeout=10) as http:
                answer = await http.get(uri)
                answer.raise_for_status()
                self._keys = KeySet.import_key_set(answer.json())
        return self._keys
