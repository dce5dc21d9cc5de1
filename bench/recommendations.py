"""Recommendations: ranking recomputation at 100,000 members' ballots, against reading those
ballots with raw PyMongo (the floor any recomputation pays) in the same run; and the adoption
view's latency with 1,000 plans, against FastAPI hello world through the same client."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import httpx

from bench.harness import Figure
from bench.membership import CONCURRENCY, baseline, percentile, timed
from services.recommendations.app import RecommendationsSettings, create_app
from services.recommendations.domain import ranking
from services.recommendations.domain.plan import Plan, Rag, Scope, Status
from services.recommendations.repository import Ballots, Plans, plan_document
from services.recommendations.stores import Stores
from services.recommendations.usecases.resonance import recompute_rankings
from shared.auth import Caller, issue_token
from shared.clock import new_id
from shared.reference import region_codes
from shared.settings import PlatformSettings

MEMBERS = 100_000
PLANS = 1_000
ROUNDS = 3
ADOPTION_REQUESTS = 200
CODES = ["R1", "R2", "R3", "R4", "R5"]


def ballots(rng: random.Random) -> list[dict[str, object]]:
    regions = sorted(region_codes())
    now = datetime.now(UTC) - timedelta(hours=1)  # ranked a while ago: a quiet network
    found = []
    for i in range(MEMBERS):
        ranked = rng.sample(CODES, rng.randint(1, len(CODES)))
        found.append(
            {
                "_id": f"bench-m{i}",
                "ranking": ranked,
                "region": rng.choice(regions),
                "updated_at": now,
                "version": 0,
            }
        )
    return found


def plans(rng: random.Random) -> list[dict[str, object]]:
    regions = sorted(region_codes())
    now = datetime.now(UTC)
    found = []
    for i in range(PLANS):
        region = rng.choice(regions)
        plan = Plan.propose(
            plan_id=new_id(),
            code=rng.choice(CODES),
            scope=Scope.ORGANISATION,
            scope_id=f"ORG{i}",
            region=region,
            owner_member_id=f"bench-m{i}",
            co_lead_member_ids=[f"bench-m{i + 1}"],
            goal="A community of practice with a named KM lead in every team",
            by=f"bench-m{i}",
            now=now,
        )
        for j in range(3):  # a plan in use: actions, progress with evidence, history
            plan.add_action(
                action_id=f"a{j}",
                title=f"Action {j}",
                owner_member_id=plan.owner_member_id,
                due_on=date(2027, 3, 1) + timedelta(days=j),
                by=plan.owner_member_id,
                now=now,
            )
        plan.change_status(to=Status.ACTIVE, note="", by=plan.owner_member_id, now=now)
        plan.report_progress(
            summary="Two teams started",
            rag=rng.choice(list(Rag)),
            evidence_links=["https://example.nhs.uk/evidence"],
            by=plan.owner_member_id,
            now=now,
        )
        found.append(plan_document(plan))
    return found


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
        stores: Stores = app.state.stores
        # Announce at once: otherwise the start-up round's announcement holds later changes
        # back for a minute, and a held change makes every round read (as it must).
        stores.announce_every = timedelta(0)
        assert isinstance(stores.ballots, Ballots)
        assert isinstance(stores.plans, Plans)
        ballot_documents, plan_documents = stores.ballots.collection, stores.plans.collection
        seeded = ballots(rng)
        for start in range(0, MEMBERS, 5000):
            await ballot_documents.insert_many(seeded[start : start + 5000])

        raw_times, recompute_times = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            cursor = ballot_documents.find({}, {"ranking": 1, "region": 1})
            read = await cursor.to_list()
            raw_times.append(time.perf_counter() - started)
            assert len(read) == MEMBERS
            # as a member's ranking would: the next round reads every ballot
            await ballot_documents.update_one(
                {"_id": "bench-m0"}, {"$set": {"updated_at": datetime.now(UTC)}}
            )
            started = time.perf_counter()
            await recompute_rankings(stores)
            recompute_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        await recompute_rankings(stores)
        idle_round = time.perf_counter() - started
        started = time.perf_counter()
        ranking.standings([b["ranking"] for b in seeded], CODES)  # type: ignore[misc]
        borda_alone = time.perf_counter() - started

        await plan_documents.insert_many(plans(rng))
        token = issue_token(
            Caller(member_id="bench", region="LDN", roles=frozenset({"member"})), bench_settings
        )
        headers = {"authorization": f"Bearer {token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://r", timeout=120) as http:
            first = await http.get("/v1/adoption", headers=headers)
            assert sum(row["national"]["plans"] for row in first.json()) == PLANS
            await timed([lambda: http.get("/v1/adoption", headers=headers)] * 20)  # warm up
            _, latencies = await timed(
                [lambda: http.get("/v1/adoption", headers=headers)] * ADOPTION_REQUESTS
            )

    raw_ms = statistics.median(raw_times) * 1000
    recompute_ms = statistics.median(recompute_times) * 1000
    hello_p50, hello_p95 = percentile(hello_latencies, 50), percentile(hello_latencies, 95)
    return [
        Figure(
            f"recommendations: ranking recompute, {MEMBERS:,} ballots (median of {ROUNDS})",
            recompute_ms,
            "ms",
            raw_ms,
        ),
        Figure("recommendations: raw PyMongo read of those ballots (baseline)", raw_ms, "ms"),
        Figure("recommendations: modified Borda count alone, in memory", borda_alone * 1000, "ms"),
        Figure("recommendations: a rankings round when no ballot changed", idle_round * 1000, "ms"),
        Figure(
            f"recommendations: adoption view p50, {PLANS:,} plans, concurrency {CONCURRENCY}",
            percentile(latencies, 50),
            "ms",
            hello_p50,
        ),
        Figure(
            f"recommendations: adoption view p95, {PLANS:,} plans",
            percentile(latencies, 95),
            "ms",
            hello_p95,
        ),
        Figure("recommendations: FastAPI hello world p50 (baseline)", hello_p50, "ms"),
        Figure("recommendations: FastAPI hello world p95 (baseline)", hello_p95, "ms"),
        Figure("recommendations: FastAPI hello world (baseline)", hello_rps, "req/s"),
    ]
