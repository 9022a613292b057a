"""Idle subscriptions are entries of the bus's table (resolvers/live/table.py), not tasks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from actions import authority as authority_actions
from models import Thread
from notifications.bus import get_bus
from notifications.events import project_channel
from resolvers.live import subscriptions
from resolvers.live.table import LiveEntry
from tests.factories import gid, make_customer, make_project
from tests.subscriptions.wsclient import Socket, connect, wait_subscribed, ws_client

ACTIVITY = """subscription($id: ID!) { projectActivity(projectId: $id) {
  kind ... on MessagePostedEvent { message { body } } } }"""


def _entries(channel: str) -> list[object]:
    return list(get_bus()._queues.get(channel, ()))


class Subscribed:
    """A customer's socket with one projectActivity subscription on their project."""

    def __init__(self, customer: Any, project_id: int, socket: Socket, op_id: str) -> None:
        self.customer = customer
        self.project_id = project_id
        self.socket = socket
        self.op_id = op_id
        self.channel = project_channel(project_id)

    async def subscribe(self, op_id: str | None = None) -> str:
        variables = {"id": gid("Project", self.project_id)}
        if op_id is None:
            return await self.socket.subscribe(ACTIVITY, variables)
        payload = {"query": ACTIVITY, "variables": variables}
        await self.socket.ws.send_json({"id": op_id, "type": "subscribe", "payload": payload})
        return op_id

    async def post(self, body: str) -> None:
        thread = await Thread.get(project_id=self.project_id, application_id=None)
        await authority_actions.message_post(self.customer.viewer, thread.id, body)


@contextlib.asynccontextmanager
async def subscribed() -> AsyncIterator[Subscribed]:
    customer = await make_customer()
    project_id = await make_project(customer)
    async with ws_client() as client, connect(client, customer.token) as socket:
        live = Subscribed(customer, project_id, socket, "")
        live.op_id = await live.subscribe()
        await wait_subscribed(live.channel)
        yield live


async def test_idle_subscriptions_keep_no_task_each(db: str) -> None:
    async with subscribed() as live:
        await asyncio.sleep(0.05)  # the first operation's task ends
        tasks = len(asyncio.all_tasks())
        for _ in range(5):
            await live.subscribe()
        await wait_subscribed(live.channel, 6)
        await asyncio.sleep(0.05)
        assert len(asyncio.all_tasks()) == tasks
        assert all(isinstance(entry, LiveEntry) for entry in _entries(live.channel))
        await live.post("hei")
        events = [(await live.socket.next())["payload"]["data"] for _ in range(6)]
        assert {e["projectActivity"]["message"]["body"] for e in events} == {"hei"}
        await asyncio.sleep(0.05)  # the delivering tasks end with the event
        assert len(asyncio.all_tasks()) == tasks


async def test_events_reach_each_subscriber_in_order(db: str) -> None:
    async with subscribed() as live:
        for n in range(5):
            await live.post(f"viesti {n}")
        received = [await live.socket.next() for _ in range(5)]
    assert [m["payload"]["data"]["projectActivity"]["message"]["body"] for m in received] == [
        f"viesti {n}" for n in range(5)
    ]


async def test_complete_from_the_client_removes_the_entry(db: str) -> None:
    async with subscribed() as live:
        await live.socket.ws.send_json({"id": live.op_id, "type": "complete"})
        for _ in range(100):
            if get_bus().subscriber_count(live.channel) == 0:
                break
            await asyncio.sleep(0.01)
        assert get_bus().subscriber_count(live.channel) == 0
        await live.post("kukaan ei kuule")
        await live.socket.nothing()
        await live.subscribe(live.op_id)  # the id is free again
        await wait_subscribed(live.channel)
        await live.post("taas")
        message = await live.socket.next()
    assert message["id"] == live.op_id
    assert message["payload"]["data"]["projectActivity"]["message"]["body"] == "taas"


async def test_a_failing_event_ends_the_subscription_with_an_error_then_complete(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As before parking: the error as a `next` (coded, masked), then `complete`."""

    async def failing(info: object, event: object) -> bool:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(subscriptions, "_can_see_event", failing)
    async with subscribed() as live:
        await live.post("hei")
        error, complete = await live.socket.next(), await live.socket.next()
        assert get_bus().subscriber_count(live.channel) == 0
    assert error["id"] == live.op_id and error["type"] == "next"
    assert error["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in error["payload"]["errors"]] == [
        "INTERNAL_SERVER_ERROR"
    ]
    assert complete == {"id": live.op_id, "type": "complete"}
