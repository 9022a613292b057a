"""Idle live subscriptions as entries of the bus's per-channel table, not as tasks.

Strawberry runs each graphql-transport-ws subscription as a task that stays suspended inside
its operation for as long as the subscription lives: the extension contexts, graphql-core's
execution state and event stream, the resolver's async generator and its bus subscription.
That was most of the memory of an idle subscription (bench/idle.py).

On Luukku's WebSocket handler (app/main.py) a subscription runs through Strawberry and
graphql-core as before up to the moment its resolver would start listening: parsing, the
limits and validation, the field's permission classes, its arguments, and whatever the
resolver checks first. There the resolver *parks* (`listen`): it leaves a `LiveEntry` in
the bus's table of each of its channels (the bus puts every event into it, as it does into a
subscription's mailbox) and returns, which ends Strawberry's and graphql-core's work for the
operation, without a `complete`. An idle subscription is then the entry: the connection's
context, the resolver's `info` and per-event `select`, graphql-core's executor of the
operation (its validated operation and coerced variables), and the channels.

An event wakes the entry: a task, which lives only while the entry has events, takes them in
the bus's order and does for each what the subscription's task did:

- the viewer's token has expired: the socket is closed with 4403;
- the rows of the event come from this process's shared loaders (`event_loaders`);
- `select(event)` is the resolver's own per-event part: the same `permissions/` functions
  for the viewer as it is now, and the event's object, or None to skip the event;
- the operation's selection is executed on that object by graphql-core's executor of the
  operation, as graphql-core does for each event (`build_per_event_executor`), so the
  compiled executor and the one execution per event, operation and audience
  (schema/sharing.py) work as before;
- the result's errors are coded and logged as every streamed result's (schema/errors.py),
  and the `next` is sent; then the content it carried is audited.

A subscription asked with `listening: true` gets one more thing: a LISTENING marker is the
first item of its mailbox, and its task starts only once the entry has joined its channels
(on Redis, once Redis has confirmed the SUBSCRIBE: notifications/bus.py); events that come
while it joins wait behind the marker. For the marker, the resolver's `joined` part makes
the LISTENING event, read with loaders of its own (nothing cached from before the join),
and it is delivered as any event: the subscription's first `next`. Every event committed
after the client has it is delivered, so a client that refetches then (rather than at
connection_ack) misses nothing.

An exception in this ends the subscription as it ended the task: a `next` with the error,
then `complete`. The client's `complete`, or the socket closing, removes the entry (an event
being delivered is cancelled, and its reads are still audited). A lost bus closes the socket
with 1012, as before. Elsewhere (no parking offered: other transports, tests calling
`schema.subscribe`), `listen` is the resolver's async generator as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar

from broadcaster import Event
from graphql import GraphQLError, OperationType

from actions.audit import audit_many
from notifications.bus import BusLost, BusUnavailable, get_bus
from notifications.events import EventKind, LiveEvent
from notifications.mailbox import Mailbox
from resolvers.context import Context, Info, current_loaders, subscription_executor
from resolvers.loaders import Loaders, SharedLoaders
from schema.errors import coded_errors

log = logging.getLogger("luukku.live")
T = TypeVar("T")

#: Close codes: 4403 (graphql-transport-ws "Forbidden") when the viewer's access ends,
#: 1012 (service restart) when the bus was lost, so that clients reconnect and refetch.
CLOSE_FORBIDDEN = 4403
CLOSE_RESTART = 1012
#: the reasons sent with CLOSE_RESTART: the bus lost its server, or cannot be reached
RESTARTING = "Live updates restarting; subscribe again"
UNAVAILABLE = "Live updates unavailable; try again shortly"

_EVENT_LOADERS: OrderedDict[str, Loaders] = OrderedDict()
_MAX_EVENTS = 256


def event_loaders(event: LiveEvent) -> Loaders:
    """The loaders shared by every subscriber of this process for one event (a subscriber
    that leaves meanwhile cancels only its own waiting: SharedLoaders)."""
    loaders = _EVENT_LOADERS.get(event.id)
    if loaders is None:
        loaders = SharedLoaders()
        _EVENT_LOADERS[event.id] = loaders
        while len(_EVENT_LOADERS) > _MAX_EVENTS:
            _EVENT_LOADERS.popitem(last=False)
    return loaders


async def close_socket(context: Context, code: int, reason: str) -> None:
    websocket = context.request
    close = getattr(websocket, "close", None)
    if close is not None:
        try:
            await close(code=code, reason=reason)
        except Exception:  # already closed
            log.debug("socket already closed")


_AUDIT_WRITES: set[asyncio.Task[None]] = set()


def _audit_written(task: asyncio.Task[None]) -> None:
    _AUDIT_WRITES.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("could not write the audit entries of a live event", exc_info=task.exception())


async def audit_reads(context: Context) -> None:
    """Write the audit entries of the content the last delivered event carried.

    The write runs in its own task: a socket closing meanwhile cancels the subscription,
    not the write."""
    if context.pending_audit:
        rows, context.pending_audit = context.pending_audit, []
        task = asyncio.create_task(audit_many(rows))
        _AUDIT_WRITES.add(task)
        task.add_done_callback(_audit_written)
        await asyncio.shield(task)


def _expired(context: Context) -> bool:
    expires_at = context.viewer.expires_at
    return expires_at is not None and expires_at <= datetime.now(UTC)


Select = Callable[[LiveEvent], Awaitable[T | None]]
#: the resolver's LISTENING event, made once the subscription has joined its channels
Joined = Callable[[], Awaitable[T]]


def _listening_first(select: Select[T], joined: Joined[T]) -> Select[T]:
    """`select`, and for the LISTENING marker the resolver's LISTENING event, read after
    the join with loaders of its own."""

    async def select_or_joined(event: LiveEvent) -> T | None:
        if event.kind is EventKind.LISTENING:
            current_loaders.set(Loaders())
            return await joined()
        return await select(event)

    return select_or_joined


def _listening() -> LiveEvent:
    """The marker of a subscription's start (never published on the bus)."""
    return LiveEvent(EventKind.LISTENING, 0)


