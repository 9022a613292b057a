"""The pub/sub bus: broadcaster 0.3.1, with its known defects worked around here.

`BROADCAST_URL` picks the backend: memory:// (one process; the embedded default),
redis://host:port (several workers and hosts) or postgres://... (LISTEN/NOTIFY).

broadcaster 0.3.1 (the last release) has these defects; each is fixed in this module and
tested in tests/subscriptions/test_bus.py:

1. Its Redis backend never delivers with redis-py 8: `subscribe()` sets `_ready` before it
   awaits SUBSCRIBE, so the listener leaves `listen()` at once and never listens again.
   `RedisBackend` below subscribes first and listens only while subscribed.
2. Subscribers that join a channel at the same time are lost: each overwrites the queue set
   of the one before while the backend's subscribe is awaited. `Bus.subscribe` takes a
   lock per channel (and its `finally` no longer raises KeyError, broadcaster #142).
3. Concurrent publishes fail on Postgres ("another operation is in progress", #22): the one
   asyncpg connection is shared by LISTEN and NOTIFY. `PostgresBackend` publishes on its own
   connection behind a lock and serialises LISTEN/UNLISTEN.
4. No reconnect after Redis restarts (#144): the listener task dies and every subscriber
   waits for ever. Backends here report a lost connection to the bus; the bus ends every
   current subscription with `BusLost` (the API then closes those sockets with 1012 so that
   clients resubscribe and refetch), and reconnects in the background with backoff.
   Publishing and subscribing time out instead of hanging while the bus is down.
5. Its Redis `subscribe()` returns once SUBSCRIBE is sent, before Redis has it: a message
   published meanwhile (by another worker) was not delivered although the subscriber had
   joined. `RedisBackend.subscribe` returns once Redis has confirmed the SUBSCRIBE, so that
   a subscription's LISTENING event (resolvers/live/table.py) is sent only when it listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol
from urllib.parse import urlparse

import asyncpg
from broadcaster import Broadcast, Event
from broadcaster._backends.base import BroadcastBackend
from broadcaster._backends.memory import MemoryBackend
from redis import asyncio as aioredis

from notifications.mailbox import Mailbox

log = logging.getLogger("luukku.bus")

PUBLISH_TIMEOUT = 2.0
SUBSCRIBE_TIMEOUT = 5.0


class BusLost(Exception):
    """The connection to the pub/sub server was lost; the subscription has ended."""


class BusUnavailable(Exception):
    """The pub/sub server cannot be reached right now."""


class _Lost:
    """Queued to subscribers when the backend's connection is lost."""


LOST = _Lost()


class Sink(Protocol):
    """Where the bus puts a channel's events: a subscription's mailbox, or a live entry
    (resolvers/live/table.py) that handles them itself."""

    def put_nowait(self, item: Event | _Lost | None, /) -> None: ...


class _QueuedBackend(BroadcastBackend):
    """A backend whose listener queues events, or the exception that ended it."""

    _queue: asyncio.Queue[Event | Exception]

    async def next_published(self) -> Event:
        item = await self._queue.get()
        if isinstance(item, Exception):
            raise item
        return item


