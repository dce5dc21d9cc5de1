"""Membership and recommendations together, each with its own database, joined only by Kafka:
an approved member's region reaches recommendations through membership's events, and what the
member then does there comes back to membership as their contribution record."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from services.membership.app import MembershipSettings
from services.membership.app import create_app as create_membership
from shared.clock import ManualClock, new_id
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.membership.conftest import MembershipClient
from tests.integration.recommendations.conftest import body, known, running


async def test_what_a_member_does_in_recommendations_is_credited_by_membership(
    infra: PlatformSettings,
) -> None:
    suffix = f"_across_{new_id()}"
    settings = MembershipSettings(**{**infra.model_dump(), "database_suffix": suffix})
    membership_app = create_membership(settings)
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    async with (
        membership_app.router.lifespan_context(membership_app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=membership_app), base_url="http://membership"
        ) as http,
        running(infra, suffix, clock) as recs,
    ):
        membership = MembershipClient(http, settings, membership_app)
        applicant, as_member = await membership.member_with_roles("NW", ["member"])
        member_id = applicant["id"]
        await known(recs, member_id, region="NW")

        ranked = await recs.http.put(
            "/v1/members/me/ranking", json={"codes": ["R4", "R2"]}, headers=as_member
        )
        assert body(ranked, 200)["region"] == "NW", "from membership's member.approved"
        study = {
            "title": "A community of practice for KM leads",
            "context": "Leads worked alone",
            "what_was_done": "Monthly calls with a shared agenda",
            "outcome": "Three joint projects in a year",
            "region": "NW",
            "recommendation_codes": ["R4"],
        }
        body(await recs.http.post("/v1/case-studies", json=study, headers=as_member), 201)

        async def credited() -> bool:
            response = await http.get(f"/v1/members/{member_id}/contributions", headers=as_member)
            record = body(response, 200)
            return bool(record["endorsements"] == 2 and record["case_studies_shared"] == 1)

        await eventually(credited, what="membership crediting the endorsements and case study")
        record = body(
            await http.get(f"/v1/members/{member_id}/contributions", headers=as_member), 200
        )
        assert record == {
            "events_hosted": 0,
            "events_attended": 0,
            "case_studies_shared": 1,
            "plans_led": 0,
            "endorsements": 2,
            "posts": 0,
            "answers_accepted": 0,
        }
