"""How every process talks to Kafka through FastStream: one broker per process, producer with
acks=all and idempotence, consumers that commit only after their handler finished."""

from __future__ import annotations

import ssl
from typing import Any

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


def make_broker(settings: PlatformSettings, client_id: str) -> KafkaBroker:
    """The process's one broker. Services start and stop it in their app's lifespan rather
    than through faststream's FastAPI router, which FastStream 0.7 deprecates."""
    return KafkaBroker(
        client_id=client_id, logger=None, security=security(settings), **producer_options(settings)
    )
