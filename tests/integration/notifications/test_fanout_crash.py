"""A notifications process killed with SIGKILL in the middle of a fan-out, then started
again: nothing lost and nothing doubled. Every one of 10,000 members gets the national
event's notification once (counted by member in the inbox), and knet.notifications.v1 carries
one `delivered` fact per member (counted by notification id, as any reader dedupes by
CloudEvent id)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from services.notifications.repository import INDEXES
from shared.clock import new_id
from shared.cloudevents import make_event
from shared.mongo import ensure_indexes
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.notifications.fanout import (
    national_event,
    notifications_process,
    seed_members,
)
from tests.integration.published import events_where

MEMBERS = 10_000


async def test_killed_mid_fan_out_loses_nothing_and_doubles_nothing(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    suffix = f"_crash_{new_id()}"
    db = mongo[f"knet_notifications{suffix}"]
    await ensure_indexes(db, INDEXES)
    tag = new_id()[-8:]
    now = datetime.now(UTC)
    ids = [f"k{tag}-{i:05d}" for i in range(MEMBERS)]
    await seed_members(db, ids, now=now)
    inbox = db["inbox"]
    first = notifications_process(infra, suffix)
    event_id = f"crash-{tag}"
    fact = national_event(event_id, now=now)
    event = make_event(fact, source="/services/events", subject=event_id)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    second: subprocess.Popen[bytes] | None = None
    try:
        await producer.send_and_wait(fact.topic, event.to_json(), key=event_id.encode())
        mine = {"source_id": event.id}

        async def under_way() -> bool:
            return bool(await inbox.count_documents(mine) >= 500)

        # The process may first catch up with the session's history on its topics.
        await eventually(under_way, timeout=300, what="the fan-out under way")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        at_kill = await inbox.count_documents(mine)
        assert at_kill < MEMBERS, "killed in the middle, not after the end"

        second = notifications_process(infra, suffix)

        async def everyone() -> bool:
            return bool(await inbox.count_documents(mine) >= MEMBERS)

        await eventually(everyone, timeout=300, what=f"all {MEMBERS:,} after the restart")
        await asyncio.sleep(2)  # anything doubled would land now
        members = [d["member_id"] async for d in inbox.find(mine, {"member_id": 1})]
        assert sorted(members) == ids, "every member once: nothing lost, nothing doubled"

        delivered = await events_where(
            infra,
            "knet.notifications.v1",
            lambda e: (
                e["type"] == "uk.nhs.knet.notification.delivered.v1"
                and e["data"]["source_id"] == event.id
            ),
            expected=MEMBERS,
            timeout=240,
        )
        notification_ids = [e["data"]["notification_id"] for e in delivered]
        assert len(notification_ids) == MEMBERS
        assert len(set(notification_ids)) == MEMBERS, "one delivered fact per member"
    finally:
        await producer.stop()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
