"""The gateway's calls to the services, over HTTP with an internal token it mints for the
caller (shared.auth.issue_token). A service's refusal comes back as `ServiceRefused` with the
service's own status and code; a service that cannot be reached or fails answers
`ServiceUnavailable`, which pages show as a friendly page and the API as a 503."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from shared.auth import issue_token
from shared.caller import Caller
from shared.errors import DomainError
from shared.settings import PlatformSettings

ANONYMOUS = Caller(member_id="anonymous")
PROBES = ("/health/ready", "/metrics")


class ServiceRefused(DomainError):
    """A 4xx from a service, with its code, message and details."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(code, message, **(details if isinstance(details, dict) else {}))
        self.status_code = status
        self.problems: list[dict[str, Any]] = details if isinstance(details, list) else []


class ServiceUnavailable(Exception):
    def __init__(self, service: str, why: str) -> None:
        super().__init__(f"{service} is unavailable: {why}")
        self.service = service


class Services:
    def __init__(
        self,
        settings: PlatformSettings,
        urls: Mapping[str, str],
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.settings = settings
        transports = transports or {}
        self.clients = {
            name: httpx.AsyncClient(base_url=url, transport=transports.get(name), timeout=timeout)
            for name, url in urls.items()
        }

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    def headers(self, caller: Caller | None) -> dict[str, str]:
        token = issue_token(caller or ANONYMOUS, self.settings)
        return {"authorization": f"Bearer {token}"}

    async def send(
        self,
        service: str,
        method: str,
        path: str,
        *,
        caller: Caller | None,
        params: Any = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The service's answer as it is, whatever the status; ServiceUnavailable when it
        cannot be reached."""
        try:
            return await self.clients[service].request(
                method,
                path,
                params=params,
                json=json,
                content=content,
                headers={**(headers or {}), **self.headers(caller)},
            )
        except httpx.HTTPError as error:
            raise ServiceUnavailable(service, repr(error)) from error

    async def probe(self, service: str, path: str) -> httpx.Response:
        """What every process serves besides its API (`/health/ready`, `/metrics`): not an
        operation of any document, so no typed client names it."""
        if path not in PROBES:
            raise ValueError(f"{path} is not a probe")
        return await self.send(service, "GET", path, caller=None)

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        caller: Caller | None,
        params: Any = None,
        json: Any = None,
    ) -> Any:
        """The parsed body of a 2xx; ServiceRefused for a 4xx; ServiceUnavailable otherwise."""
        response = await self.send(service, method, path, caller=caller, params=params, json=json)
        if response.status_code >= 500:
            raise ServiceUnavailable(service, f"answered {response.status_code}")
        if response.status_code >= 400:
            error = _error_of(response)
            raise ServiceRefused(
                response.status_code,
                str(error.get("code", "refused")),
                str(error.get("message", "The request was refused")),
                error.get("details"),
            )
        if response.status_code == 204 or not response.content:
            return None
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content


def _error_of(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}
