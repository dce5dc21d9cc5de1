"""A fake of the services behind the gateway's typed clients, for page use cases tested
without HTTP servers: each answer is canned by method and path (httpx.MockTransport under the
real clients, so their paths, query parameters and answer models are exercised too), and each
request is recorded with its body."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.gateway.clients import Clients
from services.gateway.clients.http import Services
from shared.settings import PlatformSettings

SERVICES = ("membership", "events", "recommendations", "notifications", "conversations")
Answer = Any | Callable[[httpx.Request], httpx.Response]


@dataclass
class Sent:
    service: str
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any


@dataclass
class FakeServices:
    answers: dict[tuple[str, str, str], Answer] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)

    def answer(self, service: str, method: str, path: str, body: Answer, status: int = 200) -> None:
        self.answers[(service, method, path)] = (
            body if callable(body) else httpx.Response(status, json=body)
        )

    def refuse(
        self, service: str, method: str, path: str, status: int, code: str, **details: Any
    ) -> None:
        envelope = {"error": {"code": code, "message": f"refused: {code}", "details": details}}
        self.answers[(service, method, path)] = httpx.Response(status, json=envelope)

    def clients(self) -> Clients:
        def transport(service: str) -> httpx.MockTransport:
            def handle(request: httpx.Request) -> httpx.Response:
                body = json.loads(request.content) if request.content else None
                query: dict[str, list[str]] = {}
                for key, value in request.url.params.multi_items():
                    query.setdefault(key, []).append(value)
                self.sent.append(Sent(service, request.method, request.url.path, query, body))
                found = self.answers.get((service, request.method, request.url.path))
                if found is None:
                    return httpx.Response(
                        404, json={"error": {"code": "not_found", "message": "no fake"}}
                    )
                return (
                    found(request)
                    if callable(found) and not isinstance(found, httpx.Response)
                    else found
                )

            return httpx.MockTransport(handle)

        settings = PlatformSettings(internal_token_secret="a-test-secret-of-at-least-32-bytes!")
        urls = {name: f"http://{name}" for name in SERVICES}
        return Clients.over(
            Services(settings, urls, transports={name: transport(name) for name in SERVICES})
        )

    def to(self, service: str, method: str, path: str) -> list[Sent]:
        return [s for s in self.sent if (s.service, s.method, s.path) == (service, method, path)]


def member(member_id: str = "m1", region: str = "LDN", **change: Any) -> dict[str, Any]:
    """A member as membership answers with one (MemberView)."""
    return {
        "id": member_id,
        "name": f"Member {member_id}",
        "region": region,
        "status": "active",
        "roles": ["member"],
        "organisation_id": None,
        "job_title": "Knowledge specialist",
        "interests": ["peer assist"],
        "skills": [],
        "bio": "",
        "links": [],
        **change,
    }
