"""Membership at national size: apply+approve throughput on an empty directory and at 10,000
members, and directory search latency at 1,000, 10,000 and 100,000 members (the curve), each
against FastAPI hello world through the same in-process client in the same run.

Apply hashes the password with argon2id at OWASP's parameters (19 MiB, two passes) on purpose;
that cost is the floor of the apply figure."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from fastapi import FastAPI

from bench.harness import Figure
from services.membership.app import MembershipSettings, create_app
from services.membership.repository import to_document
from shared.auth import Caller, issue_token
from shared.clock import new_id
from shared.settings import PlatformSettings
from tests.unit.membership.factories import seed_members

SIZES = (1_000, 10_000, 100_000)
APPLY_AT = 10_000
SEARCHES = 100
PAIRS = 40
CONCURRENCY = 4
Request = Callable[[], Awaitable[Any]]


def hello_world() -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


async def timed(
    requests: list[Request], concurrency: int = CONCURRENCY
) -> tuple[float, list[float]]:
    """Runs the requests `concurrency` at a time; returns (wall seconds, each latency)."""
    queue = list(requests)
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            request = queue.pop()
            started = time.perf_counter()
            await request()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def percentile(latencies: list[float], q: int) -> float:
    return statistics.quantiles(latencies, n=100)[q - 1] * 1000


async def baseline() -> tuple[float, list[float]]:
    transport = httpx.ASGITransport(app=hello_world())
    async with httpx.AsyncClient(transport=transport, base_url="http://h") as hello:
        await timed([lambda: hello.get("/hello") for _ in range(200)])  # warm up
        wall, latencies = await timed([lambda: hello.get("/hello") for _ in range(2000)])
    return 2000 / wall, latencies


async def run(settings: PlatformSettings) -> list[Figure]:
    hello_rps, hello_lat = await baseline()
    bench_settings = MembershipSettings(
        **{**settings.model_dump(), "database_suffix": f"_bench_{new_id()}"}
    )

    def as_caller(member_id: str, roles: set[str]) -> dict[str, str]:
        # A fresh short-lived token per request, as the gateway issues them.
        token = issue_token(Caller(member_id=member_id, roles=frozenset(roles)), bench_settings)
        return {"authorization": f"Bearer {token}"}

    app = create_app(bench_settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://m", timeout=120) as http,
    ):
        credentials = {
            "email": bench_settings.operator_email,
            "password": bench_settings.operator_password,
        }
        signed_in = await http.post(
            "/v1/sessions", json=credentials, headers=as_caller("anonymous", set())
        )
        operator = signed_in.json()

        async def apply_and_approve() -> None:
            body = {
                "name": "Bench Applicant",
                "email": f"{new_id()}@nhs.net",
                "password": "Communities-Of-Practice-26",
                "region": "LDN",
            }
            applied = await http.post(
                "/v1/applications", json=body, headers=as_caller("anonymous", set())
            )
            assert applied.status_code == 201, applied.text
            approved = await http.post(
                f"/v1/applications/{applied.json()['id']}/approve",
                headers=as_caller(operator["member_id"], set(operator["roles"])),
            )
            assert approved.status_code == 200, approved.text

        def search(query: dict[str, Any]) -> Request:
            params = {**query, "limit": 20}
            return lambda: http.get(
                "/v1/members", params=params, headers=as_caller("v", {"member"})
            )

        empty_wall, _ = await timed([apply_and_approve for _ in range(PAIRS)])

        collection = app.state.stores.members.collection
        rng = random.Random(2016)
        seeded = 0
        figures: list[Figure] = [
            Figure(
                "membership: apply+approve, empty directory",
                PAIRS / empty_wall,
                "pairs/s",
                hello_rps,
            )
        ]
        for size in SIZES:
            members = seed_members(f"bench{size}", size - seeded)
            for start in range(0, len(members), 1000):
                await collection.insert_many(
                    [to_document(m) for m in members[start : start + 1000]]
                )
            seeded = size
            regions = sorted({m.region for m in members})
            queries: list[dict[str, Any]] = [
                rng.choice(
                    [
                        {"region": rng.choice(regions)},
                        {"interest": f"t{rng.randrange(13)}"},
                        {"name": f"bench{size} member {rng.randrange(100):02d}"},
                        {"region": rng.choice(regions), "interest": f"t{rng.randrange(13)}"},
                        {},
                    ]
                )
                for _ in range(SEARCHES)
            ]
            await timed([search(q) for q in queries[:10]])  # warm up
            _, search_lat = await timed([search(q) for q in queries])
            figures += [
                Figure(
                    f"membership: directory search p50 at {size:,}",
                    percentile(search_lat, 50),
                    "ms",
                    percentile(hello_lat, 50),
                ),
                Figure(
                    f"membership: directory search p95 at {size:,}",
                    percentile(search_lat, 95),
                    "ms",
                    percentile(hello_lat, 95),
                ),
            ]
            if size == APPLY_AT:
                full_wall, _ = await timed([apply_and_approve for _ in range(PAIRS)])
                figures.append(
                    Figure(
                        f"membership: apply+approve at {size:,} members",
                        PAIRS / full_wall,
                        "pairs/s",
                        PAIRS / empty_wall,
                    )
                )

    return [
        *figures,
        Figure("membership: FastAPI hello world (baseline)", hello_rps, "req/s"),
        Figure("membership: FastAPI hello world p50 (baseline)", percentile(hello_lat, 50), "ms"),
        Figure("membership: FastAPI hello world p95 (baseline)", percentile(hello_lat, 95), "ms"),
    ]
