"""Plans at three levels (issue 22): the plans list, filtered, over 10,000 plans; the national
roll-up over 10,000 local plans (linked through the ten regional plans); an import of 5,000
organisations. Each latency against FastAPI hello world through the same client, in the same
run; the import against its 30 s budget."""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from bench.harness import Figure
from bench.membership import CONCURRENCY, baseline, percentile, timed
from services.membership.usecases import Imported
from services.recommendations.app import RecommendationsSettings, create_app
from services.recommendations.domain.plan import Plan, Rag, Scope, Status
from services.recommendations.repository import Plans, plan_document
from services.recommendations.stores import Stores
from services.recommendations.usecases.plans import refresh_tally
from shared.auth import Caller, issue_token
from shared.clock import new_id
from shared.reference import region_codes
from shared.settings import PlatformSettings
from tools.organisations import import_rows

LOCAL_PLANS = 10_000
ORGANISATIONS = 5_000
REQUESTS = 200
CODE = "R2"


def _plan(
    rng: random.Random, scope: Scope, scope_id: str, region: str | None, parent: str | None
) -> Plan:
    now = datetime.now(UTC)
    owner = f"bench-m{rng.randrange(1_000_000)}"
    plan = Plan.propose(
        plan_id=new_id(),
        code=CODE,
        scope=scope,
        scope_id=scope_id,
        region=region,
        owner_member_id=owner,
        co_lead_member_ids=[],
        goal="Peer assist before every major project",
        by=owner,
        now=now,
    )
    plan.change_status(to=Status.ACTIVE, note="", by=owner, now=now)
    for j in range(3):  # a plan in use: milestones, one already missed, progress with evidence
        plan.add_milestone(
            milestone_id=f"m{j}",
            title=f"Milestone {j}",
            target_on=date.today() + timedelta(days=30 * j - 10),
            by=owner,
            now=now,
        )
    plan.report_progress(
        summary="Two teams started",
        rag=rng.choice(list(Rag)),
        evidence_links=["https://example.nhs.uk/evidence"],
        by=owner,
        now=now,
    )
    plan.parent_plan_id = parent
    return plan


async def _seed(stores: Stores, rng: random.Random) -> tuple[str, str]:
    assert isinstance(stores.plans, Plans)
    documents: list[dict[str, Any]] = []
    national = _plan(rng, Scope.NATIONAL, "national", None, None)
    documents.append(plan_document(national))
    regional = {}
    for region in sorted(region_codes()):
        regional[region] = _plan(rng, Scope.REGION, region, region, national.id)
        documents.append(plan_document(regional[region]))
    regions = sorted(regional)
    for i in range(LOCAL_PLANS):
        region = regions[i % len(regions)]
        local = _plan(rng, Scope.ORGANISATION, f"ORG{i}", region, regional[region].id)
        documents.append(plan_document(local))
    for start in range(0, len(documents), 2000):
        await stores.plans.collection.insert_many(documents[start : start + 2000])
    for plan in regional.values():  # as the local plans' changes would have left them
        await refresh_tally(stores, plan.id)
    return national.id, regional["NW"].id


async def run(settings: PlatformSettings) -> list[Figure]:
    hello_rps, hello_latencies = await baseline()
    bench_settings = RecommendationsSettings(
        **{
            **settings.model_dump(),
            "database_suffix": f"_bench_{new_id()}",
            "ranking_poll_seconds": 3600,
            "overdue_poll_seconds": 3600,
        }
    )
    rng = random.Random(2016)
    app = create_app(bench_settings)
    async with app.router.lifespan_context(app):
        national_id, regional_id = await _seed(app.state.stores, rng)
        token = issue_token(
            Caller(member_id="bench", region="NW", roles=frozenset({"member"})), bench_settings
        )
        headers = {"authorization": f"Bearer {token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://r", timeout=120) as http:
            listing = {"code": CODE, "scope": "organisation", "region": "NW", "limit": "20"}
            first = await http.get("/v1/plans", params=listing, headers=headers)
            assert len(first.json()["items"]) == 20, first.text
            rollup = await http.get(f"/v1/plans/{national_id}/rollup", headers=headers)
            assert rollup.json()["plans"] == LOCAL_PLANS + len(region_codes()), rollup.text

            def listed() -> Any:
                return http.get("/v1/plans", params=listing, headers=headers)

            def rolled() -> Any:
                return http.get(f"/v1/plans/{national_id}/rollup", headers=headers)

            def rolled_in_region() -> Any:
                return http.get(f"/v1/plans/{regional_id}/rollup", headers=headers)

            await timed([listed] * 20)  # warm up
            _, list_latencies = await timed([listed] * REQUESTS)
            await timed([rolled] * 5)
            _, rollup_latencies = await timed([rolled] * REQUESTS)
            await timed([rolled_in_region] * 5)
            _, regional_latencies = await timed([rolled_in_region] * (REQUESTS // 4))

    rows = [
        Imported(f"B{i:04d}", f"Bench Trust {i}", sorted(region_codes())[i % 7], "trust", False)
        for i in range(ORGANISATIONS)
    ]
    import_settings = settings.model_copy(update={"database_suffix": f"_bench_{new_id()}"})
    started = time.perf_counter()
    report = await import_rows(import_settings, rows, say=lambda _: None)
    imported = time.perf_counter() - started
    assert report.added == ORGANISATIONS, report

    hello_p95 = percentile(hello_latencies, 95)
    return [
        Figure(
            f"plans: list filtered p95, {LOCAL_PLANS:,} plans, concurrency {CONCURRENCY}",
            percentile(list_latencies, 95),
            "ms",
            hello_p95,
        ),
        Figure(
            f"plans: national roll-up p95, {LOCAL_PLANS:,} local plans below",
            percentile(rollup_latencies, 95),
            "ms",
            hello_p95,
        ),
        Figure(
            f"plans: a regional roll-up p95, {LOCAL_PLANS // 10:,} local plans below",
            percentile(regional_latencies, 95),
            "ms",
            hello_p95,
        ),
        Figure(f"plans: import of {ORGANISATIONS:,} organisations", imported, "s", 30.0),
        Figure("plans: FastAPI hello world p95 (baseline)", hello_p95, "ms"),
        Figure("plans: FastAPI hello world (baseline)", hello_rps, "req/s"),
    ]
