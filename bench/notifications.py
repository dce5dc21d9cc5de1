"""Fan-out at national size: one national event to 10,000 and to 100,000 members, through
the real path (the source fact on Kafka, the sources consumer and its chunks of jobs, the
relay, the jobs topic, the workers' bulk inbox writes), with one worker process and with two.
Reported: the time from publishing the fact to the last inbox write, notifications per second,
and each process's peak memory. The baseline, in the same run: raw aiokafka carrying as many
small messages through the same broker (the floor of any path through Kafka)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from bench.harness import Figure
from services.notifications.repository import INDEXES
from shared import topics
from shared.clock import new_id
from shared.cloudevents import make_event
from shared.mongo import ensure_indexes
from shared.settings import PlatformSettings
from tests.integration.notifications.fanout import (
    national_event,
    notifications_process,
    seed_members,
)

SIZES = tuple(int(s) for s in os.environ.get("KNET_BENCH_FANOUT", "10000,100000").split(","))


async def raw_kafka(settings: PlatformSettings, count: int) -> float:
    """Messages per second through the broker with raw aiokafka, produce then consume."""
    # A topic nobody consumes here (the workers would take junk on their own topic).
    topic = topics.REGIONAL_SUBMISSIONS
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=5)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"bench-raw-{new_id()}",
        auto_offset_reset="latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    await consumer.getmany(timeout_ms=1000)  # join and take the end as the start
    await producer.start()
    started = time.perf_counter()
    payload = b'{"x": "' + b"y" * 300 + b'"}'
    await asyncio.gather(
        *[await producer.send(topic, payload, key=str(i).encode()) for i in range(count)]
    )
    seen = 0
    while seen < count:
        batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
        seen += sum(len(r) for r in batch.values())
    elapsed = time.perf_counter() - started
    await producer.stop()
    await consumer.stop()
    return count / elapsed


def start_workers(
    settings: PlatformSettings, suffix: str, count: int
) -> list[subprocess.Popen[bytes]]:
    return [notifications_process(settings, suffix) for _ in range(count)]


def peak_mib(process: subprocess.Popen[bytes]) -> float:
    with open(f"/proc/{process.pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def fan_out(settings: PlatformSettings, size: int, processes: int) -> dict[str, Any]:
    suffix = f"_bench_{new_id()}"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri, tz_aware=True)
    db = client[f"knet_notifications{suffix}"]
    await ensure_indexes(db, INDEXES)
    now = datetime.now(UTC)
    await seed_members(db, [f"m{i:06d}" for i in range(size)], now=now)
    workers = start_workers(settings, suffix, processes)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        # Ready when a probe fact has gone all the way through (both groups joined).
        await _probe(producer, db)
        event_id = f"bench-{new_id()}"
        fact = national_event(event_id, now=now)
        event = make_event(fact, source="/bench", subject=event_id)
        started = time.perf_counter()
        await producer.send_and_wait(fact.topic, event.to_json(), key=event_id.encode())
        inbox = db["inbox"]
        everyone = size + 1  # the probe member takes events news too
        while await inbox.count_documents({"source_id": event.id}) < everyone:  # noqa: ASYNC110
            await asyncio.sleep(0.5)  # polling the store (an index count) is the measurement
        elapsed = time.perf_counter() - started
        distinct = len(await inbox.distinct("member_id", {"source_id": event.id}))
        assert distinct == everyone, f"{distinct} members of {everyone}"
        return {
            "seconds": elapsed,
            "per_second": size / elapsed,
            "peak_mib": max(peak_mib(w) for w in workers),
        }
    finally:
        await producer.stop()
        for worker in workers:
            worker.send_signal(signal.SIGINT)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        # Each run has a database of its own: left behind, they add up in the store's memory.
        await client.drop_database(db.name)
        await client.close()


async def _probe(producer: AIOKafkaProducer, db: Any) -> None:
    from services.membership import facts as membership

    probe = f"probe-{new_id()}"
    fact = membership.MemberApproved(
        member_id=probe,
        region="LDN",
        name="Probe",
        email=f"{probe}@nhs.net",
        organisation_id=None,
        roles=["member"],
        interests=[],
        approved_by="op",
    )
    event = make_event(fact, source="/bench", subject=probe)
    deadline = time.monotonic() + 300
    await producer.send_and_wait(fact.topic, event.to_json(), key=probe.encode())
    while not await db["inbox"].find_one({"member_id": probe}):
        if time.monotonic() > deadline:
            raise TimeoutError("the notification workers did not start")
        await asyncio.sleep(0.2)


async def run(settings: PlatformSettings) -> list[Figure]:
    raw = await raw_kafka(settings, 20_000)
    figures = []
    for size in SIZES:
        for processes in (1, 2):
            found = await fan_out(settings, size, processes)
            plural = "es" if processes > 1 else ""
            label = f"notifications: fan-out to {size:,}, {processes} process{plural}"
            figures += [
                Figure(f"{label}, to the last inbox write", found["seconds"], "s"),
                Figure(f"{label}, notifications/s", found["per_second"], "msg/s", raw),
                Figure(f"{label}, peak memory per process", found["peak_mib"], "MiB"),
            ]
    figures.append(Figure("notifications: raw aiokafka produce+consume (baseline)", raw, "msg/s"))
    return figures
