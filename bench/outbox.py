"""The outbox: how many items one worker delivers per second, and the latency it adds.

Runs against the benchmark database with a real SMTP server (aiosmtpd) and a real HTTP
endpoint (uvicorn) on 127.0.0.1, both accepting everything at once:

- throughput: `items` e-mails and `items` deliveries are queued, then one worker drains
  them (per kind, items per second, with the worker's batch size and concurrency);
- latency: items are written one at a time in their own transaction, the way an action
  writes them, and timed from the commit to their arrival: with the worker in the same
  process (woken by the commit) and as a separate `luukku worker` (polling).

Everything it adds is deleted afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actions import outbox as outbox_actions
from actions.base import atomic
from app.db import close_db, init_db
from app.worker import OutboxWorker
from models import KeptMail, Organisation, OutboxItem
from models.outbox import OutboxKind
from models.settings import get_settings
from notifications.mail import render

ROOT = Path(__file__).resolve().parent.parent
LUUKKU = str(ROOT / ".venv" / "bin" / "luukku")
TOPIC = "bench.outbox"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """Receives mails and deliveries and notes when each arrived, by event id."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for line in envelope.content.decode(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                # <EVENT_ID@luukku.invalid> (notifications.mail.message_id)
                key = line.split("<", 1)[-1].split("@", 1)[0]
                self.arrived.setdefault(key, time.monotonic())
                break
        return "250 OK"

    async def endpoint(self, request: Request) -> Response:
        event_id = request.headers.get("webhook-id", "")
        await request.body()
        self.arrived.setdefault(event_id, time.monotonic())
        return Response(status_code=204)


def _mail_payload() -> dict[str, str]:
    mail = render(
        "authority.submitted",
        "fi",
        "bench@demo.luukku.example",
        permit="Yleisötilaisuusilmoitus",
        project="Benchmark",
        authority="Poliisi",
        municipality="Helsinki",
        link="http://127.0.0.1/ui/authority/applications/x",
    )
    return mail.__dict__


async def _queue(kind: OutboxKind, count: int, authority_id: int) -> list[str]:
    ids = [uuid.uuid4().hex for _ in range(count)]
    now = outbox_actions.now()
    payload: dict[str, Any] = (
        _mail_payload()
        if kind == OutboxKind.EMAIL
        else {"data": {"bench": True}, "subject": "bench"}
    )
    await OutboxItem.bulk_create(
        [
            OutboxItem(
                kind=kind,
                event_id=i,
                topic=TOPIC,
                authority_id=authority_id,
                payload=payload,
                next_attempt_at=now,
            )
            for i in ids
        ],
        batch_size=500,
    )
    return ids


async def _one(kind: OutboxKind, authority_id: int) -> tuple[str, float]:
    """One item written like an action writes it; returns its id and the commit time."""
    payload: dict[str, Any] = (
        _mail_payload()
        if kind == OutboxKind.EMAIL
        else {"data": {"bench": True}, "subject": "bench"}
    )
    async with atomic() as tx:
        item = await outbox_actions.add_item(
            tx, kind, TOPIC, payload, authority_id=authority_id, application_id=None
        )
    return item.event_id, time.monotonic()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _latencies(
    sink: Sink, kind: OutboxKind, authority_id: int, count: int
) -> dict[str, float]:
    waits: list[float] = []
    for _ in range(count):
        event_id, committed = await _one(kind, authority_id)
        deadline = time.monotonic() + 30
        while event_id not in sink.arrived and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        if event_id in sink.arrived:
            waits.append((sink.arrived[event_id] - committed) * 1000)
        await asyncio.sleep(0.02)
    return {
        "count": len(waits),
        "lost": count - len(waits),
        "p50_ms": statistics.median(waits) if waits else float("nan"),
        "p99_ms": _pct(waits, 0.99),
    }


async def run(url: str, items: int, log: Any) -> dict[str, Any]:
    """The outbox benchmark against database `url`."""
    sink = Sink()
    smtp_port, http_port = _free_port(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    app = Starlette(routes=[Route("/events", sink.endpoint, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=http_port, log_level="warning", lifespan="off")
    )
    serving = asyncio.create_task(server.serve())
    await init_db(url)
    results: dict[str, Any] = {"items": items}
    try:
        settings = replace(
            get_settings(),
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            smtp_tls="none",
            outbox_batch_size=50,
            outbox_poll_seconds=1.0,
        )
        from models import settings as settings_module

        settings_module._settings = settings
        authority = await Organisation.get(code="helsinki-public-areas")
        saved = (authority.system_endpoint, authority.system_secrets)
        authority.system_endpoint = f"http://127.0.0.1:{http_port}/events"
        authority.system_secrets = ["whsec_" + "QkVOQ0hNQVJLU0VDUkVUMTIzNDU2Nzg5MA=="]
        await authority.save()
        worker = OutboxWorker(settings)
        for kind in (OutboxKind.DELIVERY, OutboxKind.EMAIL):
            ids = await _queue(kind, items, authority.id)
            started = time.monotonic()
            await worker.drain(rounds=10_000)
            seconds = time.monotonic() - started
            arrived = sum(1 for i in ids if i in sink.arrived)
            results[kind.value.lower()] = {
                "items": items,
                "seconds": seconds,
                "per_s": items / seconds,
                "arrived": arrived,
            }
            log(
                f"outbox: {items} {kind.value.lower()} items in {seconds:.1f} s ({items / seconds:.0f}/s), {arrived} arrived"
            )
        worker.start()  # in this process: woken by each commit
        try:
            results["latency_in_process"] = {
                k.value.lower(): await _latencies(sink, k, authority.id, 50)
                for k in (OutboxKind.DELIVERY, OutboxKind.EMAIL)
            }
        finally:
            await worker.stop()
        log(f"outbox: commit → delivery, in-process worker: {results['latency_in_process']}")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "SMTP_TLS": "none",
            "OUTBOX_POLL_MS": "200",
        }
        separate = subprocess.Popen(
            [LUUKKU, "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            await asyncio.sleep(2)
            results["latency_separate_worker"] = {
                k.value.lower(): await _latencies(sink, k, authority.id, 30)
                for k in (OutboxKind.DELIVERY, OutboxKind.EMAIL)
            }
            results["separate_poll_ms"] = 200
        finally:
            separate.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                separate.wait(20)
        log(
            f"outbox: commit → delivery, separate worker polling every 200 ms: {results['latency_separate_worker']}"
        )
        authority.system_endpoint, authority.system_secrets = saved
        await authority.save()
    finally:
        await OutboxItem.filter(topic=TOPIC).delete()
        await KeptMail.filter(
            subject__startswith="Uusi hakemus: Yleisötilaisuusilmoitus – Benchmark"
        ).delete()
        await close_db()
        server.should_exit = True
        await serving
        controller.stop()
    return results


if __name__ == "__main__":
    import sys

    out = asyncio.run(run(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000, print))
    print(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())
