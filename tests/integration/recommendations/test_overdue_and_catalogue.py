"""The overdue scheduler with a controllable clock and two replicas (each overdue action
reported once, counted by ids), and the catalogue: seeded once however often the service
starts, changed only by operators."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from services.recommendations.usecases.plans import report_overdue
from services.recommendations.usecases.resonance import recompute_rankings
from shared import topics
from shared.clock import ManualClock, new_id
from shared.settings import PlatformSettings
from tests.integration.published import assert_valid, events_about
from tests.integration.recommendations.conftest import body, running


async def test_an_overdue_action_is_reported_once_across_two_replicas(
    infra: PlatformSettings,
) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    suffix = f"_overdue_{new_id()}"
    async with running(infra, suffix, clock) as a, running(infra, suffix, clock) as b:
        lead = a.member(f"f-{new_id()}", "facilitator", region="NEY")
        plan = body(
            await a.http.post(
                "/v1/plans",
                json={"code": "R5", "scope": "region", "scope_id": "NEY", "goal": "Find one"},
                headers=lead,
            ),
            201,
        )
        due = clock.now().date() + timedelta(days=3)
        for title in ("Pick a platform", "Pilot it", "Already done"):
            added = await a.http.post(
                f"/v1/plans/{plan['id']}/actions",
                json={"title": title, "due_on": due.isoformat()},
                headers=lead,
            )
            body(added, 201)
        done_id = body(added, 201)["actions"][-1]["id"]
        body(await a.http.post(f"/v1/plans/{plan['id']}/actions/{done_id}/done", headers=lead), 200)

        async def both() -> int:
            return sum(await asyncio.gather(report_overdue(a.stores), report_overdue(b.stores)))

        assert await both() == 0
        clock.advance(timedelta(days=3))
        assert await both() == 0, "due today is not yet overdue"
        clock.advance(timedelta(days=1))
        assert await both() == 2
        assert await both() == 0, "already reported"
        clock.advance(timedelta(days=30))
        assert await both() == 0

        published = await events_about(infra, topics.RECOMMENDATIONS, {plan["id"]}, expected=3)
        overdue = {e["id"]: e for e in published if e["type"].endswith("plan.overdue.v1")}
        assert sorted(e["data"]["action_title"] for e in overdue.values()) == [
            "Pick a platform",
            "Pilot it",
        ]
        for event in overdue.values():
            assert_valid(event)
        seen = body(await a.http.get(f"/v1/plans/{plan['id']}", headers=lead), 200)
        assert [x["overdue"] for x in seen["actions"]] == [True, True, False]


async def test_the_catalogue_is_seeded_once_and_changed_by_operators(
    infra: PlatformSettings,
) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    suffix = f"_catalogue_{new_id()}"
    async with running(infra, suffix, clock) as first:
        operator, member = first.operator(), first.member("m1")
        retired = await first.http.post(
            "/v1/recommendations/R5/retire", json={"reason": "Folded into R6"}, headers=operator
        )
        assert body(retired, 200)["status"] == "retired"
        refused = await first.http.post(
            "/v1/recommendations/R4/retire", json={"reason": "No"}, headers=member
        )
        assert body(refused, 403)["error"]["code"] == "not_permitted"
        r6 = {
            "code": "R6",
            "title": "Measure what knowledge sharing saves",
            "aims": ["ROSE"],
            "challenges": ["KM and business goals"],
            "source": "A later KM report",
        }
        assert body(await first.http.post("/v1/recommendations", json=r6, headers=operator), 201)
        again = await first.http.post("/v1/recommendations", json=r6, headers=operator)
        assert body(again, 409)["error"]["code"] == "code_taken"
        bad = {**r6, "code": "R7", "aims": ["NOPE"]}
        invalid = await first.http.post("/v1/recommendations", json=bad, headers=operator)
        assert body(invalid, 422)["error"]["code"] == "invalid_recommendation"
        # A retired recommendation takes no endorsements and no plans.
        ranked = await first.http.put(
            "/v1/members/me/ranking", json={"codes": ["R5"]}, headers=member
        )
        assert body(ranked, 422)["error"]["code"] == "invalid_ranking"
        # The standings follow the catalogue at the next round, ballots or not.
        await recompute_rankings(first.stores)
        standings = body(await first.http.get("/v1/rankings", headers=member), 200)["standings"]
        assert [s["code"] for s in standings] == ["R1", "R2", "R3", "R4", "R6"]

    async with running(infra, suffix, clock) as second:  # a restart seeds again
        everything = await second.http.get(
            "/v1/recommendations", params={"include_retired": "true"}, headers=second.member("m")
        )
        listed = {r["code"]: r["status"] for r in body(everything, 200)}
        assert listed == {
            "R1": "active",
            "R2": "active",
            "R3": "active",
            "R4": "active",
            "R5": "retired",
            "R6": "active",
        }
        active = body(await second.http.get("/v1/recommendations", headers=second.member("m")), 200)
        assert [r["code"] for r in active] == ["R1", "R2", "R3", "R4", "R6"]
        r1 = body(await second.http.get("/v1/recommendations/R1", headers=second.member("m")), 200)
        assert r1["aims"] == ["FYFV", "ROSE"]
