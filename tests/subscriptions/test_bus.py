"""The bus: broadcaster 0.3.1's defects, each worked around and tested on the real servers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlparse

import asyncpg
import pytest
import redis
import redis.asyncio
from broadcaster import Broadcast

from notifications.bus import Bus, BusLost, BusUnavailable
from notifications.mailbox import Mailbox
from tests import db as test_db
from tests.servers import free_port

REDIS_URL = os.environ.get("LUUKKU_TEST_REDIS", "redis://127.0.0.1:6379/0")


def channel() -> str:
    return f"test:{uuid.uuid4().hex}"


def bus_urls() -> list[object]:
    return [
        "memory://",
        pytest.param(REDIS_URL, marks=pytest.mark.redis, id="redis"),
        pytest.param("postgres", marks=pytest.mark.postgres, id="postgres"),
    ]


@contextlib.asynccontextmanager
async def open_bus(url: str) -> AsyncIterator[Bus]:
    if url == "postgres":
        url = test_db.test_server() + "/postgres"
    bus = Bus(url)
    await bus.connect()
    try:
        yield bus
    finally:
        await bus.disconnect()


async def _receive(
    bus: Bus, name: str, ready: asyncio.Event, got: list[str], count: int = 1
) -> None:
    async with bus.subscribe(name) as subscription:
        ready.set()
        async for event in subscription:
            got.append(event.message)
            if len(got) >= count:
                return


@pytest.mark.redis
async def test_stock_broadcaster_redis_backend_never_delivers_with_redis_py_8() -> None:
    """The defect itself (why notifications/bus.py has its own Redis backend)."""
    assert redis.__version__.startswith("8.")
    stock = Broadcast(REDIS_URL)
    await stock.connect()
    try:
        name = channel()
        async with stock.subscribe(name) as subscriber:
            await asyncio.sleep(0.1)
            await stock.publish(name, "hello")
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(subscriber.get(), 1.0)
    finally:
        with contextlib.suppress(Exception):
            await stock.disconnect()


@pytest.mark.parametrize("url", bus_urls())
async def test_published_messages_are_delivered(url: str) -> None:
    async with open_bus(url) as bus:
        name, ready, got = channel(), asyncio.Event(), []
        task = asyncio.create_task(_receive(bus, name, ready, got, 2))
        await ready.wait()
        await bus.publish(name, "one")
        await bus.publish(name, "two")
        await asyncio.wait_for(task, 5)
        assert got == ["one", "two"]


@pytest.mark.parametrize("url", bus_urls())
async def test_subscribers_that_join_together_all_receive(url: str) -> None:
    async with open_bus(url) as bus:
        name, got = channel(), []
        readies = [asyncio.Event() for _ in range(20)]
        results: list[list[str]] = [[] for _ in range(20)]
        tasks = [
            asyncio.create_task(_receive(bus, name, readies[i], results[i])) for i in range(20)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 10)
        assert bus.subscriber_count(name) == 20
        await bus.publish(name, "all")
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
        assert all(r == ["all"] for r in results)
        assert got == []
        await asyncio.sleep(0.05)
        assert bus.subscriber_count(name) == 0  # and leaving raised no KeyError


@pytest.mark.parametrize("url", bus_urls())
async def test_concurrent_publishes_all_arrive(url: str) -> None:
    async with open_bus(url) as bus:
        name, ready, got = channel(), asyncio.Event(), []
        task = asyncio.create_task(_receive(bus, name, ready, got, 50))
        await ready.wait()
        await asyncio.gather(*(bus.publish(name, str(i)) for i in range(50)))
        await asyncio.wait_for(task, 10)
        assert sorted(got, key=int) == [str(i) for i in range(50)]


@pytest.mark.parametrize("url", bus_urls())
async def test_a_message_another_process_publishes_right_after_the_join_is_delivered(
    url: str,
) -> None:
    """What a subscription's LISTENING promises (resolvers/live/table.py), on each backend:
    joined means listening at the server (memory: one process, so the same bus)."""
    async with open_bus(url) as bus, open_bus(url) as elsewhere:
        other = bus if url == "memory://" else elsewhere
        name, sink = channel(), Mailbox[Any]()
        joined = await bus.join([name], sink)
        await other.publish(name, "right after")
        message = await asyncio.wait_for(sink.get(), 5)
        assert message.message == "right after"
        await bus.leave(joined, sink)


@contextlib.asynccontextmanager
async def holding_proxy(target: str) -> AsyncIterator[tuple[str, asyncio.Event, asyncio.Event]]:
    """A TCP proxy in front of the Redis of `target` that holds the bytes of a SUBSCRIBE
    (sets `seen`) until `release` is set: Redis gets the command only then."""
    parsed = urlparse(target)
    seen, release = asyncio.Event(), asyncio.Event()
    pumps: set[asyncio.Task[None]] = set()
    writers: list[asyncio.StreamWriter] = []

    async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, hold: bool) -> None:
        with contextlib.suppress(Exception):
            while data := await reader.read(65536):
                if hold and b"SUBSCRIBE" in data.upper():
                    seen.set()
                    await release.wait()
                writer.write(data)
                await writer.drain()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(
            parsed.hostname or "127.0.0.1", parsed.port or 6379
        )
        writers.extend((writer, up_writer))
        for task in (pump(reader, up_writer, True), pump(up_reader, writer, False)):
            pumps.add(asyncio.create_task(task))

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"redis://127.0.0.1:{port}{parsed.path or '/0'}", seen, release
    finally:
        release.set()
        server.close()
        for task in pumps:
            task.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)
        for writer in writers:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        await server.wait_closed()


@pytest.mark.redis
async def test_a_redis_join_returns_only_once_redis_has_the_subscribe() -> None:
    """Fix 5: otherwise a message another worker publishes right after the join (after the
    subscription's LISTENING) could reach Redis before the SUBSCRIBE, and be lost."""
    name = channel()
    async with holding_proxy(REDIS_URL) as (url, seen, release):
        bus = Bus(url)
        await bus.connect()
        direct = redis.asyncio.Redis.from_url(REDIS_URL)
        try:
            sink: Mailbox[Any] = Mailbox()
            joining = asyncio.create_task(bus.join([name], sink))
            await seen.wait()  # sent, but Redis does not have it
            assert await direct.publish(name, "before") == 0  # nobody listens on Redis yet
            assert (await direct.pubsub_numsub(name)) == [(name.encode(), 0)]
            assert not joining.done()
            release.set()
            joined = await asyncio.wait_for(joining, 5)
            # joined: a message published now by anyone is delivered
            assert await direct.publish(name, "after") == 1
            message = await asyncio.wait_for(sink.get(), 5)
            assert message.message == "after" and sink.empty()
            await bus.leave(joined, sink)
        finally:
            await direct.aclose()
            await bus.disconnect()


# --- losing the server ------------------------------------------------------------------------


@contextlib.contextmanager
def redis_server(port: int) -> Iterator[subprocess.Popen[bytes]]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                import time

                time.sleep(0.05)
        client.close()
        yield process
    finally:
        process.terminate()
        process.wait(5)


@pytest.mark.redis
async def test_redis_restart_ends_subscriptions_cleanly_and_the_bus_reconnects() -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with redis_server(port):
        bus = Bus(url)
        await bus.connect()
    try:
        name = channel()

        async def wait_for_lost() -> None:
            async with bus.subscribe(name) as subscription:
                async for _ in subscription:
                    pass

        # (the server is already gone here: the first redis_server stopped)
        lost = asyncio.create_task(wait_for_lost())
        with pytest.raises((BusLost, BusUnavailable)):
            await asyncio.wait_for(lost, 15)  # never hangs
        with pytest.raises((BusUnavailable, ConnectionError, OSError, TimeoutError)):
            await asyncio.wait_for(bus.publish(name, "lost"), 5)
        with redis_server(port):
            for _ in range(200):
                if bus.is_healthy:
                    break
                await asyncio.sleep(0.05)
            assert bus.is_healthy and bus.reconnects >= 1
            ready, got = asyncio.Event(), []
            task = asyncio.create_task(_receive(bus, name, ready, got))
            await ready.wait()
            await bus.publish(name, "back")
            await asyncio.wait_for(task, 5)
            assert got == ["back"]
    finally:
        await bus.disconnect()


@pytest.mark.redis
async def test_subscribers_waiting_when_redis_dies_get_bus_lost() -> None:
    port = free_port()
    with redis_server(port) as server:
        bus = Bus(f"redis://127.0.0.1:{port}/0")
        await bus.connect()
        name = channel()
        entered = asyncio.Event()

        async def listen() -> None:
            async with bus.subscribe(name) as subscription:
                entered.set()
                async for _ in subscription:
                    pass

        task = asyncio.create_task(listen())
        await entered.wait()
        server.kill()
        with pytest.raises(BusLost):
            await asyncio.wait_for(task, 15)
    await bus.disconnect()


@pytest.mark.postgres
async def test_postgres_connection_loss_ends_subscriptions_and_reconnects() -> None:
    async with open_bus("postgres") as bus:
        name = channel()
        entered = asyncio.Event()

        async def listen() -> None:
            async with bus.subscribe(name) as subscription:
                entered.set()
                async for _ in subscription:
                    pass

        task = asyncio.create_task(listen())
        await entered.wait()
        admin = await asyncpg.connect(test_db._admin_dsn(test_db.test_server()))
        try:
            pid = bus._backend._listen_conn.get_server_pid()  # type: ignore[attr-defined]
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        with pytest.raises(BusLost):
            await asyncio.wait_for(task, 10)
        for _ in range(100):
            if bus.is_healthy:
                break
            await asyncio.sleep(0.05)
        ready, got = asyncio.Event(), []
        receiving = asyncio.create_task(_receive(bus, name, ready, got))
        await ready.wait()
        await bus.publish(name, "again")
        await asyncio.wait_for(receiving, 5)
        assert got == ["again"]
