"""Events: regional submissions per second from knet.regional-submissions.v1 to event.published,
against raw aiokafka carrying the same messages through the same broker; and registrations per
second through the API, against FastAPI hello world through the same in-process client."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.harness import Figure
from bench.membership import baseline, timed
from services.events.app import create_app
from services.events.domain.submission import SUBMITTED
from shared import topics
from shared.auth import Caller, issue_token
from shared.clock import new_id
from shared.cloudevents import CloudEvent
from shared.settings import PlatformSettings
from tools.infra import kafka

SUBMISSIONS = 2_000
WARM_UP = 500
EVENTS = 50
REGISTRATIONS_EACH = 20
REGISTERING = 8  # members registering at once


def submission(run: str, i: int) -> bytes:
    start = datetime.now(UTC) + timedelta(days=30, hours=i)
    data = {
        "external_id": f"{run}-{i}",
        "title": f"Community call {i}",
        "kind": "community_call",
        "mode": "online",
        "scope": "regional",
        "region": "LDN",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "join_url": "https://meet.example/c",
        "tags": ["R4"],
        "capacity": 50,
    }
    event = CloudEvent(
        id=new_id(),
        source="/regions/LDN",
        type=SUBMITTED,
        subject=data["external_id"],
        time=datetime.now(UTC),
        data=data,
        region="LDN",
    )
    return event.to_json()


async def count_until(settings: PlatformSettings, topic: str, want: int, accept: str) -> float:
    """Seconds from now until `want` messages whose text contains `accept` were read."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"count-{new_id()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    started, seen = time.perf_counter(), 0
    try:
        while seen < want:
            batch = await consumer.getmany(timeout_ms=500)
            seen += sum(accept.encode() in r.value for records in batch.values() for r in records)
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def raw_rate(settings: PlatformSettings, payloads: list[bytes]) -> float:
    topic = f"bench.{new_id()}"
    await kafka.create_topics(settings, (topic,))
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True
    )
    await producer.start()
    counting = asyncio.create_task(count_until(settings, topic, len(payloads), SUBMITTED))
    for value in payloads:
        await producer.send(topic, value, key=b"LDN")
    await producer.flush()
    elapsed = await counting
    await producer.stop()
    return len(payloads) / elapsed


async def run(settings: PlatformSettings) -> list[Figure]:
    hello_rps, _ = await baseline()
    bench_settings = settings.model_copy(update={"database_suffix": f"_bench_{new_id()}"})
    run_id = new_id()
    payloads = [submission(run_id, i) for i in range(SUBMISSIONS)]
    raw = await raw_rate(settings, payloads)

    app = create_app(bench_settings)
    async with app.router.lifespan_context(app):
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
        await producer.start()

        async def submit_all(run: str, values: list[bytes]) -> float:
            counting = asyncio.create_task(
                count_until(settings, topics.EVENTS, len(values), f"node-LDN-{run}-")
            )
            for value in values:
                await producer.send(topics.REGIONAL_SUBMISSIONS, value, key=b"LDN")
            await producer.flush()
            return len(values) / await counting

        # A warm-up round first, as the baseline's broker is warm: the store's JIT compiles
        # its hot paths in the first seconds of load.
        warm_up = new_id()
        await submit_all(warm_up, [submission(warm_up, i) for i in range(WARM_UP)])
        submissions_rate = await submit_all(run_id, payloads)
        await producer.stop()

        def headers(member_id: str) -> dict[str, str]:
            caller = Caller(member_id=member_id, region="LDN", roles=frozenset({"member"}))
            return {"authorization": f"Bearer {issue_token(caller, bench_settings)}"}

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://events", timeout=120
        ) as http:
            start = datetime.now(UTC) + timedelta(days=5)
            event_ids = []
            for i in range(EVENTS):
                body = {
                    "title": f"Workshop {i}",
                    "kind": "workshop",
                    "mode": "online",
                    "scope": "regional",
                    "region": "LDN",
                    "starts_at": (start + timedelta(hours=i)).isoformat(),
                    "ends_at": (start + timedelta(hours=i + 1)).isoformat(),
                    "join_url": "https://meet.example/w",
                    "capacity": REGISTRATIONS_EACH // 2,
                }
                event_ids.append(
                    (await http.post("/v1/events", json=body, headers=headers("org"))).json()["id"]
                )

            def register(event_id: str, member: str) -> httpx.Response:
                return http.post(f"/v1/events/{event_id}/registrations", headers=headers(member))  # type: ignore[return-value]

            requests = [
                (lambda e=e, m=f"m{j}": register(e, m))
                for e in event_ids
                for j in range(REGISTRATIONS_EACH)
            ]
            # Spread over events as real traffic is; in order, all the workers would contend
            # for one event at a time and mostly measure retries.
            random.Random(7).shuffle(requests)
            wall, _ = await timed(requests, REGISTERING)  # type: ignore[arg-type]
    registrations = len(requests) / wall
    return [
        Figure(
            f"events: regional submissions to event.published ({SUBMISSIONS})",
            submissions_rate,
            "msg/s",
            raw,
        ),
        Figure("events: raw aiokafka produce+consume, same messages (baseline)", raw, "msg/s"),
        Figure(
            f"events: registrations, concurrency {REGISTERING}", registrations, "req/s", hello_rps
        ),
        Figure("events: FastAPI hello world (baseline)", hello_rps, "req/s"),
    ]
