"""How every process talks to Kafka: FastStream's broker for its consumers (they commit only
after their handler finished), and one aiokafka producer (`Publisher`) with acks=all and
idempotence for what it publishes."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLScram512

from shared.settings import PlatformSettings

SCRAM = "SCRAM-SHA-512"


def _tls(settings: PlatformSettings) -> ssl.SSLContext | None:
    if not settings.kafka_tls:
        return None
    ca = str(settings.kafka_ca_file) if settings.kafka_ca_file else None
    return ssl.create_default_context(cafile=ca)


def security(settings: PlatformSettings) -> BaseSecurity | None:
    """How this process proves itself to the brokers: SCRAM as its own user (over TLS in
    production), or nothing on a laptop's broker."""
    if settings.kafka_username:
        return SASLScram512(
            settings.kafka_username,
            settings.kafka_password,
            ssl_context=_tls(settings),
            use_ssl=settings.kafka_tls,
        )
    if settings.kafka_tls:
        return BaseSecurity(ssl_context=_tls(settings), use_ssl=True)
    return None


def client_options(settings: PlatformSettings) -> dict[str, Any]:
    """The connection for a plain aiokafka client (admin, the dead-letter reader): the same
    brokers, user and TLS as the process's FastStream broker."""
    options: dict[str, Any] = {"bootstrap_servers": settings.kafka_bootstrap}
    if settings.kafka_username:
        options |= {
            "security_protocol": "SASL_SSL" if settings.kafka_tls else "SASL_PLAINTEXT",
            "sasl_mechanism": SCRAM,
            "sasl_plain_username": settings.kafka_username,
            "sasl_plain_password": settings.kafka_password,
        }
    elif settings.kafka_tls:
        options["security_protocol"] = "SSL"
    if settings.kafka_tls:
        options["ssl_context"] = _tls(settings)
    return options


def producer_options(settings: PlatformSettings) -> dict[str, Any]:
    return {
        "bootstrap_servers": settings.kafka_bootstrap,
        # Idempotence makes retried sends land once and in order per partition.
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "request_timeout_ms": 15_000,
    }


def make_broker(
    settings: PlatformSettings, client_id: str, *, consumer_only: bool = True
) -> KafkaBroker:
    """The process's one broker, for its consumers (the process publishes through its
    `Publisher`). Services start and stop it in their app's lifespan rather than through
    faststream's FastAPI router, which FastStream 0.7 deprecates."""
    return KafkaBroker(
        client_id=client_id,
        logger=None,
        security=security(settings),
        consumer_only=consumer_only,
        **producer_options(settings),
    )


Headers = list[tuple[str, bytes]]


class Publisher:
    """The process's producer: aiokafka's own, with the broker's guarantees (acks=all,
    idempotence) and its user and TLS. The outbox relay and the dead letters send through it;
    FastStream's publish added its command objects and a header per message, which cost the
    platform's publishing a sixth of raw aiokafka's rate (docs/benchmarks.md)."""

    def __init__(self, settings: PlatformSettings, client_id: str) -> None:
        self._options = producer_options(settings) | client_options(settings)
        self._client_id = client_id
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        # Made here, not with the app: aiokafka's producer wants the running event loop.
        producer = AIOKafkaProducer(client_id=self._client_id, **self._options)
        await producer.start()
        self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def ping(self) -> bool:
        """Whether Kafka answers this producer now (the readiness check; the caller bounds
        the wait)."""
        if self._producer is None:
            return False
        try:
            cluster = await self._producer.client.fetch_all_metadata()
        except Exception:  # unreachable, or refused: not ready
            return False
        return bool(cluster.brokers())

    async def send(
        self, topic: str, key: bytes | None, value: bytes | None, headers: Headers
    ) -> asyncio.Future[Any]:
        """Queued in order; the future completes when Kafka confirmed it."""
        if self._producer is None:
            raise RuntimeError("the publisher has not started")
        future: asyncio.Future[Any] = await self._producer.send(
            topic, value, key=key, headers=headers
        )
        return future

    async def send_and_wait(
        self, topic: str, key: bytes | None, value: bytes | None, headers: Headers
    ) -> None:
        await (await self.send(topic, key, value, headers))
