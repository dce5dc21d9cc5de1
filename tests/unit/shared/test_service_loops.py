"""Background loops keep going after a failed round, and end when cancelled, even when the
round they were in swallowed the CancelledError (they then slept their whole interval, and a
service's shutdown with them)."""

from __future__ import annotations

import asyncio
import contextlib

from shared.service import every


async def test_a_failed_round_does_not_end_the_loop() -> None:
    rounds: list[int] = []
    third = asyncio.Event()

    async def work() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 3:
            third.set()
        if len(rounds) == 1:
            raise RuntimeError("the store was busy")

    task = asyncio.create_task(every(0.01, "test", work)())
    try:
        await asyncio.wait_for(third.wait(), timeout=5)
    finally:
        task.cancel()
    assert rounds[:3] == [0, 1, 2]


async def test_a_cancelled_loop_ends_even_if_its_round_swallowed_the_cancel() -> None:
    started = asyncio.Event()

    async def swallowing_round() -> None:
        started.set()
        with contextlib.suppress(asyncio.CancelledError):  # as a careless library might
            await asyncio.sleep(10)

    task = asyncio.create_task(every(3600, "test", swallowing_round)())
    await started.wait()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2)
    assert task in done, "the loop went back to sleep for an hour"
    assert task.cancelled()
