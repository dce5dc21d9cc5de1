"""What every benchmark shares: its own Kafka and store (the platform's launcher, free
ports, a throwaway data dir), and a way to report figures with their same-run baseline."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.settings import PlatformSettings
from tools.infra import kafka, stack
from tools.infra.processes import free_port


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None  # the same-run baseline this figure is compared with

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.value / self.baseline

    def line(self) -> str:
        ratio = f"  ratio {self.ratio:.2f} vs baseline {self.baseline:,.1f}" if self.ratio else ""
        return f"{self.name:<58} {self.value:>12,.1f} {self.unit}{ratio}"


# Outside development the platform refuses the development secret: benchmarks make their
# own, in the environment so that services they start in other processes share it.
os.environ.setdefault("KNET_INTERNAL_TOKEN_SECRET", "bench-only-" + secrets.token_urlsafe(32))


@contextlib.contextmanager
def bench_infra() -> Iterator[PlatformSettings]:
    with tempfile.TemporaryDirectory(prefix="knet-bench-") as tmp:
        settings = PlatformSettings(
            environment="test",
            kafka_bootstrap=f"127.0.0.1:{free_port()}",
            kafka_controller_port=free_port(),
            mongodb_uri=f"mongodb://127.0.0.1:{free_port()}/",
            data_dir=Path(tmp),
            topic_partitions=6,
        )
        try:
            stack.up(settings)
            asyncio.run(kafka.create_topics(settings))
            yield settings
        finally:
            stack.down(settings)
