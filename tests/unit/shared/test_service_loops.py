"""Background loops keep going after a failed round."""

from __future__ import annotations

import asyncio

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
