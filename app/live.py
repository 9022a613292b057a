"""Live connections: who is connected, and ending their access when it ends in the database.

Every authenticated WebSocket connection is registered by token and person. When a token is
revoked or a person's memberships change, the action publishes an identity event on the
bus after the commit; every process listens and re-checks its affected connections at once,
closing those that lost access (4403). A sweep re-checks every connection each
`LIVE_RECHECK_SECONDS` as a safety net (for events lost while the bus was down).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable

import orjson

from actions.identity import viewer_for_token
from app.context import viewer_cache
from notifications.bus import BusLost, BusUnavailable, get_bus
from notifications.events import catalogue_channel, identity_channel
from permissions import policies
from permissions.facts import Viewer
from resolvers.catalogue_cache import catalogue_cache
from resolvers.context import Context
from resolvers.live.subscriptions import CLOSE_FORBIDDEN, close_socket

log = logging.getLogger("luukku.live")

#: turns a connection's credential (a token, a JWT, a session cookie) into a fresh viewer
Resolver = Callable[[str], Awaitable[Viewer | None]]


class LiveConnections:
    def __init__(self) -> None:
        self._contexts: weakref.WeakSet[Context] = weakref.WeakSet()
        self._tokens: weakref.WeakKeyDictionary[Context, tuple[Resolver, str]] = (
            weakref.WeakKeyDictionary()
        )
        self._tasks: list[asyncio.Task[None]] = []

    def register(self, context: Context, token: str, resolve: Resolver | None = None) -> None:
        """Watch a connection; `resolve(token)` gives its viewer again (opaque tokens by default)."""
        self._contexts.add(context)
        self._tokens[context] = (resolve or viewer_for_token, token)

    def __len__(self) -> int:
        return len(self._contexts)

    async def recheck(
        self,
        *,
        token_id: int | None = None,
        person_id: int | None = None,
        session_id: int | None = None,
    ) -> int:
        """Re-check matching connections (all when no filter); returns how many were closed."""
        closed = 0
        by_token: dict[tuple[Resolver, str] | None, list[Context]] = defaultdict(list)
        for context in list(self._contexts):
            viewer = context.viewer
            if token_id is not None and viewer.token_id != token_id:
                continue
            if person_id is not None and viewer.person_id != person_id:
                continue
            if session_id is not None and viewer.session_id != session_id:
                continue
            by_token[self._tokens.get(context)].append(context)
        for credential, contexts in by_token.items():
            fresh = await credential[0](credential[1]) if credential else None
            for context in contexts:
                old = context.viewer
                if not policies.access_still_holds(old, fresh):
                    self._contexts.discard(context)
                    await close_socket(context, CLOSE_FORBIDDEN, "Access ended; sign in again")
                    closed += 1
                elif fresh is not None:
                    context.viewer = fresh.__class__(**{**fresh.__dict__, "xroad": old.xroad})
        return closed

    async def close_all(self, code: int, reason: str) -> int:
        """Close every live connection (on shutdown: 1001, going away); returns how many."""
        contexts = list(self._contexts)
        self._contexts.clear()
        await asyncio.gather(*(close_socket(c, code, reason) for c in contexts))
        return len(contexts)

    async def _listen(self) -> None:
        """Identity changes re-check connections; catalogue changes drop the snapshot."""
        while True:
            try:
                channels = [identity_channel(), catalogue_channel()]
                async with get_bus().subscribe_many(channels) as subscription:
                    async for message in subscription:
                        if message.channel == channels[1]:
                            catalogue_cache.invalidate()
                            continue
                        data = orjson.loads(message.message)
                        viewer_cache.clear()  # a token or membership changed elsewhere
                        await self.recheck(
                            token_id=data.get("token_id"),
                            person_id=data.get("person_id"),
                            session_id=data.get("session_id"),
                        )
            except asyncio.CancelledError:
                raise
            except (BusLost, BusUnavailable):
                catalogue_cache.invalidate()  # changes may have been missed meanwhile
                viewer_cache.clear()
                await self.recheck()
                await asyncio.sleep(0.5)
            except Exception:
                log.exception("control listener failed; restarting")
                await asyncio.sleep(1)

    async def _sweep(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.recheck()
            except Exception:
                log.exception("re-checking live connections failed")

    def start(self, recheck_seconds: float) -> None:
        self._tasks = [
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._sweep(recheck_seconds)),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        self._tasks = []


live_connections = LiveConnections()
