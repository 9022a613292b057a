"""The live fan-out (resolvers/live/table.py `FanOut`): one task per bus message serves the
idle subscribers, each `next` pre-encoded and written straight to the socket.

These tests serve the app with uvicorn and Luukku's WebSocket protocol (app/wsprotocol.py)
on a real socket, as `luukku serve` does, so that the direct writes are what runs. Next to
the deployed /graphql, /graphql-unparked serves the same app with Strawberry's own
graphql-transport-ws handler: no parking, no fan-out, Strawberry's `next` messages as they
were before. Each role subscribes on both with the same operation id, and the two sockets
must receive the same bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
import uvicorn
from starlette.routing import WebSocketRoute
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from actions import authority as authority_actions
from actions.identity import token_issue
from app.main import LuukkuGraphQL, create_app
from app.wsprotocol import LightWebSocketProtocol
from models import AuditEntry, Person, Thread
from models.statuses import ApplicationStatus
from notifications.events import project_channel
from resolvers.live.table import FanOut, next_frame
from tests.factories import gid, make_application, make_customer, make_handler, make_project
from tests.servers import free_port, serving
from tests.subscriptions.wsclient import wait_subscribed

S = ApplicationStatus
ACTIVITY = """subscription($id: ID!) { projectActivity(projectId: $id) { kind occurredAt
  ... on ApplicationEvent { application { id status content { formData } } }
  ... on MessagePostedEvent { message { body } } } }"""
OPERATION_ID = 'op "1" ä'  # the id is spliced into the frame: quotes and non-ASCII too


def _app() -> Any:
    app = create_app(manage_db=False)
    view = next(
        r.endpoint for r in app.routes if isinstance(r, WebSocketRoute) and r.path == "/graphql"
    )
    assert isinstance(view, LuukkuGraphQL)
    unparked = copy.copy(view)
    unparked.graphql_transport_ws_handler_class = cast(Any, BaseGraphQLTransportWSHandler)
    app.router.routes.append(WebSocketRoute("/graphql-unparked", unparked))
    return app


@contextlib.asynccontextmanager
async def served() -> AsyncIterator[str]:
    """The app on a real socket, served by uvicorn with Luukku's WebSocket protocol."""
    port = free_port()
    config = uvicorn.Config(
        _app(),
        host="127.0.0.1",
        port=port,
        ws=LightWebSocketProtocol,
        lifespan="off",
        log_level="warning",
    )
    async with serving(config) as url:
        yield url.replace("http://", "ws://", 1)


@contextlib.asynccontextmanager
async def subscribed(url: str, token: str, project_id: int) -> AsyncIterator[ClientConnection]:
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(
            orjson.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            ).decode()
        )
        ack = orjson.loads(await asyncio.wait_for(ws.recv(), 5))
        assert ack["type"] == "connection_ack", ack
        payload = {"query": ACTIVITY, "variables": {"id": gid("Project", project_id)}}
        message = {"id": OPERATION_ID, "type": "subscribe", "payload": payload}
        await ws.send(orjson.dumps(message).decode())
        yield ws


async def _frame(ws: ClientConnection, timeout: float = 5.0) -> str:
    """The next message as the server wrote it (pings answered)."""
    while True:
        text = await asyncio.wait_for(ws.recv(), timeout)
        assert isinstance(text, str)  # graphql-transport-ws messages are text frames
        kind = orjson.loads(text)["type"]
        if kind == "ping":
            await ws.send('{"type":"pong"}')
        elif kind != "pong":
            return text


async def _nothing(ws: ClientConnection, wait: float = 0.3) -> None:
    with contextlib.suppress(TimeoutError):
        text = await _frame(ws, wait)
        raise AssertionError(f"unexpected message: {text}")


