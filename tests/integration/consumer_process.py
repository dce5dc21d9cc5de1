"""A consumer in its own process, so a test can kill it (SIGKILL) mid-stream.

usage: python -m tests.integration.consumer_process BOOTSTRAP MONGODB_URI DB TOPIC GROUP RUN

Every delivery, duplicates included, is counted in `deliveries` under the RUN name.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from pymongo import AsyncMongoClient

from shared.broker import client_options, make_broker
from shared.deadletter import DeadLetterProducer
from shared.settings import PlatformSettings
from tests.integration.messaging import recording_consumer


async def main(bootstrap: str, mongodb_uri: str, db: str, topic: str, group: str, run: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_uri)
    settings = PlatformSettings(kafka_bootstrap=bootstrap)
    broker = make_broker(settings, "test-killable")
    # small batches, so that commits happen many times while the test watches
    database = client[db]
    consumer = recording_consumer(
        group,
        topic,
        database["effects"],
        batch_size=20,
        deliveries=(database["deliveries"], run),
    )
    # Killed with SIGKILL: its producer is never stopped.
    dead_letters = DeadLetterProducer(client_options(settings))
    consumer.attach(broker, dead_letters.send)
    await broker.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
