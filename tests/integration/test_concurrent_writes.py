"""No lost updates without locks: 48 writers of one aggregate, each a versioned single-document
update, and the outbox relay removing its published events at the same time. Every change
lands and every event is published once per change (counted by ids)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar

from pymongo import AsyncMongoClient

from shared.aggregates import AggregateStore
from shared.broker import make_broker
from shared.clock import SystemClock, new_id
from shared.errors import Stale
from shared.outbox import OUTBOX_INDEX, OutboxRelay
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.messaging import Probed
from tests.integration.test_outbox import _read_all


class ProbedOn(Probed):
    """Probed, on this test's topic."""

    topic: ClassVar[str] = ""


WRITERS = 48
CHANGES_EACH = 2


async def test_concurrent_versioned_saves_and_relay_lose_nothing(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]], topic: str
) -> None:
    ProbedOn.topic = topic
    db = mongo[f"knet_test_{new_id()}"]
    aggregates = db["aggregates"]
    await aggregates.create_indexes([OUTBOX_INDEX])
    store = AggregateStore(db, "aggregates", source="/t", clock=SystemClock())
    await store.insert({"_id": "hot", "version": 0, "count": 0}, [])
    broker = make_broker(infra, "test-concurrency", consumer_only=False)
    await broker.start()
    changes: list[int] = []

    async def send(t: str, key: bytes, value: bytes, headers: dict[str, str]) -> Any:
        return await broker.publish(value, t, key=key, headers=headers, no_confirm=True)

    relay = OutboxRelay(db, ["aggregates"], send, poll_seconds=0.001)

    async def writer(w: int) -> None:
        for i in range(CHANGES_EACH):
            while True:  # load, decide, save; reload on a stale version
                current = await aggregates.find_one({"_id": "hot"})
                assert current is not None
                event = ProbedOn(n=w * 100 + i)
                update = {"$set": {"count": current["count"] + 1}}
                try:
                    await store.update("hot", current["version"], update, [event])
                except Stale:
                    continue
                changes.append(event.n)
                break

    relaying = asyncio.create_task(relay.run_forever())
    try:
        await asyncio.gather(*(writer(w) for w in range(WRITERS)))

        async def outbox_empty() -> bool:
            return not (await aggregates.find_one({"_id": "hot"}) or {}).get("outbox")

        await eventually(outbox_empty, what="the relay to drain the outbox")
    finally:
        relaying.cancel()
        await asyncio.gather(relaying, return_exceptions=True)
        await broker.stop()

    total = WRITERS * CHANGES_EACH
    final = await aggregates.find_one({"_id": "hot"})
    assert final is not None
    assert (final["count"], final["version"]) == (total, total), "no change was lost"
    published = await _read_all(infra.kafka_bootstrap, topic, total)
    numbers = [json.loads(v)["data"]["n"] for v in published]
    assert sorted(numbers) == sorted(changes), "every change's event was published, once"
    assert len(set(json.loads(v)["id"] for v in published)) == total
