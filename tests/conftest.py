"""Test tiers: unit tests need nothing; integration and e2e tests share one real Kafka and one
real MongoDB-wire store per session, started by the platform's own launcher on free ports in a
throwaway data directory (the jars and the store launcher are reused from .cache/)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from shared.clock import new_id
from shared.settings import PlatformSettings
from tools.infra import kafka, stack
from tools.infra.processes import free_port

# Outside development the platform refuses the development secret: the tests make their own,
# in the environment so that every service they start in another process shares it.
os.environ.setdefault("KNET_INTERNAL_TOKEN_SECRET", "test-only-" + secrets.token_urlsafe(32))


def _session_settings(data_dir: Path) -> PlatformSettings:
    return PlatformSettings(
        environment="test",
        kafka_bootstrap=f"127.0.0.1:{free_port()}",
        kafka_controller_port=free_port(),
        mongodb_uri=f"mongodb://127.0.0.1:{free_port()}/",
        data_dir=data_dir,
        topic_partitions=3,
        handler_backoff_seconds=0.05,
        outbox_poll_seconds=0.05,
    )


@pytest.fixture(scope="session")
def infra() -> Iterator[PlatformSettings]:
    """The real Kafka and store, up for the whole session."""
    if external := os.environ.get("KNET_TEST_REUSE_INFRA"):
        # For quick local iterations against an already running `knet infra up`.
        settings = PlatformSettings(
            environment="test",
            data_dir=Path(external),
            topic_partitions=3,
            handler_backoff_seconds=0.05,
            outbox_poll_seconds=0.05,
        )
        asyncio.run(kafka.create_topics(settings))
        yield settings
        return
    with tempfile.TemporaryDirectory(prefix="knet-test-") as tmp:
        settings = _session_settings(Path(tmp))
        try:
            stack.up(settings)
            asyncio.run(kafka.create_topics(settings))
            yield settings
        finally:
            stack.down(settings)


@pytest.fixture
async def mongo(infra: PlatformSettings) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
async def topic(infra: PlatformSettings) -> str:
    """A fresh topic of its own for one test."""
    name = f"test.{new_id()}"
    await kafka.create_topics(infra, (name,))
    return name


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0, what: str = "condition"
) -> None:
    """Waits for `check` to hold, polling; fails with `what` after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _print_tasks(*_: object) -> None:
    """`kill -USR1 <pytest's pid>` writes every asyncio task's stack to build/asyncio-tasks.txt:
    what a hung test waits for (thread dumps show only the event loop waiting; pytest captures
    stderr)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    out = Path(__file__).resolve().parent.parent / "build" / "asyncio-tasks.txt"
    out.parent.mkdir(exist_ok=True)
    with out.open("w") as file:
        for task in asyncio.all_tasks(loop):
            print(f"--- {task.get_name()}", file=file)
            task.print_stack(file=file)


signal.signal(signal.SIGUSR1, _print_tasks)
