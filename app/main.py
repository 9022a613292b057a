"""The ASGI application: `create_app()` wires Starlette, Strawberry and the database."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.base import HTTPException
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message
from strawberry.types.unset import UNSET, UnsetType

from app import graphiql
from app.context import build_context, viewer_from_authorization
from app.db import close_db, init_db
from app.live import live_connections
from app.settings import Settings, get_settings
from app.worker import OutboxWorker
from notifications.bus import start_bus, stop_bus
from permissions.facts import ANONYMOUS
from resolvers.context import Context
from schema.root import schema

log = logging.getLogger("luukku")

MAX_BODY_BYTES = 1024 * 1024


class BodyLimit:
    """Refuse request bodies over MAX_BODY_BYTES with 413, before anything reads them."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(scope, receive, send, self.limit)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(scope, receive, send, self.limit)


class _BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = JSONResponse(
        {
            "errors": [
                {
                    "message": f"Request body over {limit} bytes.",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                }
            ]
        },
        status_code=413,
    )
    await response(scope, receive, send)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """Strawberry's graphql-transport-ws handler, for sockets Luukku closes itself.

    A subscription closes its socket when the viewer's access ends (4403) or the bus is lost
    (1012), and then ends; Strawberry would still send the operation's `complete`, which
    Starlette refuses on a closed socket, and log that as an exception for every socket.
    Once the socket is closed there is nothing to send, so messages are dropped instead."""

    async def send_message(self, message: Message) -> None:
        socket = getattr(self.websocket, "ws", None)
        if isinstance(socket, WebSocket) and WebSocketState.DISCONNECTED in (
            socket.application_state,
            socket.client_state,
        ):
            return
        await super().send_message(message)


class LuukkuGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with Luukku's context, auth and offline GraphiQL."""

    graphql_transport_ws_handler_class = TransportWSHandler

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:  # type: ignore[override]
        if isinstance(request, WebSocket):
            return build_context(request, ANONYMOUS)
        viewer = await viewer_from_authorization(request.headers.get("authorization"))
        if viewer is None:
            raise _InvalidToken
        context = build_context(request, viewer)
        context.response = response
        return context

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        # str, not bytes: graphql-transport-ws messages must be text frames
        return orjson.dumps(data).decode()

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object.")
        return parsed

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:  # type: ignore[override]
        """graphql-transport-ws: authenticate from connectionParams.authorization."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if not isinstance(header, str) or not header.strip():
            raise ConnectionRejectionError({"message": "connection_init needs authorization"})
        viewer = await viewer_from_authorization(header)
        if viewer is None or not viewer.is_authenticated:
            raise ConnectionRejectionError({"message": "invalid, expired or revoked token"})
        assert context.request is not None
        fresh = build_context(context.request, viewer)
        context.viewer, context.language = fresh.viewer, fresh.language
        live_connections.register(context, header.strip().partition(" ")[2].strip())
        return UNSET

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql.localize(self.graphql_ide_html))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except _InvalidToken:
            response = JSONResponse(
                {
                    "errors": [
                        {
                            "message": "The bearer token is invalid, expired or revoked.",
                            "extensions": {"code": "UNAUTHENTICATED"},
                        }
                    ]
                },
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
            await response(scope, receive, send)


class _InvalidToken(Exception):
    pass


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


_worker: OutboxWorker | None = None


def tune_gc(settings: Settings) -> None:
    """Keep the collector off the start-up heap and run it less often.

    Nearly all of a request's garbage is freed by reference counting; the cyclic collector
    still scanned every object of the application (schema, models, caches) on each full
    collection, which took a third of the CPU and paused requests for 100 ms and more
    (bench/README.md). Start-up objects are frozen out of its reach, and the young
    generation's threshold is raised (GC_THRESHOLD, "0" keeps Python's defaults)."""
    gc.collect()
    gc.freeze()
    if settings.gc_threshold:
        gc.set_threshold(*settings.gc_threshold)


async def start_services(settings: Settings) -> None:
    """The pub/sub bus, the live connections' watchers and, unless OUTBOX_IN_PROCESS=false,
    the outbox worker (after the database)."""
    global _worker
    await start_bus(settings.broadcast_url)
    tune_gc(settings)
    live_connections.start(settings.live_recheck_seconds)
    if settings.outbox_in_process:
        _worker = OutboxWorker(settings)
        _worker.start()


async def stop_services() -> None:
    global _worker
    if _worker is not None:
        await _worker.stop()
        _worker = None
    await live_connections.stop()
    await stop_bus()


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """The application. `manage_db=False` leaves the database and services to the caller
    (tests start them once per session)."""
    settings = settings or get_settings()
    view = LuukkuGraphQL(
        schema,
        graphql_ide="graphiql",
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        allowed_origins=list(settings.allowed_origins),
        keep_alive=True,
        keep_alive_interval=15,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await init_db(settings.database_url)
            await start_services(settings)
        try:
            yield
        finally:
            if manage_db:
                await stop_services()
                await close_db()

    return Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route(graphiql.ASSETS_PREFIX + "{name:path}", graphiql.asset),
            Route("/healthz", health),
        ],
        middleware=[
            Middleware(BodyLimit),
            # Single-page clients on other origins (ALLOWED_ORIGINS); none by default.
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "Accept-Language"],
                max_age=600,
            ),
        ],
        lifespan=lifespan,
    )
