"""uvicorn's WebSocket protocol (websockets-sansio) with less memory per open socket.

Live tracking keeps thousands of sockets open and idle; per socket uvicorn keeps an
`asyncio.Queue` of received messages, an `asyncio.Event` for write flow control, and the
handshake's request and response with their headers for as long as the socket is open.
This subclass keeps a mailbox instead of the queue (notifications/mailbox.py), a flag
that makes a future only while a send waits for the transport to drain, and lets the
handshake's objects go once the socket is accepted (the application has its own copy of the
headers in the ASGI scope). `write_text_now` writes an already encoded text frame at once
when the socket can take it (the live fan-out, resolvers/live/table.py). Everything else is
uvicorn's code, unchanged; `luukku serve` uses it (`ws=`, app/cli.py), and
tests/subscriptions run through it with real sockets.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState

from notifications.mailbox import Mailbox


class WritableFlag:
    """`asyncio.Event`'s `set`/`clear`/`wait` for one connection's writes, without a deque
    of waiters: a future exists only while a send waits for the transport to drain."""

    __slots__ = ("_blocked", "_waiter")

    def __init__(self) -> None:
        self._blocked = False
        self._waiter: asyncio.Future[None] | None = None

    def is_set(self) -> bool:
        return not self._blocked

    def set(self) -> None:
        self._blocked = False
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def clear(self) -> None:
        self._blocked = True

    async def wait(self) -> bool:
        while self._blocked:
            if self._waiter is None or self._waiter.done():
                self._waiter = asyncio.get_running_loop().create_future()
            # shielded: one cancelled sender must not cancel the others' shared wait
            await asyncio.shield(self._waiter)
        return True


class LightWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue: Any = Mailbox()  # uvicorn uses put_nowait, get and empty
        self.writable: Any = WritableFlag()
        self.writable.set()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete and hasattr(self, "response"):
            # accepted (or refused): uvicorn no longer reads the handshake's objects; the
            # headers are emptied too, since websockets' parser keeps the request to the end
            self.request.headers.clear()
            self.response.headers.clear()
            del self.request, self.response

    def write_text_now(self, text: bytes) -> bool:
        """What `send` does for a `websocket.send` of this text (UTF-8), without awaiting:
        False, and nothing written, where `send` would wait (the transport's buffer is full)
        or refuse (not open, closing, closed); the caller then sends it the usual way."""
        if (
            self.disconnected
            or self.close_sent
            or not self.handshake_complete
            or self.initial_response is not None
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        try:
            self.conn.send_text(text)
        except InvalidState:
            return False
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True
