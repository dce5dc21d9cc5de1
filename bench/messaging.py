"""Publish then consume N CloudEvents of realistic size (~1 KB, a member profile) through the
platform's broker wiring and through raw aiokafka, on the same broker in the same run.

Both sides give the same guarantees: acks=all with an idempotent producer, and a consumer
group that commits only after the batch was handled. The raw side parses JSON; the platform
side validates the envelope and the data model and dispatches by type.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any, ClassVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.harness import Figure
from shared.broker import Headers, Publisher, make_broker, producer_options
from shared.clock import new_id
from shared.cloudevents import CloudEvent, Fact, ReaderModel, make_event
from shared.consumer import EventConsumer
from shared.service import settle_heap
from shared.settings import PlatformSettings
from shared.topics import DEAD_LETTERS
from tools.infra import kafka

N = 20_000
ROUNDS = 5


class ProfileUpdated(Fact):
    """Bench event shaped like a member's profile change."""

    event_type: ClassVar[str] = "uk.nhs.knet.bench.profile_updated.v1"
    topic: ClassVar[str] = "bench"
    member_id: str
    name: str
    organisation: str
    region: str
    job_title: str
    interests: list[str]
    skills: list[str]
    bio: str


class ProfileReader(ReaderModel):
    member_id: str
    region: str


def _events(n: int) -> list[CloudEvent]:
    return [
        make_event(
            ProfileUpdated(
                member_id=f"m{i}",
                name=f"Member {i}",
                organisation="Leeds Teaching Hospitals",
                region="NEY",
                job_title="Knowledge manager",
                interests=["after action reviews", "communities of practice", "peer assist"],
                skills=["facilitation", "taxonomy", "evidence search"],
                bio="Knowledge and library specialist helping teams learn before, during and "
                "after projects. " * 6,
            ),
            source="/services/membership",
            subject=f"m{i}",
            region="NEY",
        )
        for i in range(n)
    ]


async def _raw(
    settings: PlatformSettings, topic: str, payloads: list[tuple[bytes, bytes]]
) -> tuple[float, float]:
    producer = AIOKafkaProducer(**producer_options(settings))
    await producer.start()
    started = time.perf_counter()
    futures = [await producer.send(topic, value, key=key) for key, value in payloads]
    await asyncio.gather(*futures)
    publish_rate = len(payloads) / (time.perf_counter() - started)
    await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"raw-{new_id()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=500,
    )
    await consumer.start()
    seen = 0
    first_batch_at: float | None = None
    while seen < len(payloads):
        batch = await consumer.getmany(timeout_ms=1000, max_records=500)
        if first_batch_at is None and batch:
            first_batch_at = time.perf_counter()
        for records in batch.values():
            for record in records:
                event = json.loads(record.value)
                seen += event["data"]["member_id"] is not None
        await consumer.commit()
    consume_rate = len(payloads) / (time.perf_counter() - (first_batch_at or 0))
    await consumer.stop()
    return publish_rate, consume_rate


async def _platform(
    settings: PlatformSettings, topic: str, payloads: list[tuple[bytes, bytes]]
) -> tuple[float, float]:
    consumer = EventConsumer(group=f"platform-{new_id()}", topics=[topic])
    seen = 0
    first: list[float] = []
    done = asyncio.Event()

    @consumer.on(ProfileUpdated.event_type, ProfileReader)
    async def handle(event: CloudEvent, data: ProfileReader) -> None:
        nonlocal seen
        if not first:
            first.append(time.perf_counter())
        seen += 1
        if seen == len(payloads):
            done.set()

    # Published as the outbox relay publishes: the process's Publisher, each event in
    # structured mode with its content type.
    publisher = Publisher(settings, "bench")
    await publisher.start()
    headers = [("content-type", b"application/cloudevents+json")]
    started = time.perf_counter()
    futures: list[Any] = [
        await publisher.send(topic, key, value, headers) for key, value in payloads
    ]
    await asyncio.gather(*futures)
    publish_rate = len(payloads) / (time.perf_counter() - started)

    async def dead_letter(value: bytes | None, key: bytes | None, headers: Headers) -> None:
        await publisher.send_and_wait(DEAD_LETTERS, key, value, headers)

    broker = make_broker(settings, "bench")
    consumer.attach(broker, dead_letter)
    await broker.start()
    await asyncio.wait_for(done.wait(), timeout=300)
    consume_rate = len(payloads) / (time.perf_counter() - first[0])
    await broker.stop()
    await publisher.stop()
    return publish_rate, consume_rate


async def run(settings: PlatformSettings) -> list[Figure]:
    events = _events(N)
    payloads = [((e.subject or "").encode(), e.to_json()) for e in events]
    size = sum(len(v) for _, v in payloads) / len(payloads)
    # As every service does once started (shared/service.py): what lives for the whole run
    # (here the payloads) out of the collector's way, for both sides alike.
    settle_heap()
    warm_topic = f"bench.{new_id()}"
    await kafka.create_topics(settings, (warm_topic,))
    # Warm the broker's JIT, the connections and the group coordinator first.
    await _raw(settings, warm_topic, payloads[:500])
    raw: list[tuple[float, float]] = []
    platform: list[tuple[float, float]] = []
    # Alternate the two sides over several rounds and keep medians: on two shared cores a
    # single pair of runs swings by a third either way.
    for _ in range(ROUNDS):
        raw_topic, platform_topic = f"bench.{new_id()}", f"bench.{new_id()}"
        await kafka.create_topics(settings, (raw_topic, platform_topic))
        raw.append(await _raw(settings, raw_topic, payloads))
        platform.append(await _platform(settings, platform_topic, payloads))
    raw_pub, raw_con = (statistics.median(r[i] for r in raw) for i in (0, 1))
    plat_pub, plat_con = (statistics.median(p[i] for p in platform) for i in (0, 1))

    def pipeline(publish: float, consume: float) -> float:
        """Publish N then consume N: the whole run's throughput."""
        return N / (N / publish + N / consume)

    return [
        Figure(
            f"messaging: publish then consume, platform ({N} x {size:.0f} B)",
            pipeline(plat_pub, plat_con),
            "msg/s",
            pipeline(raw_pub, raw_con),
        ),
        Figure(
            f"messaging: publish, platform ({N} x {size:.0f} B, median of {ROUNDS})",
            plat_pub,
            "msg/s",
            raw_pub,
        ),
        Figure(
            f"messaging: consume, platform ({N} x {size:.0f} B, median of {ROUNDS})",
            plat_con,
            "msg/s",
            raw_con,
        ),
        Figure("messaging: publish, raw aiokafka (baseline)", raw_pub, "msg/s"),
        Figure("messaging: consume, raw aiokafka (baseline)", raw_con, "msg/s"),
    ]
