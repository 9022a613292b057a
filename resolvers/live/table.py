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

An event reaches the idle entries of its channel through one fan-out (`FanOut`): one task
per bus message, which serves them one after the other without a task each
(`LiveEntry.deliver_now`: the steps below, run at once where nothing has to be waited for,
and the `next` written to the socket pre-encoded; bench/README.md, "Live fan-out"). An
entry that already has events to deliver, or whose steps would wait past what the fan-out
waits for, has a task, which lives only while the entry has events, takes them in the bus's
order and does for each what the subscription's task did:

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
from typing import Any, ClassVar, Protocol, TypeVar

import orjson
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


class FrameWriter(Protocol):
    """The WebSocket handler's way to send an encoded message (app/main.py)."""

    def write_frame_now(self, frame: bytes, /) -> bool: ...

    async def send_frame(self, frame: bytes, /) -> None: ...


class Parking:
    """Offered by the WebSocket handler to the operation it runs: `send` sends the
    operation's messages (`next`, and `complete`, after which the handler forgets the
    operation); `writer`, where there is one, sends messages already encoded; a
    subscription that parks puts its entry in `entries` under the operation's id, where the
    handler finds it when the operation is to end, and takes it out when it ends by itself."""

    __slots__ = ("entries", "entry", "operation_id", "send", "writer")

    def __init__(
        self,
        operation_id: str,
        send: Callable[[Any], Awaitable[None]],
        entries: dict[str, LiveEntry],
        writer: FrameWriter | None = None,
    ) -> None:
        self.operation_id = operation_id
        self.send = send
        self.entries = entries
        self.entry: LiveEntry | None = None
        self.writer = writer

    def write_now(self, frame: bytes) -> bool:
        """The encoded message written at once, if the socket can take it now."""
        return self.writer is not None and self.writer.write_frame_now(frame)

    async def send_frame(self, frame: bytes) -> None:
        """The encoded message, written at once or sent the usual way."""
        if self.writer is None:
            await self.send(orjson.loads(frame))
        elif not self.writer.write_frame_now(frame):
            await self.writer.send_frame(frame)


#: Set by the WebSocket handler in the task of each operation it runs (app/main.py).
parking: ContextVar[Parking | None] = ContextVar("luukku_parking", default=None)


