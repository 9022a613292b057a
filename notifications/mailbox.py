"""A first-in first-out mailbox for one reader: asyncio.Queue's work at a fraction of its memory.

Every live subscription and every WebSocket has one, and most of them sit idle, so their size
counts (bench/idle.py): an `asyncio.Queue` is the queue object, three deques and an
`asyncio.Event` with its own deque, about 1.5 KB before anything is queued. A mailbox is one
small object, a deque made at the first item, and a future only while its reader waits.

An item leaves the mailbox only when `get()` returns it: a reader cancelled while waiting
(its socket closed, its subscription completed) takes nothing with it, and the next `get()`
finds every item still there, in order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Mailbox(Generic[T]):
    """Items in the order they were put; `get()` for a single reader."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[T] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: T) -> None:
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    def get_nowait(self) -> T:
        items = self._items
        if not items:
            raise asyncio.QueueEmpty
        item = items.popleft()
        if not items:
            self._items = None  # an idle mailbox keeps no deque
        return item

    async def get(self) -> T:
        while not self._items:
            if self._waiter is not None:
                raise RuntimeError("a mailbox has one reader")
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        return self.get_nowait()