def test_a_next_frame_is_the_message_strawberry_would_encode() -> None:
    view = LuukkuGraphQL(create_app.__globals__["schema"])
    for payload in (
        {"data": {"projectActivity": {"kind": "STATUS_CHANGED", "name": 'å "x" \\ ✓'}}},
        {"data": None, "errors": [{"message": "no", "path": ["a", 0], "extensions": {}}]},
    ):
        for operation_id in ("1", OPERATION_ID, "\u2028</script>"):
            message = {"id": operation_id, "type": "next", "payload": payload}
            expected = view.encode_json(message).encode()
            assert next_frame(operation_id, orjson.dumps(payload)) == expected


async def test_each_audience_gets_the_bytes_strawberry_sent_without_a_task_each(db: str) -> None:
    """Customer, the addressed authority's handlers (content audited for each), another
    involved authority, and an outsider who may see nothing: the same bytes as through
    Strawberry's own handler; the fan-out serves them all without a task of their own."""
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    police_b = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
    await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
    rescue = await make_handler("helsinki-rescue")
    outsider = await make_handler("tampere-building-control")
    viewers = [customer, police, police_b, rescue, outsider]
    async with served() as url, contextlib.AsyncExitStack() as stack:
        parked = [
            await stack.enter_async_context(subscribed(url + "/graphql", v.token, project_id))
            for v in viewers
        ]
        unparked = [
            await stack.enter_async_context(
                subscribed(url + "/graphql-unparked", v.token, project_id)
            )
            for v in viewers
        ]
        await wait_subscribed(project_channel(project_id), 2 * len(viewers))
        at_once, handed_off = FanOut.served_at_once, FanOut.handed_off
        tasks = len(asyncio.all_tasks())
        await authority_actions.application_status_update(
            police.viewer, app_id, 3, S.IN_PROGRESS, ""
        )
        seen = list(zip(parked[:-1], unparked[:-1], strict=True))
        for ws_parked, ws_unparked in seen:
            assert await _frame(ws_parked) == await _frame(ws_unparked)
        thread = await Thread.get(project_id=project_id, application_id=None)
        await authority_actions.message_post(customer.viewer, thread.id, 'moi "kaikki" ✓')
        for ws_parked, ws_unparked in seen:
            assert await _frame(ws_parked) == await _frame(ws_unparked)
        await _nothing(parked[-1])
        await _nothing(unparked[-1])
        # every parked subscriber was served at once, without a task (the outsider's
        # events skipped), except where a content read is audited: a task writes those
        audited = 3  # police, police_b, rescue: the status change's content
        assert FanOut.served_at_once - at_once == 2 * len(viewers) - audited
        assert FanOut.handed_off == handed_off
        await asyncio.sleep(0.1)
        assert len(asyncio.all_tasks()) == tasks  # no task left behind
    readers = [
        e.actor_id or 0 for e in await AuditEntry.filter(action="CONTENT_READ", object_id=app_id)
    ]
    # each reader once per socket: the parked one and the unparked one
    assert sorted(readers) == sorted(2 * [police.person_id, police_b.person_id, rescue.person_id])


async def test_a_subscriber_whose_token_expired_gets_nothing_and_4403(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    person = await Person.get(id=customer.person_id)
    short = await token_issue(
        label="short", person=person, expires_at=datetime.now(UTC) + timedelta(seconds=1)
    )
    async with (
        served() as url,
        subscribed(url + "/graphql", customer.token, project_id) as valid,
        subscribed(url + "/graphql", short, project_id) as expiring,
    ):
        await wait_subscribed(project_channel(project_id), 2)
        await asyncio.sleep(1.1)
        thread = await Thread.get(project_id=project_id, application_id=None)
        await authority_actions.message_post(customer.viewer, thread.id, "vain voimassa")
        frame = orjson.loads(await _frame(valid))
        assert frame["payload"]["data"]["projectActivity"]["message"]["body"] == "vain voimassa"
        try:
            text = await _frame(expiring)
            raise AssertionError(f"an expired token received {text}")
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4403
