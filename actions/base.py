"""The transaction every action runs in, with work to do only after it commits."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from actions import inbox_counts
from actions.inbox_counts import InboxKey
from notifications.events import LiveEvent, publish

log = logging.getLogger("luukku.actions")


@dataclass
class Tx:
    """An open transaction: `conn` for queries, `after_commit` for live events, and the
    changes to the inbox's counts that are written just before the commit."""

    conn: BaseDBAsyncClient
    _after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    inbox_deltas: Counter[InboxKey] = field(default_factory=Counter)

    def after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` once the transaction has committed; never if it rolls back."""
        self._after_commit.append(callback)

    def publish(self, event: LiveEvent) -> None:
        """Publish a live event once the transaction has committed."""
        self.after_commit(lambda: publish(event))


@asynccontextmanager
async def atomic() -> AsyncIterator[Tx]:
    """One action's transaction. Any exception rolls everything back and runs no callbacks."""
    async with in_transaction() as conn:
        tx = Tx(conn)
        yield tx
        if tx.inbox_deltas:
            await inbox_counts.apply(conn, tx.inbox_deltas)
    for callback in tx._after_commit:
        try:
            await callback()
        except Exception as exc:  # the change is committed; a lost live event must not undo it
            log.warning("after-commit work failed: %r", exc)
