"""How every process talks to Kafka through FastStream: one broker per process, producer with
acks=all and idempotence, consumers that commit only after their handler finished."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from shared.settings import PlatformSettings


def producer_options(settings: PlatformSettings) -> dict[str, Any]:
    return {
        "bootstrap_servers": settings.kafka_bootstrap,
        # Idempotence makes retried sends land once and in order per partition.
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "request_timeout_ms": 15_000,
    }


def make_broker(settings: PlatformSettings, client_id: str) -> KafkaBroker:
    """The process's one broker. Services start and stop it in their app's lifespan rather
    than through faststream's FastAPI router, which FastStream 0.7 deprecates."""
    return KafkaBroker(client_id=client_id, logger=None, **producer_options(settings))
