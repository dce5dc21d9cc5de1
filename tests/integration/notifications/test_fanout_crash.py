"""A notifications process killed with SIGKILL in the middle of a fan-out, then started
again: nothing lost and nothing doubled. Every one of 10,000 members gets the national
event's notification once (counted by member in the inbox), and knet.notifications.v1 carries
one `delivered` fact per member (counted by notification id, as any reader dedupes by
CloudEvent id)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from services.events import facts as events
from services.notifications.domain.preferences import Preferences
from services.notifications.repository import INDEXES, opted_in
from services.notifications.spec import SPEC
from shared.clock import new_id
from shared.cloudevents import make_event
from shared.infra.processes import free_port
from shared.mongo import ensure_indexes
from shared.settings import REPO_ROOT, PlatformSettings
from tests.conftest import eventually
from tests.integration.published import events_where

MEMBERS = 10_000


def start(infra: PlatformSettings, suffix: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KNET_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "KNET_MONGODB_URI": infra.mongodb_uri,
        "KNET_DATABASE_SUFFIX": suffix,
        "KNET_ENVIRONMENT": "test",
        "KNET_TOPIC_PARTITIONS": str(infra.topic_partitions),
        "KNET_SMTP_PORT": str(free_port()),  # in-app only here
        SPEC.port_setting: str(free_port()),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "services.notifications"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_killed_mid_fan_out_loses_nothing_and_doubles_nothing(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    suffix = f"_crash_{new_id()}"
    db = mongo[f"knet_notifications{suffix}"]
    await ensure_indexes(db, INDEXES)
    tag = new_id()[-8:]
    quiet = Preferences().changed(channels={"events": ["in_app"]})
    now = datetime.now(UTC)
    ids = [f"k{tag}-{i:05d}" for i in range(MEMBERS)]
    for begin in range(0, MEMBERS, 2000):
        await db["members"].insert_many(
            [
                {
                    "_id": m,
                    "name": m,
                    "email": None,
                    "region": "SW",
                    "roles": ["member"],
                    "interests": [],
                    "status": "active",
                    "preferences": quiet.as_dict(),
                    "opted_in": opted_in(quiet),
                    "as_of": now,
                }
                for m in ids[begin : begin + 2000]
            ]
        )
    inbox = db["inbox"]
    first = start(infra, suffix)
    event_id = f"crash-{tag}"
    fact = events.EventPublished(
        event_id=event_id,
        region=None,
        title=f"National day {tag}",
        kind="conference",
        mode="online",
        scope="national",
        starts_at=now + timedelta(days=40),
        ends_at=now + timedelta(days=40, hours=2),
        capacity=1000,
        tags=[],
        organiser_member_id=None,
        organiser_node=None,
    )
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

        second = start(infra, suffix)

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