class RedisBackend(_QueuedBackend):
    """Redis PUB/SUB that works with redis-py 8 and reports a lost connection."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._queue: asyncio.Queue[Event | Exception] = asyncio.Queue()
        self._channels: set[str] = set()
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        #: per channel being subscribed: done when Redis confirms the SUBSCRIBE
        self._confirmations: dict[str, asyncio.Future[None]] = {}

    def _client(self) -> aioredis.Redis:
        return aioredis.Redis.from_url(
            self._url, socket_connect_timeout=2, socket_timeout=None, health_check_interval=5
        )

    async def connect(self) -> None:
        self._conn = self._client()
        await asyncio.wait_for(self._conn.ping(), PUBLISH_TIMEOUT)
        self._pubsub = self._conn.pubsub()
        self._queue = asyncio.Queue()
        self._subscribed = asyncio.Event()
        self._channels = set()
        self._listener = asyncio.create_task(self._listen())

    async def disconnect(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(BaseException):
                await self._listener
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        with contextlib.suppress(Exception):
            await self._conn.aclose()

    async def subscribe(self, channel: str) -> None:
        """Returns once Redis has confirmed the SUBSCRIBE: from then on, every message
        published on the channel (by any client of the server) comes."""
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations[channel] = confirmed
        try:
            await asyncio.wait_for(self._pubsub.subscribe(channel), SUBSCRIBE_TIMEOUT)
            self._channels.add(channel)
            self._subscribed.set()  # only after SUBSCRIBE: the redis-py 8 fix
            await asyncio.wait_for(confirmed, SUBSCRIBE_TIMEOUT)
        finally:
            if self._confirmations.get(channel) is confirmed:
                del self._confirmations[channel]

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        await asyncio.wait_for(self._pubsub.unsubscribe(channel), SUBSCRIBE_TIMEOUT)
        if not self._channels:
            self._subscribed.clear()

    async def publish(self, channel: str, message: Any) -> None:
        await asyncio.wait_for(self._conn.publish(channel, message), PUBLISH_TIMEOUT)

    async def _listen(self) -> None:
        try:
            while True:
                await self._subscribed.wait()
                message = await self._pubsub.get_message(timeout=1.0)
                if message is not None and message["type"] == "subscribe":
                    self._confirmed(message["channel"])
                elif message is not None and message["type"] == "message":
                    channel, data = message["channel"], message["data"]
                    self._queue.put_nowait(
                        Event(
                            channel=channel.decode() if isinstance(channel, bytes) else channel,
                            message=data.decode() if isinstance(data, bytes) else data,
                        )
                    )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # connection lost: tell the bus, and those subscribing
            for confirmed in self._confirmations.values():
                if not confirmed.done():
                    confirmed.set_exception(BusUnavailable("lost while subscribing"))
            self._queue.put_nowait(exc)

    def _confirmed(self, channel: str | bytes) -> None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        confirmed = self._confirmations.get(name)
        if confirmed is not None and not confirmed.done():
            confirmed.set_result(None)


class PostgresBackend(_QueuedBackend):
    """LISTEN/NOTIFY with NOTIFY on its own connection, so that publishes may overlap."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._lock = asyncio.Lock()
        self._queue: asyncio.Queue[Event | Exception] = asyncio.Queue()

    async def connect(self) -> None:
        self._lock = asyncio.Lock()
        self._queue = asyncio.Queue()
        self._listen_conn = await asyncio.wait_for(asyncpg.connect(self._url), SUBSCRIBE_TIMEOUT)
        self._publish_conn = await asyncio.wait_for(asyncpg.connect(self._url), SUBSCRIBE_TIMEOUT)
        for conn in (self._listen_conn, self._publish_conn):
            conn.add_termination_listener(self._terminated)

    def _terminated(self, connection: Any) -> None:
        self._queue.put_nowait(ConnectionError("PostgreSQL connection of the bus was closed"))

    async def disconnect(self) -> None:
        for conn in (self._listen_conn, self._publish_conn):
            conn.remove_termination_listener(self._terminated)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2)

    async def subscribe(self, channel: str) -> None:
        async with self._lock:
            await self._listen_conn.add_listener(channel, self._listener)

    async def unsubscribe(self, channel: str) -> None:
        async with self._lock:
            await self._listen_conn.remove_listener(channel, self._listener)

    async def publish(self, channel: str, message: str) -> None:
        async with self._lock:
            await asyncio.wait_for(
                self._publish_conn.execute("SELECT pg_notify($1, $2)", channel, message),
                PUBLISH_TIMEOUT,
            )

    def _listener(self, connection: Any, pid: int, channel: str, payload: object) -> None:
        # asyncpg passes NOTIFY payloads as text
        self._queue.put_nowait(Event(channel=channel, message=str(payload)))


