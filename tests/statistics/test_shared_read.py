"""SharedRead (actions/shared_read.py), under the statistics' and the catalogue's caches:
one read in flight, its waiters all woken in the same loop iteration."""

from __future__ import annotations

import asyncio

import pytest

from actions import statistics
from actions.shared_read import SharedRead
from tests.turns import finishing_turns


async def test_every_waiter_is_woken_at_once_by_one_read() -> None:
    shared: SharedRead[int] = SharedRead()
    reads: list[int] = []
    kept: list[int] = []

    async def load() -> int:
        for _ in range(5):
            await asyncio.sleep(0)
        reads.append(1)
        return 42

    async def get() -> int:
        while True:
            if not shared.reading:
                return await shared.read(load, kept.append)
            found = await shared.wait()
            if found is not None:
                return found

    finished = await finishing_turns(500, get)
    assert reads == [1] and kept == [42]
    assert max(finished) - min(finished) <= 2, sorted(set(finished))
    assert not shared.reading


async def test_a_dropped_read_is_not_kept_and_a_failed_one_fails_its_waiters() -> None:
    shared: SharedRead[int] = SharedRead()
    kept: list[int] = []
    gate = asyncio.Event()

    async def load() -> int:
        await gate.wait()
        return 1

    reader = asyncio.create_task(shared.read(load, kept.append))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(shared.wait())
    await asyncio.sleep(0)
    shared.drop()  # the data changed while it was read
    assert not shared.reading
    gate.set()
    assert await reader == 1 and await waiter == 1 and kept == []

    fail = asyncio.Event()

    async def failing() -> int:
        await fail.wait()
        raise OSError("database down")

    reader = asyncio.create_task(shared.read(failing, kept.append))
    await asyncio.sleep(0)
    waiters = [asyncio.create_task(shared.wait()) for _ in range(3)]
    await asyncio.sleep(0)  # they wait
    fail.set()
    for task in [reader, *waiters]:
        with pytest.raises(OSError):
            await task
    assert not shared.reading and kept == []


async def test_when_the_reader_is_cancelled_a_waiter_reads() -> None:
    shared: SharedRead[int] = SharedRead()
    reader = asyncio.create_task(shared.read(asyncio.Event().wait, print))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    waiter = asyncio.create_task(shared.wait())
    await asyncio.sleep(0)
    reader.cancel()
    assert await waiter is None  # then it reads itself
    assert not shared.reading


async def test_the_statistics_are_read_once_for_every_waiting_caller(db: str) -> None:
    await statistics.snapshot()
    statistics.invalidate()
    loads = statistics.loads()
    finished = await finishing_turns(200, statistics.snapshot)
    assert statistics.loads() == loads + 1
    assert max(finished) - min(finished) <= 2, sorted(set(finished))