class Parking:
    """Offered by the WebSocket handler to the operation it runs: `send` sends the
    operation's messages (`next`, and `complete`, after which the handler forgets the
    operation); a subscription that parks puts its entry in `entries` under the
    operation's id, where the handler finds it when the operation is to end, and takes it
    out when it ends by itself."""

    __slots__ = ("entries", "entry", "operation_id", "send")

    def __init__(
        self,
        operation_id: str,
        send: Callable[[Any], Awaitable[None]],
        entries: dict[str, LiveEntry],
    ) -> None:
        self.operation_id = operation_id
        self.send = send
        self.entries = entries
        self.entry: LiveEntry | None = None


#: Set by the WebSocket handler in the task of each operation it runs (app/main.py).
parking: ContextVar[Parking | None] = ContextVar("luukku_parking", default=None)


class LiveEntry:
    """One parked subscription: what it needs per event, and its events while it has any."""

    __slots__ = (
        "_channels",
        "_context",
        "_executor",
        "_info",
        "_joining",
        "_mailbox",
        "_parking",
        "_select",
        "_stopped",
        "_task",
    )

    def __init__(self, offer: Parking, info: Info, executor: Any, select: Select[Any]) -> None:
        self._parking = offer
        self._info = info
        self._executor = executor
        self._select = select
        self._channels: list[str] = []
        self._mailbox: Mailbox[Event | Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self._joining = False
        # the context variables the subscription's task had (the database's context among
        # them), for the tasks that deliver its events
        self._context = contextvars.copy_context()
        self._context.run(parking.set, None)
        self._context.run(subscription_executor.set, None)
        self._context.run(current_loaders.set, None)  # each event sets its own

    async def join(self, channels: list[str], listening: bool = False) -> None:
        """Into the bus's table of the channels; `listening`: the LISTENING marker first,
        delivered once every channel is joined (the events of the meantime wait behind it)."""
        if listening:  # in the mailbox itself: nothing is delivered before it, or at once
            self._joining = True
            self._mailbox = Mailbox()
            self._mailbox.put_nowait(Event(channel="", message=_listening().encode()))
        try:
            self._channels = await get_bus().join(channels, self)
        finally:
            self._joining = False
        if self._task is None and self.qsize() and not self._stopped:
            self._start()

    def put_nowait(self, item: Event | Any) -> None:
        """From the bus: an event, LOST, or None."""
        if self._stopped:
            return
        if self._mailbox is None:
            self._mailbox = Mailbox()
        self._mailbox.put_nowait(item)
        if self._task is None and not self._joining:
            self._start()

    def _start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._drain(), context=self._context)

    def qsize(self) -> int:
        """Events waiting for delivery (the one being delivered has left the mailbox)."""
        return 0 if self._mailbox is None else self._mailbox.qsize()

    async def stop(self) -> None:
        """Out of the bus's table and the handler's entries; an event being delivered is
        cancelled (its reads are audited on the way out)."""
        self._stopped = True
        parked = self._parking
        if parked.entries.get(parked.operation_id) is self:
            del parked.entries[parked.operation_id]
        channels, self._channels = self._channels, []
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        if channels:
            with contextlib.suppress(Exception):
                await get_bus().leave(channels, self)

    async def _drain(self) -> None:
        context = self._info.context
        try:
            while self._mailbox is not None and not self._mailbox.empty():
                item = self._mailbox.get_nowait()
                if not isinstance(item, Event):  # LOST (or None): the bus lost its server
                    await self._end_closing(CLOSE_RESTART, RESTARTING)
                    return
                if _expired(context):
                    await self._end_closing(CLOSE_FORBIDDEN, "Token expired")
                    return
                await self._deliver(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._end_with_error(exc)
        finally:
            # no await before this: an event put from now on starts a new task
            if self._task is asyncio.current_task():
                self._task = None
            if self._stopped:  # nothing more to deliver
                self._mailbox = None
            with contextlib.suppress(Exception):  # a cancelled delivery's reads; logged
                await audit_reads(context)

    async def _deliver(self, message: Event) -> None:
        event = _decoded(message)
        if event is None:
            return
        node = await self._select(event)
        if node is None:
            return
        executor = self._executor.build_per_event_executor(node)
        result = executor.execute_operation(False)
        if executor.is_awaitable(result):
            result = await result
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = _formatted(self._info, result.errors)
        await self._parking.send(
            {"id": self._parking.operation_id, "type": "next", "payload": payload}
        )
        await audit_reads(self._info.context)

    async def _end_closing(self, code: int, reason: str) -> None:
        await self.stop()
        await close_socket(self._info.context, code, reason)

    async def _end_with_error(self, exc: Exception) -> None:
        """As Strawberry ends a subscription whose source failed: a `next` with the error,
        coded and masked, then `complete`."""
        await self.stop()
        error = GraphQLError(str(exc), original_error=exc)
        payload = {"data": None, "errors": _formatted(self._info, [error])}
        with contextlib.suppress(Exception):
            await self._parking.send(
                {"id": self._parking.operation_id, "type": "next", "payload": payload}
            )
            await self._parking.send({"id": self._parking.operation_id, "type": "complete"})


def _decoded(message: Event) -> LiveEvent | None:
    """The bus message's event, with the event's shared loaders as the current ones (a
    LISTENING marker sets its own)."""
    event = LiveEvent.decode(message.message)
    if event is not None and event.kind is not EventKind.LISTENING:
        current_loaders.set(event_loaders(event))
    return event


def _formatted(info: Info, errors: list[GraphQLError]) -> list[Any]:
    return [e.formatted for e in coded_errors(info.schema, errors)]


async def listen(
    info: Info, channels: list[str], select: Select[T], joined: Joined[T] | None = None
) -> AsyncIterator[T]:
    """The events of the channels that `select` turns into objects for this viewer, while
    the viewer's access holds: parked in the bus's table where the handler offers it (the
    generator then ends at once, yielding nothing), else as an async generator. With
    `joined` (the subscription was asked with `listening: true`), its object comes first,
    made once the channels are joined."""
    if joined is not None:
        select = _listening_first(select, joined)
    offered = parking.get()
    executor = subscription_executor.get()
    if (
        offered is not None
        and offered.entry is None
        and executor is not None
        and executor.context_value is info.context
        and executor.operation is info.operation
        and executor.operation.operation is OperationType.SUBSCRIPTION
    ):
        entry = LiveEntry(offered, info, executor, select)
        try:
            await entry.join(channels, listening=joined is not None)
        except BusUnavailable:
            await close_socket(info.context, CLOSE_RESTART, UNAVAILABLE)
            return
        offered.entry = offered.entries[offered.operation_id] = entry
        return
    async for event in _stream(info, channels, listening=joined is not None):
        node = await select(event)
        if node is not None:
            yield node


async def _stream(
    info: Info, channels: list[str], listening: bool = False
) -> AsyncIterator[LiveEvent]:
    """Events of the channels, for this connection's viewer while it stays valid; with
    `listening`, the LISTENING marker first, once joined.

    The generator resumes after a `yield` once the event's result has been sent, so the
    content that result carried is audited right then; and when the subscription ends
    (completed, socket closed) the last event's reads are audited on the way out."""
    context = info.context
    try:
        async with get_bus().subscribe_many(channels) as subscription:
            if listening:
                yield _listening()
                await audit_reads(context)
            async for message in subscription:
                if _expired(context):
                    await close_socket(context, CLOSE_FORBIDDEN, "Token expired")
                    return
                event = _decoded(message)
                if event is not None:
                    yield event
                    await audit_reads(context)
    except BusLost:
        await close_socket(context, CLOSE_RESTART, RESTARTING)
    except BusUnavailable:
        await close_socket(context, CLOSE_RESTART, UNAVAILABLE)
    finally:
        with contextlib.suppress(Exception):  # logged by _audit_written
            await audit_reads(context)


__all__ = [
    "CLOSE_FORBIDDEN",
    "CLOSE_RESTART",
    "LiveEntry",
    "Parking",
    "audit_reads",
    "close_socket",
    "event_loaders",
    "listen",
    "parking",
]
