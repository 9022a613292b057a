"""Counting event-loop iterations: how many turns callers take to be served."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def finishing_turns(callers: int, get: Callable[[], Awaitable[object]]) -> list[int]:
    """Start `callers` calls of `get` at once; the loop iteration in which each returned."""
    turn = 0
    finished: list[int] = []

    async def tick() -> None:
        nonlocal turn
        while True:
            await asyncio.sleep(0)
            turn += 1

    async def one() -> None:
        await get()
        finished.append(turn)

    ticker = asyncio.create_task(tick())
    try:
        await asyncio.gather(*(one() for _ in range(callers)))
    finally:
        ticker.cancel()
    return finished
