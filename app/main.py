"""The ASGI application: `create_app()` wires Starlette, Strawberry and the database."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import signal
import threading
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.websocket_origin import is_same_origin, normalize_origin
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import CompleteMessage, Message
from strawberry.types.unset import UNSET, UnsetType
from strawberry.utils.aio import aclosing

from actions.scanning import get_scanner
from actions.signin import viewer_for_session
from actions.storage import close_storage, get_storage
from app import graphiql, signin, web
from app.context import build_context, viewer_cache, viewer_for_bearer, viewer_from_authorization
from app.db import close_db, init_db
from app.downloads import download
from app.live import live_connections
from app.security import SecurityHeaders
from app.signin import delete_session_cookie, session_cookie
from app.throttle import Throttled, throttle, throttled_response
from app.uploads import BadMultipart, UploadRequestAdapter, map_files
from app.worker import OutboxWorker
from app.wsprotocol import LightWebSocketProtocol
from models.settings import Settings, get_settings
from notifications.bus import start_bus, stop_bus
from permissions.facts import ANONYMOUS, Viewer
from resolvers.context import Context
from resolvers.live.table import LiveEntry, Parking, parking
from resolvers.viewer import bearer_token
from schema.root import schema

log = logging.getLogger("luukku")

MAX_BODY_BYTES = 1024 * 1024
#: on_ws_connect's answer when connection_ack carries no payload (Strawberry types UNSET as Any)
ACK_WITHOUT_PAYLOAD: UnsetType = UNSET


class BodyLimit:
    """Refuse request bodies over MAX_BODY_BYTES with 413, before anything reads them.
    Multipart requests (uploads) have their own, larger limit: ATTACHMENT_MAX_REQUEST_BYTES."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY_BYTES, multipart_limit: int | None = None
    ) -> None:
        self.app = app
        self.default_limit = limit
        self.multipart_limit = limit if multipart_limit is None else multipart_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
        limit = (
            self.multipart_limit if content_type == b"multipart/form-data" else self.default_limit
        )
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(scope, receive, send, limit)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(scope, receive, send, limit)


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


#: the operation texts of live subscriptions, one copy each (most sockets send the same few)
_OPERATION_TEXTS: dict[str, str] = {}
_MAX_OPERATION_TEXTS = 1024
_MAX_SHARED_TEXT = 16 * 1024


def shared_text(text: object) -> object:
    """The one kept copy of an operation text equal to `text` (texts over 16 KB as they are)."""
    if not isinstance(text, str) or len(text) > _MAX_SHARED_TEXT:
        return text
    kept = _OPERATION_TEXTS.get(text)
    if kept is None:
        if len(_OPERATION_TEXTS) >= _MAX_OPERATION_TEXTS:
            _OPERATION_TEXTS.clear()
        kept = _OPERATION_TEXTS[text] = text
    return kept


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """Strawberry's graphql-transport-ws handler, for sockets Luukku closes itself, and with
    less kept per idle socket.

    A subscription closes its socket when the viewer's access ends (4403) or the bus is lost
    (1012), and then ends; Strawberry would still send the operation's `complete`, which
    Starlette refuses on a closed socket, and log that as an exception for every socket.
    Once the socket is closed there is nothing to send, so messages are dropped instead.

    Memory (bench/idle.py): a live subscription parks once started (resolvers/live/table.py):
    its operation's task, with Strawberry's and graphql-core's state, ends without a
    `complete`, and the entry it left in the bus's table delivers its events from then on;
    the client's `complete` or the socket's end removes it. The connection-init timer's task
    and the connection's parameters are let go once connection_init is handled, and equal
    operation texts (thousands of clients subscribe with the same document) share one copy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parked: dict[str, LiveEntry] = {}

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Strawberry's, in a task that offers parking; a parked subscription sends its own
        messages from then on."""
        offered = Parking(operation.id, operation.send_operation_message, self.parked, self)
        parking.set(offered)  # this operation's own task
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            if offered.entry is not None:
                operation.task = None  # finished; the entry is the subscription now
                return
            await operation.send_operation_message(
                CompleteMessage(id=operation.id, type="complete")
            )
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise

    async def cleanup_operation(self, operation_id: str) -> None:
        entry = self.parked.get(operation_id)
        operation = self.operations.get(operation_id)
        if entry is None and (operation is None or operation.task is not None):
            await super().cleanup_operation(operation_id)
            return
        self.operations.pop(operation_id, None)  # parked, or parked and ended by itself
        if entry is not None:
            await entry.stop()

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_init_received:  # the timer was cancelled
            self.connection_init_timeout_task = None
            # read by on_ws_connect only, and it holds the credential
            self.context.connection_params = None

    async def handle_subscribe(self, message: Any) -> None:
        payload = message.get("payload")
        if isinstance(payload, dict) and "query" in payload:
            payload["query"] = shared_text(payload["query"])
        await super().handle_subscribe(message)

    async def send_message(self, message: Message) -> None:
        if self._closed():
            return
        await super().send_message(message)

    def _closed(self) -> bool:
        socket = getattr(self.websocket, "ws", None)
        return isinstance(socket, WebSocket) and WebSocketState.DISCONNECTED in (
            socket.application_state,
            socket.client_state,
        )

    def write_frame_now(self, frame: bytes) -> bool:
        """A parked subscription's encoded message (JSON text), written to the socket at
        once if it can take it now (app/wsprotocol.py); False, and nothing sent, otherwise.
        The live fan-out sends most events this way, without a task or an await each."""
        socket = getattr(self.websocket, "ws", None)
        if not isinstance(socket, WebSocket) or socket.application_state is not (
            WebSocketState.CONNECTED
        ):
            return False
        # Starlette keeps the server's ASGI `send`; under `luukku serve` it is the protocol's
        protocol = getattr(getattr(socket, "_send", None), "__self__", None)
        return isinstance(protocol, LightWebSocketProtocol) and protocol.write_text_now(frame)

    async def send_frame(self, frame: bytes) -> None:
        """The same message sent the usual way: as `send_message` sends an encoded one."""
        if self._closed():
            return
        socket = getattr(self.websocket, "ws", None)
        if not isinstance(socket, WebSocket):
            await self.websocket.send_json(orjson.loads(frame))
            return
        try:
            await socket.send_text(frame.decode())
        except WebSocketDisconnect as exc:  # as Strawberry's send_json reports it
            raise WebSocketDisconnected from exc


class LuukkuGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with Luukku's context, auth, uploads and offline GraphiQL."""

    request_adapter_class = UploadRequestAdapter

    graphql_transport_ws_handler_class = TransportWSHandler

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        if isinstance(request, WebSocket):
            return build_context(request, ANONYMOUS)
        authorization = request.headers.get("authorization")
        cookie = None if authorization else session_cookie(request)
        if cookie is not None:
            if not same_origin_or_allowed(request):
                raise _ForbiddenOrigin
            viewer = await _session_viewer(request, cookie)
            if viewer is None:
                raise _InvalidSession
            context = build_context(request, viewer)
            context.csrf_missing = request.headers.get("x-luukku-csrf") != "1"
        else:
            bearer = await _authenticate(request, authorization)
            if bearer is None:
                raise _InvalidToken
            context = build_context(request, bearer)
        if not context.viewer.is_authenticated and _is_multipart(request):
            # before the body is read: uploads are for signed-in users only
            raise _Refused(401, "UNAUTHENTICATED", "Sign in to upload files.")
        context.response = response
        return context

    def decode_json(self, data: str | bytes) -> object:
        # HTTP bodies are already limited (BodyLimit); this bounds WebSocket messages too,
        # in case the server in front did not (uvicorn's ws_max_size, set by `luukku serve`)
        if len(data) > get_settings().ws_max_message_bytes:
            raise json.JSONDecodeError("message too large", "", 0)
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        # str, not bytes: graphql-transport-ws messages must be text frames
        return orjson.dumps(data).decode()

    async def parse_multipart(self, request: Any) -> dict[str, str]:
        try:
            form_data = await request.get_form_data()
            form = form_data.form
            operations, files_map = form.get("operations"), form.get("map")
            if not isinstance(operations, str) or not isinstance(files_map, str):
                raise BadMultipart("the 'operations' and 'map' fields are required, as text")
            try:
                parsed, mapping = orjson.loads(operations), orjson.loads(files_map)
            except orjson.JSONDecodeError as exc:
                raise BadMultipart("'operations' and 'map' must be JSON") from exc
            return map_files(parsed, mapping, form)
        except BadMultipart as exc:
            raise _Refused(400, "BAD_MULTIPART", f"Bad multipart request: {exc.message}.") from exc

    def run(
        self, request: Any, context: Any = UNSET, root_value: Any = UNSET
    ) -> Coroutine[Any, Any, Any]:
        if not isinstance(request, Request):  # a WebSocket: no frame of ours kept while open
            return super().run(request, context, root_value)
        return self._run_http(request, context, root_value)

    async def _run_http(self, request: Request, context: Any, root_value: Any) -> Any:
        try:
            return await super().run(request, context, root_value)
        finally:
            form = getattr(request.state, "luukku_form", None)
            if form is not None:  # the uploads' temporary files, at once (not at the next GC)
                await form.close()

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object.")
        return parsed

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """graphql-transport-ws: authenticate from connectionParams.authorization, or else by
        the session cookie of a same-origin page."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        assert context.request is not None
        if not isinstance(header, str) or not header.strip():
            cookie = session_cookie(context.request)
            if cookie is None:
                raise ConnectionRejectionError({"message": "connection_init needs authorization"})
            if not same_origin(context.request):
                raise ConnectionRejectionError({"message": "the session works on this origin only"})
            try:
                session_viewer = await _session_viewer(context.request, cookie)
            except Throttled as exc:
                raise ConnectionRejectionError(
                    {"message": "too many failed sign-ins", "retryAfter": exc.retry_after}
                ) from None
            if session_viewer is None:
                raise ConnectionRejectionError({"message": "the session has ended; sign in again"})
            fresh = build_context(context.request, session_viewer)
            context.viewer, context.language = fresh.viewer, fresh.language
            live_connections.register(context, cookie, viewer_for_session)
            return ACK_WITHOUT_PAYLOAD
        try:
            viewer = await _authenticate(context.request, header)
        except Throttled as exc:
            raise ConnectionRejectionError(
                {"message": "too many failed sign-ins", "retryAfter": exc.retry_after}
            ) from exc
        if viewer is None or not viewer.is_authenticated:
            raise ConnectionRejectionError({"message": "invalid, expired or revoked token"})
        fresh = build_context(context.request, viewer)
        context.viewer, context.language = fresh.viewer, fresh.language
        live_connections.register(
            context, header.strip().partition(" ")[2].strip(), viewer_for_bearer
        )
        return ACK_WITHOUT_PAYLOAD

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        page = graphiql.localize(self.graphql_ide_html)
        return HTMLResponse(page, headers={"Content-Security-Policy": graphiql.csp(page)})

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Coroutine[Any, Any, None]:
        if scope["type"] != "http":  # a WebSocket: no frame of ours kept while it is open
            return super().__call__(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response: Response = await self.run(Request(scope=scope, receive=receive))
            await response(scope, receive, send)
        except HTTPException as exc:  # malformed requests: coded JSON, like every other error
            await _refusal(
                exc.status_code, _HTTP_CODES.get(exc.status_code, "BAD_REQUEST"), exc.reason
            )(scope, receive, send)
        except Throttled as exc:
            await throttled_response(exc)(scope, receive, send)
        except _Refused as refused:
            await _refusal(refused.status, refused.code, refused.message)(scope, receive, send)
        except _InvalidSession:
            response = _refusal(
                401,
                "SESSION_ENDED",
                "The session has ended (signed out, expired or idle). Sign in again at /auth/login.",
            )
            delete_session_cookie(response)
            await response(scope, receive, send)
        except _ForbiddenOrigin:
            await _refusal(
                403,
                "FORBIDDEN_ORIGIN",
                "The session cookie is accepted only from this origin and ALLOWED_ORIGINS.",
            )(scope, receive, send)
        except _InvalidToken:
            await _refusal(
                401,
                "UNAUTHENTICATED",
                "The bearer token is invalid, expired or revoked.",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )(scope, receive, send)


def _refusal(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A request refused before GraphQL runs: one coded top-level error."""
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


