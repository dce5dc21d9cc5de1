"""`knet infra`: up is idempotent, data survives down then up, and failures say what to do."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import MongoClient

from shared.settings import REPO_ROOT, PlatformSettings
from tools.infra.processes import free_port


def knet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.cli", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def own_stack(tmp_path: Path, infra: PlatformSettings) -> Iterator[dict[str, str]]:
    env = {
        **os.environ,
        "KNET_DATA_DIR": str(tmp_path / "data"),
        "KNET_CACHE_DIR": str(infra.cache_dir),
        "KNET_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port()}",
        "KNET_KAFKA_CONTROLLER_PORT": str(free_port()),
        "KNET_MONGODB_URI": f"mongodb://127.0.0.1:{free_port()}/",
        "KNET_TOPIC_PARTITIONS": "2",
    }
    yield env
    knet(env, "infra", "down")


async def _produce_and_read(bootstrap: str, value: bytes | None) -> list[bytes]:
    if value is not None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        await producer.send_and_wait("knet.membership.v1", value, key=b"k")
        await producer.stop()
    consumer = AIOKafkaConsumer(
        "knet.membership.v1",
        bootstrap_servers=bootstrap,
        group_id="infra-test-reader",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=5000)
        return [r.value for records in batch.values() for r in records]
    finally:
        await consumer.stop()


async def test_up_is_idempotent_and_data_survives_down_then_up(own_stack: dict[str, str]) -> None:
    env = own_stack
    first = knet(env, "infra", "up")
    assert first.returncode == 0, first.stderr
    assert "kafka: started" in first.stdout
    assert "mongodb: started" in first.stdout
    again = knet(env, "infra", "up")
    assert again.returncode == 0, again.stderr
    assert "kafka: already running" in again.stdout
    assert "mongodb: already running" in again.stdout

    status = json.loads(knet(env, "infra", "status", "--json").stdout)
    assert status == {
        "kafka": {"bootstrap": env["KNET_KAFKA_BOOTSTRAP"], "up": True},
        "mongodb": {"uri": env["KNET_MONGODB_URI"], "up": True},
    }
    assert knet(env, "topics", "create").returncode == 0
    assert "none (all exist)" in knet(env, "topics", "create").stdout

    mongo: MongoClient[dict[str, Any]] = MongoClient(env["KNET_MONGODB_URI"])
    mongo["knet_infra_test"]["things"].insert_one({"_id": "kept"})
    mongo.close()
    assert await _produce_and_read(env["KNET_KAFKA_BOOTSTRAP"], b"kept-message") == [
        b"kept-message"
    ]

    down = knet(env, "infra", "down")
    assert down.returncode == 0
    assert "kafka: stopped" in down.stdout
    assert json.loads(knet(env, "infra", "status", "--json").stdout)["kafka"]["up"] is False

    assert knet(env, "infra", "up").returncode == 0
    mongo = MongoClient(env["KNET_MONGODB_URI"])
    assert mongo["knet_infra_test"]["things"].find_one({"_id": "kept"}) == {"_id": "kept"}
    mongo.close()
    assert await _produce_and_read(env["KNET_KAFKA_BOOTSTRAP"], None) == [b"kept-message"]


def test_a_taken_port_is_named_in_a_clear_error(own_stack: dict[str, str]) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = {**own_stack, "KNET_MONGODB_URI": f"mongodb://127.0.0.1:{port}/"}
        result = knet(env, "infra", "up")
    assert result.returncode == 1
    assert f"port {port} is already in use" in result.stderr
    assert "KNET_MONGODB_URI" in result.stderr


def test_a_missing_tool_is_named(own_stack: dict[str, str], tmp_path: Path) -> None:
    env = {**own_stack, "KNET_CACHE_DIR": str(tmp_path / "empty-cache"), "PATH": str(tmp_path)}
    result = knet(env, "infra", "up")
    assert result.returncode == 1
    assert "'java' was not found on PATH" in result.stderr