class Bus(Broadcast):
    """broadcaster.Broadcast with per-channel subscribe locks and reconnects."""

    def __init__(self, url: str) -> None:
        scheme = urlparse(url).scheme
        backend: BroadcastBackend
        if scheme in ("redis", "rediss"):
            backend = RedisBackend(url)
        elif scheme in ("postgres", "postgresql"):
            backend = PostgresBackend(url.replace("postgres://", "postgresql://", 1).split("?")[0])
        elif scheme == "memory":
            backend = MemoryBackend(url)
        else:
            raise ValueError(f"unsupported BROADCAST_URL scheme: {scheme}")
        super().__init__(backend=backend)
        self.url = url
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._healthy = asyncio.Event()
        # the bus's own state: Broadcast's `_subscribers` and `_listener_task` are only used by
        # the methods overridden here, and their types have no room for LOST or "not started"
        self._queues: dict[str, set[Sink]] = {}
        self._listen_task: asyncio.Task[None] | None = None
        self.reconnects = 0

    @property
    def is_healthy(self) -> bool:
        return self._healthy.is_set()

    async def connect(self) -> None:
        self._healthy = asyncio.Event()
        self._locks = defaultdict(asyncio.Lock)
        await self._backend.connect()
        self._healthy.set()
        self._listen_task = asyncio.create_task(self._listener())

    async def disconnect(self) -> None:
        if self._listen_task is not None:
            self._listen_task.cancel()
            with contextlib.suppress(BaseException):
                await self._listen_task
        self._healthy.clear()
        with contextlib.suppress(Exception):
            await self._backend.disconnect()

    async def _listener(self) -> None:
        while True:
            try:
                event = await self._backend.next_published()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("pub/sub connection lost (%s); ending live subscriptions", exc)
                await self._reconnect()
                continue
            for queue in list(self._queues.get(event.channel, ())):
                queue.put_nowait(event)

    async def _reconnect(self) -> None:
        self._healthy.clear()
        for queues in self._queues.values():
            for queue in queues:
                queue.put_nowait(LOST)
        self._queues.clear()
        delay = 0.2
        while True:
            with contextlib.suppress(Exception):
                await self._backend.disconnect()
            try:
                await self._backend.connect()
            except Exception as exc:
                log.warning("pub/sub reconnect failed (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self.reconnects += 1
            self._healthy.set()
            log.info("pub/sub reconnected")
            return

    async def publish(self, channel: str, message: Any) -> None:
        if not self._healthy.is_set():
            raise BusUnavailable("the pub/sub bus is reconnecting")
        await self._backend.publish(channel, message)

    @contextlib.asynccontextmanager
    # override: yields this module's Subscription (it raises BusLost), not broadcaster's Subscriber
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:  # type: ignore[override]
        async with self.subscribe_many([channel]) as subscription:
            yield subscription

    @contextlib.asynccontextmanager
    async def subscribe_many(self, channels: list[str]) -> AsyncIterator[Subscription]:
        """One stream of the events of several channels."""
        queue: Mailbox[Event | _Lost | None] = Mailbox()
        joined = await self.join(channels, queue)
        try:
            yield Subscription(queue)
        finally:
            await self.leave(joined, queue)

    async def join(self, channels: list[str], sink: Sink) -> list[str]:
        """Put every event of the channels into `sink` from now on (and `LOST` if the
        connection to the server is lost, after which the sink is no longer in any channel);
        returns the channels joined, for `leave`. Raises BusUnavailable while disconnected."""
        try:
            await asyncio.wait_for(self._healthy.wait(), SUBSCRIBE_TIMEOUT)
        except TimeoutError as exc:
            raise BusUnavailable("the pub/sub bus is not connected") from exc
        joined: list[str] = []
        try:
            for channel in dict.fromkeys(channels):
                async with self._locks[channel]:
                    subscribers = self._queues.get(channel)
                    if not subscribers:
                        await self._backend.subscribe(channel)
                        self._queues[channel] = {sink}
                    else:
                        subscribers.add(sink)
                joined.append(channel)
        except BaseException:
            await self.leave(joined, sink)
            raise
        return joined

    async def leave(self, channels: list[str], sink: Sink) -> None:
        """No more events of the channels into `sink`; the last one out unsubscribes."""
        for channel in channels:
            async with self._locks[channel]:
                subscribers = self._queues.get(channel)
                if subscribers is None or sink not in subscribers:
                    continue
                subscribers.discard(sink)
                if not subscribers:
                    del self._queues[channel]
                    if self._healthy.is_set():
                        with contextlib.suppress(Exception):
                            await self._backend.unsubscribe(channel)

    def subscriber_count(self, channel: str) -> int:
        return len(self._queues.get(channel, ()))


class Subscription:
    """Events of the subscribed channels; raises BusLost when the connection to the server
    is lost."""

    __slots__ = ("_queue",)

    def __init__(self, queue: Mailbox[Event | _Lost | None]) -> None:
        self._queue = queue

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        item = await self._queue.get()
        if item is None:
            raise StopAsyncIteration
        if isinstance(item, _Lost):
            raise BusLost("the connection to the pub/sub server was lost")
        return item


_bus: Bus | None = None


def get_bus() -> Bus:
    if _bus is None:
        raise RuntimeError("the bus is not connected (start_bus in the app's lifespan)")
    return _bus


async def start_bus(url: str) -> Bus:
    global _bus
    bus = Bus(url)
    await bus.connect()
    _bus = bus
    return bus


async def stop_bus() -> None:
    global _bus
    if _bus is not None:
        await _bus.disconnect()
        _bus = None
