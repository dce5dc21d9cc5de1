"""The local Kafka started locked down, as production's is: clients sign in with SASL/SCRAM as
their service, and each service may write only the topics of what it publishes and read only
what its consumers subscribe to (tools/infra/kafka_access.py). A service cannot write another
service's topic; a client without credentials cannot connect."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAuthorizationFailedError

from shared import topics
from shared.broker import client_options
from shared.settings import PlatformSettings
from tools.infra import kafka
from tools.infra.kafka_access import platform_access
from tools.infra.processes import free_port


@pytest.fixture(scope="module")
def locked(
    tmp_path_factory: pytest.TempPathFactory, infra: PlatformSettings
) -> Iterator[tuple[PlatformSettings, dict[str, PlatformSettings]]]:
    admin = PlatformSettings(
        environment="test",
        kafka_bootstrap=f"127.0.0.1:{free_port()}",
        kafka_controller_port=free_port(),
        kafka_username="admin",
        kafka_password=secrets.token_urlsafe(24),
        data_dir=Path(tmp_path_factory.mktemp("locked-kafka")),
        cache_dir=infra.cache_dir,
        topic_partitions=1,
    )
    kafka.start(admin)
    try:
        asyncio.run(kafka.create_topics(admin))
        services = {}
        for name in ("membership", "events"):
            password = secrets.token_urlsafe(24)
            kafka.grant(admin, platform_access()[name], password)
            services[name] = admin.model_copy(
                update={"kafka_username": name, "kafka_password": password}
            )
        yield admin, services
    finally:
        kafka.stop(admin)


async def test_a_service_writes_its_own_topics_and_no_one_elses(
    locked: tuple[PlatformSettings, dict[str, PlatformSettings]],
) -> None:
    _, services = locked
    producer = AIOKafkaProducer(**client_options(services["membership"]), acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topics.MEMBERSHIP, b"{}", key=b"m1")
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(topics.EVENTS, b"{}", key=b"e1")
    finally:
        await producer.stop()


async def test_a_service_reads_only_what_it_consumes_in_its_own_groups(
    locked: tuple[PlatformSettings, dict[str, PlatformSettings]],
) -> None:
    _, services = locked
    options = client_options(services["events"])
    allowed = AIOKafkaConsumer(
        topics.MEMBERSHIP, **options, group_id="knet-events-members", auto_offset_reset="earliest"
    )
    await allowed.start()
    try:
        batch = await allowed.getmany(timeout_ms=5000)
        assert all(tp.topic == topics.MEMBERSHIP for tp in batch)
    finally:
        await allowed.stop()

    async def consume(topic: str, group: str) -> None:
        consumer = AIOKafkaConsumer(topic, **options, group_id=group)
        try:
            await consumer.start()
            await consumer.getmany(timeout_ms=5000)
        finally:
            await consumer.stop()

    with pytest.raises(KafkaError):
        await consume(topics.CONVERSATIONS, "knet-events-sneak")  # a topic it does not consume
    with pytest.raises(KafkaError):
        await consume(topics.MEMBERSHIP, "knet-membership-sources")  # another service's group


async def test_a_client_without_credentials_cannot_connect(
    locked: tuple[PlatformSettings, dict[str, PlatformSettings]],
) -> None:
    admin, _ = locked
    anonymous = AIOKafkaProducer(bootstrap_servers=admin.kafka_bootstrap, request_timeout_ms=3000)
    with pytest.raises(KafkaConnectionError):
        await anonymous.start()
    await anonymous.stop()
