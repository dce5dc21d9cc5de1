"""The site as members use it: the signed-in home page at concurrency 8 and a directory search
over 10,000 members through the gateway's pages (session, services called, page rendered),
each with req/s, p50 and p95 against FastAPI hello world through the same in-process client,
at the same concurrency, in the same run. The services run in this process behind ASGI
transports, as the gateway's tests put them (one event loop for all: a harder case than
production's process per service)."""

from __future__ import annotations

import random
import re
from typing import Any

import httpx

from bench.harness import Figure
from bench.membership import hello_world, percentile, timed
from services.conversations.app import create_app as create_conversations
from services.events.app import create_app as create_events
from services.gateway.app import create_app as create_gateway
from services.membership.app import MembershipSettings
from services.membership.app import create_app as create_membership
from services.membership.repository import to_document
from services.notifications.app import NotificationsSettings
from services.notifications.app import create_app as create_notifications
from services.recommendations.app import create_app as create_recommendations
from shared.clock import new_id
from shared.settings import PlatformSettings
from tests.unit.membership.factories import seed_members

MEMBERS = 10_000
CONCURRENCY = 8
HOME_REQUESTS = 1_000
SEARCHES = 300
SEEDED_PASSWORD = "Seeded-Password-2026"  # tests/unit/membership/factories.seed_members
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def baseline(requests: int) -> tuple[float, list[float]]:
    transport = httpx.ASGITransport(app=hello_world())
    async with httpx.AsyncClient(transport=transport, base_url="http://h") as hello:
        await timed([lambda: hello.get("/hello") for _ in range(200)], CONCURRENCY)
        wall, latencies = await timed(
            [lambda: hello.get("/hello") for _ in range(requests)], CONCURRENCY
        )
    return requests / wall, latencies


def figures(
    name: str, count: int, wall: float, latencies: list[float], hello: tuple[float, list[float]]
) -> list[Figure]:
    hello_rps, hello_lat = hello
    return [
        Figure(f"gateway: {name} throughput", count / wall, "req/s", hello_rps),
        Figure(f"gateway: {name} p50", percentile(latencies, 50), "ms", percentile(hello_lat, 50)),
        Figure(f"gateway: {name} p95", percentile(latencies, 95), "ms", percentile(hello_lat, 95)),
    ]


async def run(settings: PlatformSettings) -> list[Figure]:
    hello = await baseline(HOME_REQUESTS)
    settings = settings.model_copy(update={"database_suffix": f"_bench_{new_id()}"})
    apps = {
        "membership": create_membership(MembershipSettings(**settings.model_dump())),
        "events": create_events(settings),
        "recommendations": create_recommendations(settings),
        # The home page asks it for the unread count (no mail is sent in this benchmark).
        "notifications": create_notifications(NotificationsSettings(**settings.model_dump())),
        # And conversations for the region's open questions: without it here, each home page
        # tried a connection to a conversations that was not there.
        "conversations": create_conversations(settings),
    }
    gateway = create_gateway(
        settings, transports={n: httpx.ASGITransport(app=a) for n, a in apps.items()}
    )
    lifespans = [app.router.lifespan_context(app) for app in [*apps.values(), gateway]]
    for lifespan in lifespans:
        await lifespan.__aenter__()
    try:
        members = seed_members("gw", MEMBERS)
        collection = apps["membership"].state.stores.members.collection
        for start in range(0, len(members), 1000):
            await collection.insert_many([to_document(m) for m in members[start : start + 1000]])

        transport = httpx.ASGITransport(app=gateway, client=("203.0.113.9", 40000))
        async with httpx.AsyncClient(
            transport=transport, base_url="https://gateway.bench", timeout=60
        ) as browser:
            page = await browser.get("/sign-in")
            token = CSRF.search(page.text)
            assert token, "no CSRF token on the sign-in page"
            signed_in = await browser.post(
                "/sign-in",
                data={
                    "email": members[0].email,
                    "password": SEEDED_PASSWORD,
                    "csrf_token": token[1],
                },
            )
            assert signed_in.status_code == 303, signed_in.text

            async def home() -> Any:
                response = await browser.get("/")
                assert response.status_code == 200, response.status_code
                return response

            await timed([home for _ in range(50)], CONCURRENCY)  # warm up
            home_wall, home_lat = await timed([home for _ in range(HOME_REQUESTS)], CONCURRENCY)

            rng = random.Random(2016)
            regions = sorted({m.region for m in members})

            def search() -> Any:
                query = rng.choice(
                    [
                        {"region": rng.choice(regions)},
                        {"interest": f"t{rng.randrange(13)}"},
                        {"name": f"gw member {rng.randrange(100):02d}"},
                        {"region": rng.choice(regions), "interest": f"t{rng.randrange(13)}"},
                        {},
                    ]
                )

                async def request() -> Any:
                    response = await browser.get("/people", params=query)
                    assert response.status_code == 200, response.status_code
                    return response

                return request

            await timed([search() for _ in range(30)], CONCURRENCY)
            search_wall, search_lat = await timed([search() for _ in range(SEARCHES)], CONCURRENCY)
    finally:
        for lifespan in reversed(lifespans):
            await lifespan.__aexit__(None, None, None)

    return [
        *figures("signed-in home page, concurrency 8", HOME_REQUESTS, home_wall, home_lat, hello),
        *figures(
            f"directory search over {MEMBERS:,} members, concurrency 8",
            SEARCHES,
            search_wall,
            search_lat,
            hello,
        ),
        Figure("gateway: FastAPI hello world, concurrency 8 (baseline)", hello[0], "req/s"),
        Figure("gateway: FastAPI hello world p95 (baseline)", percentile(hello[1], 95), "ms"),
    ]
