"""One read in flight at a time for a process-wide cache, its waiters all woken at once.

Callers of a cache that has to be read again used to queue on an `asyncio.Lock`, which lets
one waiter through per loop iteration: under load, with thousands of field resolvers
waiting, they were let through one by one between other requests' work, and requests
stalled for seconds (bench/README.md, "A stall every five minutes"). Here the first caller
reads, in its own context (inside its transaction, if any), and the others wait for the same
future, which wakes them all in the same loop iteration.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Abandoned(Exception):
    """The caller that was reading was cancelled: one of the waiters reads instead."""


class SharedRead(Generic[T]):
    def __init__(self) -> None:
        self._future: asyncio.Future[T] | None = None
        #: counts `drop`s: a read begun before one is not kept
        self._generation = 0

    @property
    def reading(self) -> bool:
        return self._future is not None

    def drop(self) -> None:
        """What is cached is no longer true: a read in flight may have seen the old data, and
        is not kept; the next caller reads again."""
        self._generation += 1
        self._future = None

    async def wait(self) -> T | None:
        """The result of the read in flight (its error, if it failed), or None when there is
        none or its reader was cancelled: then the caller reads (`read`)."""
        future = self._future
        if future is None:
            return None
        try:
            # shielded: a waiter that is cancelled stops waiting, the read goes on
            return await asyncio.shield(future)
        except _Abandoned:
            return None

    async def read(self, load: Callable[[], Awaitable[T]], keep: Callable[[T], None]) -> T:
        """Read with `load`; `keep` the result unless dropped meanwhile; hand it (or the
        error) to the waiters."""
        generation = self._generation
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieved)
        self._future = future
        try:
            value = await load()
        except BaseException as error:
            if self._future is future:
                self._future = None
            future.set_exception(error if isinstance(error, Exception) else _Abandoned())
            raise
        if self._generation == generation:
            keep(value)
            self._future = None
        future.set_result(value)
        return value


def _retrieved(future: asyncio.Future[T]) -> None:
    """A failed read's error is raised to the callers waiting for it; when none waited, it is
    taken here, so that asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()
