"""The membership service running in-process (its real lifespan: indexes, broker, relay,
consumers) against the session's Kafka and store, called over ASGI like the gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.membership.app import MembershipSettings, create_app
from shared.auth import Caller, issue_token
from shared.clock import new_id
from shared.settings import PlatformSettings

STRONG_PASSWORD = "Knowledge-Network-2016"


@dataclass
class MembershipClient:
    http: httpx.AsyncClient
    settings: MembershipSettings
    app: Any

    def headers(
        self, member_id: str = "anonymous", roles: set[str] | None = None, region: str | None = None
    ) -> dict[str, str]:
        caller = Caller(member_id=member_id, region=region, roles=frozenset(roles or set()))
        return {"authorization": f"Bearer {issue_token(caller, self.settings)}"}

    async def as_operator(self) -> dict[str, str]:
        response = await self.http.post(
            "/v1/sessions",
            json={
                "email": self.settings.operator_email,
                "password": self.settings.operator_password,
            },
            headers=self.headers(),
        )
        assert response.status_code == 200, response.text
        identity = response.json()
        return self.headers(identity["member_id"], set(identity["roles"]), identity["region"])

    async def apply(self, region: str = "LDN", **fields: Any) -> dict[str, Any]:
        body = {
            "name": f"Applicant {new_id()[-6:]}",
            "email": f"{new_id()}@nhs.net",
            "password": STRONG_PASSWORD,
            "region": region,
            **fields,
        }
        response = await self.http.post("/v1/applications", json=body, headers=self.headers())
        assert response.status_code == 202, response.text
        # The answer names no one (it is the same for an address with an account): the
        # applicant's id is what signing in as them says.
        signed_in = await self.http.post(
            "/v1/sessions",
            json={"email": body["email"], "password": body["password"]},
            headers=self.headers(),
        )
        assert signed_in.status_code == 200, signed_in.text
        identity = signed_in.json()
        return {**body, "id": identity["member_id"], "status": identity["status"]}

    async def member_with_roles(
        self, region: str, roles: list[str]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """An active member with these roles, and the headers to act as them."""
        operator = await self.as_operator()
        applicant = await self.apply(region)
        approved = await self.http.post(
            f"/v1/applications/{applicant['id']}/approve", headers=operator
        )
        assert approved.status_code == 200, approved.text
        if set(roles) != {"member"}:
            changed = await self.http.put(
                f"/v1/members/{applicant['id']}/roles", json={"roles": roles}, headers=operator
            )
            assert changed.status_code == 200, changed.text
        return applicant, self.headers(applicant["id"], {"member", *roles}, region)


@pytest.fixture(scope="module")
async def membership(infra: PlatformSettings) -> AsyncIterator[MembershipClient]:
    settings = MembershipSettings(**infra.model_dump(), gauge_refresh_seconds=1)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://membership") as http:
            yield MembershipClient(http, settings, app)