class _InvalidToken(Exception):
    pass


_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


async def _authenticate(request: Request | WebSocket, header: str | None) -> Viewer | None:
    """The viewer of an Authorization header (None: invalid). A token this process does not
    know yet is looked up only while the client address is under THROTTLE_AUTH, and a
    failed lookup counts against it."""
    token = bearer_token(header)
    if header is None or not header.strip() or (token is not None and viewer_cache.get(token)):
        return await viewer_from_authorization(header)
    await throttle.check(request, "auth")
    viewer = await viewer_from_authorization(header)
    if viewer is None:
        await throttle.failed(request, "auth")
    return viewer


async def _session_viewer(request: Request | WebSocket, cookie: str) -> Viewer | None:
    """The viewer of a session cookie (None: ended or forged). A failed lookup counts against
    the client address under THROTTLE_AUTH, and once over it the answer is 429 (Throttled):
    valid sessions pay no throttle lookup."""
    viewer = await viewer_for_session(cookie)
    if viewer is None:
        await throttle.failed(request, "auth")
        await throttle.check(request, "auth")
    return viewer


class _Refused(Exception):
    """A request refused before execution, with a coded error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message
        super().__init__(message)


def _is_multipart(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


class _InvalidSession(Exception):
    pass


class _ForbiddenOrigin(Exception):
    pass


def _origin(request: Request | WebSocket) -> str | None:
    return request.headers.get("origin")


def same_origin(request: Request | WebSocket) -> bool:
    """No Origin (not a browser), or the page is on this server's own origin."""
    origin = _origin(request)
    if origin is None:
        return True
    if request.headers.get("sec-fetch-site") == "same-origin":
        return True
    public = urlsplit(get_settings().public_base_url)
    if normalize_origin(origin) == f"{public.scheme}://{public.netloc}":
        return True
    return is_same_origin(origin, request.headers.get("host"))


