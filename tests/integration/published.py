"""Reads what services published, for assertions: every event of some subjects, in order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import jsonschema
from aiokafka import AIOKafkaConsumer

from shared.clock import new_id
from shared.settings import PlatformSettings
from tools.contracts import CONTRACTS_DIR


async def events_about(
    settings: PlatformSettings,
    topic: str,
    subjects: set[str],
    *,
    expected: int,
    timeout: float = 20,
) -> list[dict[str, Any]]:
    """All events on `topic` whose subject is one of `subjects`, in offset order per partition,
    once at least `expected` have arrived (and a last poll for any extra)."""
    return await events_where(
        settings, topic, lambda e: e.get("subject") in subjects, expected=expected, timeout=timeout
    )


async def events_where(
    settings: PlatformSettings,
    topic: str,
    wanted: Callable[[dict[str, Any]], bool],
    *,
    expected: int,
    timeout: float = 20,
) -> list[dict[str, Any]]:
    """`events_about` for any test of the event, not only its subject.

    Each CloudEvent id is kept once, as every consumer here reads them: the outbox relay
    publishes at least once (a removal that fails after Kafka confirmed publishes again), so a
    copy with the same id is not a second fact. A second fact has an id of its own."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"probe-{new_id()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        extra_poll = False
        while asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    try:
                        event = json.loads(record.value)
                    except ValueError:
                        continue  # garbage a test put there to be dead-lettered: not a fact
                    if wanted(event) and event["id"] not in seen:
                        seen.add(event["id"])
                        found.append(event)
            if len(found) >= expected:
                if extra_poll and not batch:
                    break
                extra_poll = True
    finally:
        await consumer.stop()
    return found


def assert_valid(event: dict[str, Any]) -> None:
    """The event validates against the committed JSON Schema of its type."""
    schema = json.loads((CONTRACTS_DIR / "schemas" / f"{event['type']}.json").read_text())
    jsonschema.validate(event, schema)
