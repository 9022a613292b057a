"""A real `luukku serve`: SIGTERM closes live sockets with 1001 and exits in bounded time;
WebSocket messages over WS_MAX_MESSAGE_BYTES are refused by the server (1009)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests import db as test_db
from tests.servers import Server, free_port
from tests.subscriptions.test_real_clients import _cli

pytestmark = pytest.mark.slow
ACTIVITY = "subscription($id: ID!) { projectActivity(projectId: $id) { kind } }"


@pytest_asyncio.fixture
async def own_database(tmp_path: Path) -> AsyncIterator[str]:
    async with test_db.process_database(tmp_path, "shutdown") as url:
        yield url


async def _subscribed(url: str, token: str) -> object:
    socket = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await socket.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    await socket.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": ACTIVITY, "variables": {"id": "UHJvamVjdDox"}},
            }
        )
    )
    return socket


async def test_sigterm_closes_sockets_with_1001_in_bounded_time(own_database: str) -> None:
    env = {"DATABASE_URL": own_database, "SHUTDOWN_TIMEOUT": "5", "WS_MAX_MESSAGE_BYTES": "65536"}
    _cli(env, "migrate")
    _cli(env, "catalogue", "load")
    tokens = re.findall(r"^    (lk_\S+)$", _cli(env, "demo", "seed"), re.MULTILINE)
    server = Server(["serve"], env, free_port())
    try:
        server.wait_ready()
        url = server.url.replace("http://", "ws://") + "/graphql"
        sockets = [await _subscribed(url, token) for token in tokens[:3]]
        big = await _subscribed(url, tokens[0])
        await big.send("x" * 70_000)  # type: ignore[attr-defined]
        with pytest.raises(ConnectionClosed) as too_big:
            await asyncio.wait_for(big.recv(), 10)  # type: ignore[attr-defined]
        assert too_big.value.rcvd is not None and too_big.value.rcvd.code == 1009
        await asyncio.sleep(0.5)
        started = time.monotonic()
        os.killpg(server.process.pid, signal.SIGTERM)
        for socket in sockets:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)  # type: ignore[attr-defined]
            assert closed.value.rcvd is not None, "the server closed without a close frame"
            assert closed.value.rcvd.code == 1001
        server.process.wait(timeout=15)
        assert time.monotonic() - started < 12  # SHUTDOWN_TIMEOUT 5 s, with a margin
        # uvicorn re-raises the SIGTERM it caught once it has shut down
        assert server.process.returncode in (0, -signal.SIGTERM), server.output
    finally:
        server.stop()