def same_origin_or_allowed(request: Request) -> bool:
    origin = _origin(request)
    return same_origin(request) or (
        origin is not None and normalize_origin(origin) in get_settings().allowed_origins
    )


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


CLOSE_GOING_AWAY = 1001


def close_sockets_on_signals() -> None:
    """On SIGTERM or SIGINT, first close every live socket with 1001 (going away), then let
    the server (uvicorn, whose handlers these wrap) shut down: otherwise it would cut them
    with 1012 and wait for them. Only in the main thread, where signals arrive."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if not callable(previous):
            continue

        def handler(number: int, frame: Any, previous: Any = previous) -> None:
            async def going_away() -> None:
                try:
                    await asyncio.wait_for(
                        live_connections.close_all(CLOSE_GOING_AWAY, "Server shutting down"), 2
                    )
                except Exception:
                    log.exception("closing live sockets on shutdown")
                finally:
                    previous(number, frame)

            loop.call_soon_threadsafe(lambda: _shutdown_tasks.add(loop.create_task(going_away())))

        signal.signal(signum, handler)


_shutdown_tasks: set[asyncio.Task[None]] = set()


async def start_services(settings: Settings) -> None:
    """The pub/sub bus, the live connections' watchers and, unless OUTBOX_IN_PROCESS=false,
    the outbox worker (after the database)."""
    global _worker
    await start_bus(settings.broadcast_url)
    throttle.configure(settings)
    await get_storage().open()
    if not get_scanner().enabled:
        log.warning(
            "virus scanning is OFF (ATTACHMENT_SCANNER=none): uploaded files are marked "
            "NOT_SCANNED and served unscanned"
        )
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
    await throttle.close()
    await stop_bus()
    await close_storage()


class LuukkuApp(Starlette):
    """Starlette, with the GraphQL WebSocket handed straight to the GraphQL view.

    Every middleware here and Starlette's own (errors, exceptions, routing) pass WebSockets
    through untouched, but each still keeps a suspended frame per open socket for as long as
    it is open, which adds up over thousands of idle live connections (bench/idle.py).
    Strawberry's view accepts, closes and reports errors on the socket itself."""

    def __init__(self, graphql_view: ASGIApp, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graphql_view = graphql_view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # (a coroutine function: servers tell ASGI 3 applications by it)
        if scope["type"] == "websocket" and scope["path"] == GRAPHQL_PATH:
            scope["app"] = self
            await self.graphql_view(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


GRAPHQL_PATH = "/graphql"


def create_app(
    settings: Settings | None = None,
    *,
    manage_db: bool = True,
    graphql_schema: Schema | None = None,
) -> Starlette:
    """The application. `manage_db=False` leaves the database and services to the caller
    (tests start them once per session); `graphql_schema` replaces `schema.root.schema`
    (the sameness tests serve one built with the other executor)."""
    settings = settings or get_settings()
    view = LuukkuGraphQL(
        graphql_schema or schema,
        graphql_ide="graphiql" if settings.graphiql else None,
        # a socket must authenticate within 10 s (Strawberry's default is a minute)
        connection_init_wait_timeout=timedelta(seconds=10),
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        allowed_origins=list(settings.allowed_origins),
        keep_alive=True,
        keep_alive_interval=15,
        multipart_uploads_enabled=True,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await init_db(settings.database_url)
            await start_services(settings)
            close_sockets_on_signals()
        try:
            yield
        finally:
            if manage_db:
                try:  # bounded: a service that does not stop must not keep the process
                    await asyncio.wait_for(stop_services(), settings.shutdown_timeout)
                except TimeoutError:
                    log.error("services did not stop in %s s", settings.shutdown_timeout)
                await close_db()

    return LuukkuApp(
        view,
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            WebSocketRoute(GRAPHQL_PATH, view),  # under a root_path (LuukkuApp takes the rest)
            Route(graphiql.ASSETS_PREFIX + "{name:path}", graphiql.asset),
            Route("/attachments/{id}", download, methods=["GET", "HEAD"]),
            Route("/healthz", health),
            *signin.routes,
            Route(web.PREFIX, web.page, methods=["GET", "HEAD"]),
            Route(web.PREFIX + "/{path:path}", web.page, methods=["GET", "HEAD"]),
        ],
        middleware=[
            # CSP, nosniff, frame and referrer policies, HSTS over TLS: on every response
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, multipart_limit=settings.attachment_max_request_bytes),
            # Single-page clients on other origins (ALLOWED_ORIGINS); none by default.
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "Accept-Language",
                    "X-Luukku-CSRF",
                    "Range",
                ],
                expose_headers=["Content-Disposition", "Content-Range", "Accept-Ranges"],
                allow_credentials=True,
                max_age=600,
            ),
        ],
        lifespan=lifespan,
    )
