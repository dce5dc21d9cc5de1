"""Load, decide, save, and again when the save found the document changed since it was read:
optimistic concurrency without locks. Contention is not a domain error, so it is retried for
a bounded time before it becomes `Busy` (503 over HTTP, a retry for a consumer)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from shared.aggregates import Aggregate
from shared.errors import Busy, Stale

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)
A_contra = TypeVar("A_contra", bound=Aggregate, contravariant=True)

# Forty members taking the last ten seats at once all get their answer well inside this.
RETRY_SECONDS = 5.0


async def until_saved(
    attempt: Callable[[], Awaitable[T]], *, within: float | None = None, busy: str | None = None
) -> T:
    """Runs `attempt` (load, decide, save) until its save does not raise `Stale`; after
    `within` seconds (RETRY_SECONDS) of losing, `Busy`. Backs off with jitter so that losers
    spread out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + (RETRY_SECONDS if within is None else within)
    pause = 0.002
    while True:
        try:
            return await attempt()
        except Stale:
            if loop.time() >= deadline:
                raise (Busy(busy) if busy else Busy()) from None
            await asyncio.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 0.1)


class SavesAggregates(Protocol[A_contra]):
    def document(self, aggregate: A_contra) -> dict[str, Any]: ...

    async def save(self, aggregate: A_contra) -> None: ...


async def change(
    repository: SavesAggregates[A],
    load: Callable[[], Awaitable[A]],
    decide: Callable[[A], object],
    *,
    busy: str | None = None,
) -> A:
    """Load, decide, save, retried while stale. The one save rule: an aggregate is written
    when its document changed or it recorded facts, and not otherwise (a change that records
    no fact, like a new capacity, is still a change)."""

    async def attempt() -> A:
        aggregate = await load()
        before = repository.document(aggregate)
        decide(aggregate)
        if aggregate.facts or repository.document(aggregate) != before:
            await repository.save(aggregate)
        return aggregate

    return await until_saved(attempt, busy=busy)
