"""A small graphql-transport-ws client over httpx-ws, for in-process tests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from app.main import create_app
from notifications.bus import get_bus

_ids = itertools.count(1)


class Socket:
    def __init__(self, ws: AsyncWebSocketSession) -> None:
        self.ws = ws

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        op_id = str(next(_ids))
        await self.ws.send_json(
            {
                "id": op_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )
        return op_id

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next data message (pings are answered, pongs skipped)."""
        while True:
            message: dict[str, Any] = await asyncio.wait_for(self.ws.receive_json(), timeout)
            if message["type"] == "ping":
                await self.ws.send_json({"type": "pong"})
                continue
            if message["type"] == "pong":
                continue
            return message

    async def nothing(self, wait: float = 0.3) -> None:
        """Assert that no message arrives within `wait` seconds."""
        with contextlib.suppress(TimeoutError):
            message = await self.next(timeout=wait)
            raise AssertionError(f"unexpected message: {message}")

    async def closed(self, timeout: float = 5.0) -> int:
        """Wait for the server to close the socket; returns the close code."""
        try:
            while True:
                await asyncio.wait_for(self.ws.receive_json(), timeout)
        except WebSocketDisconnect as exc:
            return int(exc.code)


@contextlib.asynccontextmanager
async def ws_client(app: Any = None) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app (of `create_app()` unless given one). One per test: httpx-ws's
    transports do not nest."""
    app = app or create_app(manage_db=False)
    async with (
        ASGIWebSocketTransport(app=app) as transport,
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        yield client


@contextlib.asynccontextmanager
async def connect(
    client: httpx.AsyncClient,
    token: str | None,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    expect_ack: bool = True,
    path: str = "/graphql",
) -> AsyncIterator[Socket]:
    async with aconnect_ws(
        "http://test" + path, client, subprotocols=["graphql-transport-ws"], headers=headers or {}
    ) as ws:
        payload = params if params is not None else {"authorization": f"Bearer {token}"}
        await ws.send_json({"type": "connection_init", "payload": payload})
        socket = Socket(ws)
        if expect_ack:
            ack = await socket.next()
            assert ack["type"] == "connection_ack", ack
        yield socket


async def wait_subscribed(channel: str, count: int = 1, timeout: float = 5.0) -> None:
    """Wait until `count` subscribers of this process listen on the channel."""
    deadline = asyncio.get_running_loop().time() + timeout
    while get_bus().subscriber_count(channel) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(
                f"{channel}: {get_bus().subscriber_count(channel)} of {count} subscribed"
            )
        await asyncio.sleep(0.01)
