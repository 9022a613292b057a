"""Many graphql-transport-ws subscribers in one process (a worker of bench/live.py).

    python -m bench.live_client --url ws://127.0.0.1:PORT/graphql --count 500 \
        --tokens-file F --query-file Q --variables '{"id": "..."}' [--no-compression]

Opens `count` connections (the tokens of F round-robin), each `connection_init` with
{"authorization": "Bearer <token>"} and one `subscribe`, then prints `READY <open> <failed>`.
Every received message is stamped with time.time() before anything else is done with it.
Commands on stdin: `STATS` prints `STATS {json}` (per event id: occurredAt, kind and receipt
times; closed sockets; errors), `QUIT` closes every socket and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections import defaultdict
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol


class Subscriber:
    def __init__(self, index: int) -> None:
        self.index = index
        self.received: list[tuple[float, str]] = []
        self.closed: int | None = None
        self.error: str | None = None


async def _subscribe(
    sub: Subscriber,
    url: str,
    token: str,
    query: str,
    variables: dict[str, Any],
    compression: bool,
    opened: asyncio.Semaphore,
) -> ClientConnection | None:
    async with opened:
        try:
            ws = await connect(
                url,
                subprotocols=[Subprotocol("graphql-transport-ws")],
                compression="deflate" if compression else None,
                ping_interval=None,
                open_timeout=60,
                max_size=2**22,
            )
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
                )
            )
            ack = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if ack.get("type") != "connection_ack":
                raise RuntimeError(f"no connection_ack: {ack}")
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": query, "variables": variables},
                    }
                )
            )
        except Exception as exc:
            sub.error = repr(exc)[:200]
            return None
    return ws


async def _read(sub: Subscriber, ws: ClientConnection) -> None:
    try:
        async for raw in ws:
            stamp = time.time()
            if isinstance(raw, bytes):
                raw = raw.decode()
            if raw.startswith('{"type":"ping"') or '"type":"ping"' in raw[:20]:
                await ws.send('{"type":"pong"}')
                continue
            sub.received.append((stamp, raw))
    except Exception as exc:
        sub.error = repr(exc)[:200]
    finally:
        sub.closed = ws.close_code if ws.close_code is not None else -1


def _stats(subs: list[Subscriber]) -> dict[str, Any]:
    events: dict[str, dict[str, Any]] = {}
    receipts: dict[str, list[float]] = defaultdict(list)
    other: dict[str, int] = defaultdict(int)
    for sub in subs:
        for stamp, raw in sub.received:
            try:
                message = json.loads(raw)
            except ValueError:
                other["unparsable"] += 1
                continue
            if message.get("type") != "next":
                other[str(message.get("type"))] += 1
                continue
            payload = message.get("payload") or {}
            if payload.get("errors"):
                other["graphql_errors"] += 1
            event = (payload.get("data") or {}).get("projectActivity") or {}
            event_id = event.get("eventId")
            if not event_id:
                other["no_event"] += 1
                continue
            if event_id not in events:
                events[event_id] = {
                    "kind": event.get("kind"),
                    "occurredAt": event.get("occurredAt"),
                }
            receipts[event_id].append(stamp)
    for event_id, info in events.items():
        info["receipts"] = receipts[event_id]
    closed: dict[str, int] = defaultdict(int)
    for sub in subs:
        if sub.closed is not None:
            closed[str(sub.closed)] += 1
    errors = sorted({sub.error for sub in subs if sub.error})[:5]
    return {"events": events, "other": other, "closed": closed, "errors": errors}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--tokens-file", required=True)
    parser.add_argument("--query-file", required=True)
    parser.add_argument("--variables", required=True)
    parser.add_argument("--no-compression", action="store_true")
    parser.add_argument("--offset", type=int, default=0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    tokens = [t for t in open(args.tokens_file).read().split() if t]  # noqa: ASYNC230
    query = open(args.query_file).read()  # noqa: ASYNC230
    variables = json.loads(args.variables)
    opened = asyncio.Semaphore(64)
    subs = [Subscriber(i) for i in range(args.count)]
    sockets = await asyncio.gather(
        *(
            _subscribe(
                s,
                args.url,
                tokens[(args.offset + s.index) % len(tokens)],
                query,
                variables,
                not args.no_compression,
                opened,
            )
            for s in subs
        )
    )
    readers = [
        asyncio.create_task(_read(s, ws))
        for s, ws in zip(subs, sockets, strict=True)
        if ws is not None
    ]
    failed = sum(1 for ws in sockets if ws is None)
    print(f"READY {args.count - failed} {failed}", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = (await reader.readline()).decode().strip()
        if line == "STATS":
            print("STATS " + json.dumps(_stats(subs)), flush=True)
        elif line in ("QUIT", ""):
            break
    closing = [asyncio.create_task(ws.close()) for ws in sockets if ws is not None]
    if closing:
        await asyncio.wait(closing, timeout=5)
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
