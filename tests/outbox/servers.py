"""Real peers for the outbox tests: an SMTP server (aiosmtpd) and an HTTP endpoint (uvicorn),
both on 127.0.0.1, that can fail, stall or vanish on demand."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import orjson
import uvicorn
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifications.webhooks import verify
from tests.servers import free_port, serving


@dataclass
class MailSink:
    """aiosmtpd handler: keeps every message; can refuse with 451 while `failing`."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)
    failing: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.failing:
            return "451 Requested action aborted: try again later"
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server(sink: MailSink) -> Iterator[int]:
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@dataclass
class Receiver:
    """An authority system's endpoint: verifies signatures and applies each event once."""

    secret: str
    fail_next: int = 0
    status_when_failing: int = 500
    stall_seconds: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)  # every valid request
    applied: dict[str, dict[str, Any]] = field(default_factory=dict)  # by webhook-id, once
    headers: list[dict[str, str]] = field(default_factory=list)
    bad_signatures: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        if not verify(self.secret, headers, body):
            self.bad_signatures += 1
            return Response(status_code=401)
        if self.fail_next > 0:
            self.fail_next -= 1
            return Response(status_code=self.status_when_failing)
        event = orjson.loads(body)
        self.received.append(event)
        self.headers.append(headers)
        if self.stall_seconds:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.released.wait(), self.stall_seconds)
        self.applied.setdefault(headers["webhook-id"], event)
        return Response(status_code=204)


@contextlib.asynccontextmanager
async def http_endpoint(receiver: Receiver, port: int | None = None) -> AsyncIterator[str]:
    port = port or free_port()
    app = Starlette(routes=[Route("/events", receiver.endpoint, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    async with serving(config) as url:
        yield f"{url}/events"
