"""`make bench`: every benchmark against its own embedded infrastructure, each figure with the
baseline measured in the same run (these machines are noisy; ratios travel, raw numbers don't).

python -m bench [name ...]   names: the modules in bench/ (default: all)
"""

from __future__ import annotations

import asyncio
import importlib
import sys

from bench.harness import bench_infra

BENCHMARKS = (
    "messaging",
    "membership",
    "events",
    "recommendations",
    "plans",
    "gateway",
    "notifications",
    "conversations",
)


def main(names: list[str]) -> None:
    for name in names or list(BENCHMARKS):
        module = importlib.import_module(f"bench.{name}")
        # Each on infrastructure of its own: one benchmark's 100,000 members and 20,000
        # messages would otherwise weigh on the next one's figures.
        with bench_infra() as settings:
            for figure in asyncio.run(module.run(settings)):
                print(figure.line(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