class LiveEntry:
    """One parked subscription: what it needs per event, and its events while it has any."""

    __slots__ = (
        "_channels",
        "_claimed",
        "_context",
        "_executor",
        "_info",
        "_joining",
        "_mailbox",
        "_parking",
        "_select",
        "_stopped",
        "_task",
        "_variables",
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
        self._claimed = False  # an event of a fan-out (FanOut) is on its way here
        self._variables: bytes | None = None  # the operation's variables as a key, once
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
        """From the bus: an event, LOST, or None. An event for an entry with nothing else
        to deliver goes to the event's fan-out; everything else waits in the mailbox, for
        the entry's task."""
        if self._stopped:
            return
        if (
            self._task is None
            and not self._claimed
            and (self._mailbox is None or self._mailbox.empty())
            and isinstance(item, Event)
        ):
            self._claimed = True
            FanOut.add(item, self)
            return
        if self._mailbox is None:
            self._mailbox = Mailbox()
        self._mailbox.put_nowait(item)
        if self._task is None and not self._claimed and not self._joining:
            self._start()

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

    def _start(self, first: Event | None = None, frame: bytes | None = None) -> None:
        self._claimed = False
        self._task = asyncio.get_running_loop().create_task(
            self._drain(first, frame), context=self._context
        )

    def deliver_now(self, message: Event) -> asyncio.Future[Any] | None:
        """The fan-out's event for this entry, delivered without a task where nothing has
        to be waited for: the same steps as `_deliver`, run to their end at once, and the
        `next` written to the socket at once. Returns None when done (delivered, skipped,
        or handed to the entry's task), or what the steps would wait for (a shared load or
        execution not finished yet): they are then abandoned, with nothing sent and no
        audit entry added, to be tried again once it is done (`FanOut`)."""
        if self._stopped:
            self._claimed = False
            return None
        context = self._info.context
        if _expired(context):
            self._start(message)  # closes the socket with 4403
            return None
        audited = len(context.pending_audit)
        steps = self._prepared(message, at_once=True)
        try:
            waiting = self._context.run(steps.send, None)
        except StopIteration as done:
            frame: bytes | None = done.value
        except _NotAtOnce:
            self._start(message)
            return None
        except Exception:  # fails again in the task, which ends the subscription with it
            self._start(message)
            return None
        else:
            self._context.run(steps.close)
            del context.pending_audit[audited:]  # (none are added before the end)
            return waiting if isinstance(waiting, asyncio.Future) else _NEXT_TURN
        if frame is not None and not self._parking.write_now(frame):
            self._start(frame=frame)  # the socket cannot take it now: sent by the task
            return None
        if context.pending_audit or not (self._mailbox is None or self._mailbox.empty()):
            self._start()  # audits the reads, then delivers what came meanwhile
        else:
            self._claimed = False
        return None

    async def _drain(self, first: Event | None = None, frame: bytes | None = None) -> None:
        context = self._info.context
        try:
            if frame is not None:
                await self._parking.send_frame(frame)
                await audit_reads(context)
            if first is not None and not await self._handle(first):
                return
            while self._mailbox is not None and not self._mailbox.empty():
                if not await self._handle(self._mailbox.get_nowait()):
                    return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._end_with_error(exc)
        finally:
            # no await before this: an event put from now on starts a new task
            if self._task is asyncio.current_task():
                self._task = None
            if self._stopped or (self._mailbox is not None and self._mailbox.empty()):
                self._mailbox = None  # nothing more to deliver (an idle entry keeps none)
            with contextlib.suppress(Exception):  # a cancelled delivery's reads; logged
                await audit_reads(context)

    async def _handle(self, item: Event | Any) -> bool:
        """One item of the mailbox; False if it ended the subscription."""
        if not isinstance(item, Event):  # LOST (or None): the bus lost its server
            await self._end_closing(CLOSE_RESTART, RESTARTING)
            return False
        if _expired(self._info.context):
            await self._end_closing(CLOSE_FORBIDDEN, "Token expired")
            return False
        await self._deliver(item)
        return True

    async def _deliver(self, message: Event) -> None:
        frame = await self._prepared(message)
        if frame is not None:
            await self._parking.send_frame(frame)
            await audit_reads(self._info.context)

    async def _prepared(self, message: Event, at_once: bool = False) -> bytes | None:
        """The `next` message of this event for this subscriber, encoded; None to skip it.
        Reads only (and the content reads' audit entries of a shared execution, added at
        its end): `deliver_now` may abandon it at any wait and run it again."""
        event = _decoded(message)
        if event is None:
            return None
        node = await self._select(event)
        if node is None:
            return None
        shared = getattr(node, "share_key", None) is not None
        if at_once and not shared:  # an execution of its own: in the entry's task
            raise _NotAtOnce
        result = None
        if shared:
            if self._variables is None:
                self._variables = self._executor.variables_key()
            result = self._executor.shared_result(node, self._variables)
        if result is None:
            executor = self._executor.build_per_event_executor(node)
            result = executor.execute_operation(False)
            if executor.is_awaitable(result):
                result = await result
        return next_frame(self._parking.operation_id, _payload(self._info, result, shared))

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


class _NotAtOnce(Exception):
    """The event's execution is this subscriber's own: it runs in the entry's task."""


#: what `deliver_now` returns for steps that yielded without a future (a bare loop turn)
_NEXT_TURN: asyncio.Future[Any] | None = None


class FanOut:
    """One bus message for the idle entries it reached: delivered to them one after the
    other in one task, each without a task of its own (`LiveEntry.deliver_now`).

    The first entries wait for the event's shared loads and for the first execution of
    each audience; the fan-out waits for those (up to `MAX_WAITS` times per message) and
    tries the entry again, and the entries after it then find everything ready. Past that,
    an entry that would wait is handed to a task of its own, as before. Every `BATCH`
    entries the fan-out lets the event loop run, so requests (the mutation that
    published the event among them) are not held up until the last subscriber is served."""

    __slots__ = ("entries", "message")

    BATCH: ClassVar[int] = 64
    MAX_WAITS: ClassVar[int] = 64
    #: entries served at once, entries handed to a task, waits (tests and the benchmark)
    served_at_once: ClassVar[int] = 0
    handed_off: ClassVar[int] = 0
    waits: ClassVar[int] = 0
    _current: ClassVar[FanOut | None] = None
    _running: ClassVar[set[asyncio.Task[None]]] = set()

    def __init__(self, message: Event) -> None:
        self.message = message
        self.entries: list[LiveEntry] = []

    @classmethod
    def add(cls, message: Event, entry: LiveEntry) -> None:
        """The bus puts one message into every entry of its channel in one go: they share
        one fan-out, whose task starts once they are all in."""
        fan = cls._current
        if fan is None or fan.message is not message:
            fan = cls._current = FanOut(message)
            task = asyncio.get_running_loop().create_task(fan._run())
            cls._running.add(task)
            task.add_done_callback(cls._running.discard)
        fan.entries.append(entry)

    async def _run(self) -> None:
        entries, message = self.entries, self.message
        waits = done = 0
        try:
            while done < len(entries):
                entry = entries[done]
                waiting = entry.deliver_now(message)
                while waiting is not None and waits < self.MAX_WAITS:
                    waits += 1
                    FanOut.waits += 1
                    await _settled(waiting)
                    waiting = entry.deliver_now(message)
                done += 1
                if waiting is not None:
                    _settled_later(waiting)
                    entry._start(message)
                    FanOut.handed_off += 1
                elif entry._task is None:
                    FanOut.served_at_once += 1
                if done % self.BATCH == 0:
                    await asyncio.sleep(0)
        finally:
            log.debug(
                "fan-out of %d: %d waits; so far %d at once, %d in tasks",
                len(entries),
                waits,
                FanOut.served_at_once,
                FanOut.handed_off,
            )
            if FanOut._current is self:
                FanOut._current = None
            for entry in entries[done:]:  # cancelled (shutting down): as before, in tasks
                if not entry._stopped:
                    entry._start(message)


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Its failure belongs to the abandoned steps that waited for it: nobody reads it."""
    if not future.cancelled():
        future.exception()


async def _settled(future: asyncio.Future[Any] | None) -> None:
    """Until the future is done, without its result, and without cancelling it."""
    if future is None:
        await asyncio.sleep(0)
        return
    if not future.done():
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake(_: object) -> None:
            if not waiter.done():
                waiter.set_result(None)

        future.add_done_callback(wake)
        await waiter
    _retrieve(future)


def _settled_later(future: asyncio.Future[Any] | None) -> None:
    if future is not None:
        future.add_done_callback(_retrieve)


_NEXT = b',"type":"next","payload":'


def next_frame(operation_id: str, payload: bytes) -> bytes:
    """The graphql-transport-ws `next` message of an encoded payload: the bytes
    `orjson.dumps({"id": operation_id, "type": "next", "payload": ...})` makes, as
    Strawberry's handler sends it (app/main.py `encode_json`)."""
    return b'{"id":' + orjson.dumps(operation_id) + _NEXT + payload + b"}"


_PAYLOADS: OrderedDict[int, tuple[Any, bytes]] = OrderedDict()
_MAX_PAYLOADS = 256


def _payload(info: Info, result: Any, shared: bool) -> bytes:
    """A result's `next` payload, encoded; a shared execution's result (schema/sharing.py),
    the same object for all its subscribers, is encoded once."""
    if shared:
        kept = _PAYLOADS.get(id(result))
        if kept is not None and kept[0] is result:
            return kept[1]
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = _formatted(info, result.errors)
    encoded = orjson.dumps(payload)
    if shared:
        _PAYLOADS[id(result)] = (result, encoded)  # kept: its id is not reused meanwhile
        while len(_PAYLOADS) > _MAX_PAYLOADS:
            _PAYLOADS.popitem(last=False)
    return encoded


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
    "FanOut",
    "LiveEntry",
    "Parking",
    "audit_reads",
    "close_socket",
    "event_loaders",
    "listen",
    "next_frame",
    "parking",
]
