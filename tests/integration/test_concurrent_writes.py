"""No lost updates on FerretDB: many writers of one aggregate, and the outbox relay removing
its published events at the same time. Every change lands and every event is published once
per change (counted by ids)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pymongo import AsyncMongoClient

from shared.broker import make_broker
from shared.clock import new_id
from shared.cloudevents import make_event
from shared.locks import DocumentLocks, update_if_version
from shared.outbox import OutboxRelay, outbox_entry, push_to_outbox
from shared.settings import PlatformSettings
from tests.conftest import eventually
from tests.integration.messaging import Probed
from tests.integration.test_outbox import _read_all

WRITERS = 8
CHANGES_EACH = 6


async def test_concurrent_versioned_saves_and_relay_lose_nothing(
    infra: PlatformSettings, mongo: AsyncMongoClient[dict[str, Any]], topic: str
) -> None:
    db = mongo[f"knet_test_{new_id()}"]
    aggregates = db["aggregates"]
    locks = DocumentLocks(db)
    await aggregates.insert_one({"_id": "hot", "version": 0, "count": 0, "outbox": []})
    broker = make_broker(infra, "test-concurrency")
    await broker.start()
    event_ids: list[str] = []

    async def send(t: str, key: bytes, value: bytes, headers: dict[str, str]) -> Any:
        return await broker.publish(value, t, key=key, headers=headers, no_confirm=True)

    relay = OutboxRelay([aggregates], send, locks, poll_seconds=0.001)

    async def writer(w: int) -> None:
        for i in range(CHANGES_EACH):
            while True:  # load, decide, save; reload on a stale version
                current = await aggregates.find_one({"_id": "hot"})
                assert current is not None
                event = make_event(Probed(n=w * 100 + i), source="/t", subject="hot")
                update = {
                    "$set": {"count": current["count"] + 1},
                    "$inc": {"version": 1},
                    "$push": push_to_outbox([outbox_entry(event, topic)]),
                }
                if await update_if_version(locks, aggregates, "hot", current["version"], update):
                    event_ids.append(event.id)
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
    ids = [json.loads(v)["id"] for v in published]
    assert sorted(set(ids)) == sorted(event_ids), "every change's event was published"
    assert len(ids) == total, "and once: the relay never re-read an event it had removed"
