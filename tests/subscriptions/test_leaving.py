"""A subscriber that leaves while an event is being delivered takes nothing from the others.

An event's rows are loaded once for all the subscribers of the process (`event_loaders`),
and one execution serves all the subscribers with the same audience (schema/sharing.py).
A subscription ends by cancelling its task (the client completes it, navigates away or
closes the socket): that cancellation must not reach the loads or the execution the
others are waiting for. Before, it did, and their subscriptions ended silently: their pages
stayed open and were never told of anything again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import pytest
from tortoise import connections

from actions import authority as authority_actions
from actions.identity import token_issue
from models import Person
from models.statuses import ApplicationStatus
from notifications.bus import get_bus
from notifications.events import project_channel
from resolvers.viewer import viewer_for_token
from schema import sharing
from tests.factories import gid, make_application, make_customer, make_handler, make_project
from tests.subscriptions.wsclient import Socket, connect, wait_subscribed, ws_client

S = ApplicationStatus
ACTIVITY = """subscription($id: ID!) { projectActivity(projectId: $id) { kind
  ... on ApplicationEvent { application { status content { formData } } } } }"""


class Gate:
    """Holds the reads of the default connection that `match` picks, while closed."""

    def __init__(self) -> None:
        self.match: Callable[[str], bool] = lambda sql: False
        self.held = asyncio.Event()
        self.opened = asyncio.Event()

    def close(self, match: Callable[[str], bool]) -> None:
        self.match = match

    def open(self) -> None:
        self.match = lambda sql: False
        self.opened.set()

    def wrap(self, execute: Any) -> Any:
        async def held(sql: str, *args: Any, **kwargs: Any) -> Any:
            if self.match(sql):
                self.held.set()
                await self.opened.wait()
            return await execute(sql, *args, **kwargs)

        return held


@contextlib.asynccontextmanager
async def gate_on_reads(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Gate]:
    """The subscribers read on the default connection; the actions write in transactions,
    which are other connection objects, so the gate never holds a writer."""
    gate = Gate()
    conn = connections.get("default")
    for name in ("execute_query", "execute_query_dict"):
        monkeypatch.setattr(conn, name, gate.wrap(getattr(conn, name)))
    try:
        yield gate
    finally:
        gate.open()


async def _picked_up(channel: str) -> None:
    """Every subscriber of the channel has taken the event from its queue and gone on to
    wait for what it needs (the gate)."""
    while any(q.qsize() for q in get_bus()._queues.get(channel, ())):
        await asyncio.sleep(0.01)
    for _ in range(20):
        await asyncio.sleep(0)


async def _complete(socket: Socket, op_id: str) -> None:
    await socket.ws.send_json({"id": op_id, "type": "complete"})


async def test_a_handler_leaving_while_the_events_rows_load_does_not_end_the_customers_subscription(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journey's case: the handler asks for a supplement and goes to his inbox while
    the event is being delivered; the customer's open project page must still get it, and
    the next one."""
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
    channel = project_channel(project_id)
    async with (
        ws_client() as client,
        connect(client, police.token) as handler,
        connect(client, customer.token) as page,
        gate_on_reads(monkeypatch) as gate,
    ):
        handler_op = await handler.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
        await page.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
        await wait_subscribed(channel, 2)
        gate.close(lambda sql: sql.lstrip().upper().startswith("SELECT"))
        await authority_actions.application_status_update(
            police.viewer, app_id, 3, S.IN_PROGRESS, ""
        )
        await asyncio.wait_for(gate.held.wait(), 5)
        await _picked_up(channel)
        await _complete(handler, handler_op)  # the handler's page is left: its task is cancelled
        await _subscribers(channel, 1)
        gate.open()
        event = (await page.next())["payload"]["data"]["projectActivity"]
        assert (event["kind"], event["application"]["status"]) == ("STATUS_CHANGED", "IN_PROGRESS")
        await authority_actions.supplement_request(
            police.viewer, app_id, 4, "Lisätietoja", date.today() + timedelta(days=14)
        )
        event = (await page.next())["payload"]["data"]["projectActivity"]
        assert event["application"]["status"] == "INFORMATION_REQUESTED"


async def test_the_subscriber_that_started_a_shared_execution_may_leave_before_it_ends(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two tabs of the customer (one audience, one execution): the tab whose delivery began
    the execution is closed while it runs; the other tab still gets the event."""
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
    person = await Person.get(id=customer.person_id)
    second = await token_issue(label="second tab", person=person)
    second_viewer = await viewer_for_token(second)
    assert second_viewer is not None
    tokens = {customer.viewer.token_id: customer.token, second_viewer.token_id: second}
    first_asker: list[int | None] = []
    original = sharing.SharingExecutionContext.execute_operation

    def recording(self: sharing.SharingExecutionContext, serially: bool | None = None) -> Any:
        if getattr(self.root_value, "share_key", None) is not None and not first_asker:
            first_asker.append(self.context_value.viewer.token_id)
        return original(self, serially)

    monkeypatch.setattr(sharing.SharingExecutionContext, "execute_operation", recording)
    channel = project_channel(project_id)
    async with (
        ws_client() as client,
        contextlib.AsyncExitStack() as stack,
        gate_on_reads(monkeypatch) as gate,
    ):
        tabs = {
            token_id: await stack.enter_async_context(connect(client, token))
            for token_id, token in tokens.items()
        }
        ops = {
            token_id: await tab.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
            for token_id, tab in tabs.items()
        }
        await wait_subscribed(channel, 2)
        # the execution reads the form content; the policies' reads before it pass
        gate.close(lambda sql: '"content"' in sql)
        await authority_actions.application_status_update(
            police.viewer, app_id, 3, S.IN_PROGRESS, ""
        )
        await asyncio.wait_for(gate.held.wait(), 5)
        await _picked_up(channel)
        assert len(first_asker) == 1
        leaving = first_asker[0]
        (staying,) = set(tabs) - {leaving}
        await _complete(tabs[leaving], ops[leaving])
        await _subscribers(channel, 1)
        gate.open()
        event = (await tabs[staying].next())["payload"]["data"]["projectActivity"]
        assert event["application"]["status"] == "IN_PROGRESS"
        assert event["application"]["content"] is not None


async def _subscribers(channel: str, count: int) -> None:
    """Wait until the channel has `count` subscribers left (a leaving one has gone)."""
    for _ in range(500):
        if get_bus().subscriber_count(channel) <= count:
            break
        await asyncio.sleep(0.01)
    assert get_bus().subscriber_count(channel) == count
