"""The small structures idle sockets and subscriptions keep: the mailbox and the write flag."""

from __future__ import annotations

import asyncio

import pytest

from app.wsprotocol import WritableFlag
from notifications.mailbox import Mailbox


async def test_a_mailbox_keeps_the_order() -> None:
    box: Mailbox[int] = Mailbox()
    for n in range(3):
        box.put_nowait(n)
    assert [await box.get() for _ in range(3)] == [0, 1, 2]
    assert box.empty()


async def test_a_reader_cancelled_while_waiting_takes_nothing_with_it() -> None:
    box: Mailbox[str] = Mailbox()
    reader = asyncio.create_task(box.get())
    await asyncio.sleep(0)
    box.put_nowait("first")
    reader.cancel()  # woken, but cancelled before it ran
    with pytest.raises(asyncio.CancelledError):
        await reader
    box.put_nowait("second")
    assert [await box.get(), await box.get()] == ["first", "second"]


async def test_a_waiting_reader_is_woken_by_the_next_item() -> None:
    box: Mailbox[str] = Mailbox()
    reader = asyncio.create_task(box.get())
    await asyncio.sleep(0)
    assert not reader.done()
    box.put_nowait("x")
    assert await asyncio.wait_for(reader, 1) == "x"
    with pytest.raises(asyncio.QueueEmpty):
        box.get_nowait()


async def test_the_write_flag_blocks_senders_until_set_and_survives_a_cancelled_one() -> None:
    flag = WritableFlag()
    assert await asyncio.wait_for(flag.wait(), 1)
    flag.clear()
    first, second = asyncio.create_task(flag.wait()), asyncio.create_task(flag.wait())
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    assert not second.done()
    flag.set()
    assert await asyncio.wait_for(second, 1)
    assert first.cancelled()
