"""A consumer killed mid-stream resumes from its committed offset: nothing lost (every id is
there), nothing doubled (one effect per id), counted by ids."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from shared.clock import new_id
from shared.cloudevents import make_event
from shared.settings import REPO_ROOT, PlatformSettings
from tests.conftest import eventually
from tests.integration.messaging import Probed

N = 1500


async def _spawn(
    infra: PlatformSettings, db: str, topic: str, group: str, run: str
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.consumer_process",
        infra.kafka_bootstrap,
        infra.mongodb_uri,
        db,
        topic,
        group,
        run,
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _committed(bootstrap: str, topic: str, group: str) -> int:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(3)]
        total = 0
        for tp in partitions:
            total += await consumer.committed(tp) or 0
        return total
    finally:
        await consumer.stop()


async def test_killed_consumer_resumes_from_committed_offset_without_loss_or_double_effects(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]], topic: str
) -> None:
    db = f"knet_test_{new_id()}"
    effects = mongo[db]["effects"]
    group = f"g-restart-{new_id()}"
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap, acks="all", enable_idempotence=True
    )
    await producer.start()
    ids = []
    try:
        for i in range(N):
            event = make_event(Probed(n=i, padding="x" * 200), source="/t", subject=f"s{i % 50}")
            ids.append(event.id)
            await producer.send(
                topic, event.to_json(), key=event.subject.encode() if event.subject else None
            )
        await producer.flush()
    finally:
        await producer.stop()

    first = await _spawn(infra, db, topic, group, "first")

    async def part_way() -> bool:
        return await effects.count_documents({}) >= N // 4

    try:
        await eventually(part_way, timeout=60, what="the first consumer to get part way")
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    done_before_kill = await effects.count_documents({})
    committed_at_kill = await _committed(infra.kafka_bootstrap, topic, group)
    assert done_before_kill < N, "killed mid-stream, not after the end"
    assert committed_at_kill <= done_before_kill, "offsets are committed only after handling"

    second = await _spawn(infra, db, topic, group, "second")
    try:

        async def all_done() -> bool:
            return await effects.count_documents({}) >= N

        await eventually(all_done, timeout=90, what="the second consumer to finish")

        async def fully_committed() -> bool:
            return await _committed(infra.kafka_bootstrap, topic, group) == N

        await eventually(fully_committed, timeout=30, what="offsets committed to the end")
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
    second_run = await mongo[db]["deliveries"].find_one({"_id": "second"})
    assert second_run is not None
    assert second_run["n"] == N - committed_at_kill, "resumed exactly at the committed offsets"
    stored = [d["_id"] for d in await effects.find({}, {"_id": 1}).to_list()]
    assert len(stored) == N
    assert sorted(stored) == sorted(ids)
