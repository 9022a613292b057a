"""Delivery details: no execution for invisible events, audit of content reads, bus loss."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from actions import authority as authority_actions
from models import AuditEntry, Thread
from models.statuses import ApplicationStatus
from notifications import bus as bus_module
from notifications.bus import Bus
from notifications.events import project_channel
from resolvers.live import subscriptions
from tests.factories import gid, make_application, make_customer, make_handler, make_project
from tests.servers import free_port
from tests.subscriptions.test_bus import redis_server
from tests.subscriptions.wsclient import connect, wait_subscribed, ws_client

S = ApplicationStatus
ACTIVITY = """subscription($id: ID!) { projectActivity(projectId: $id) { kind
  ... on ApplicationEvent { application { content { formData } } } } }"""


async def test_an_event_no_subscriber_may_see_costs_no_graphql_execution(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    original = subscriptions.project_event

    def counting(event):  # type: ignore[no-untyped-def]
        built.append(event.kind)
        return original(event)

    monkeypatch.setattr(subscriptions, "project_event", counting)
    customer = await make_customer()
    project_id = await make_project(customer)
    draft = await make_application(customer, project_id)
    await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
    rescue, outsider = (
        await make_handler("helsinki-rescue"),
        await make_handler("tampere-building-control"),
    )
    async with (
        ws_client() as client,
        connect(client, rescue.token) as r,
        connect(client, outsider.token) as o,
    ):
        for socket in (r, o):
            await socket.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
        await wait_subscribed(project_channel(project_id), 2)
        thread = await Thread.get(application_id=draft)
        await authority_actions.message_post(
            customer.viewer, thread.id, "Vain luonnoksen omistajalle"
        )
        await r.nothing()
        await o.nothing()
    assert built == []  # neither subscriber's selection was executed


@pytest.mark.parametrize("close_first", [False, True], ids=["socket-open", "socket-closed"])
async def test_content_read_through_a_subscription_is_audited_once(
    db: str, close_first: bool
) -> None:
    """Audited as soon as the event has been sent, with no further event needed; and also
    when the socket closes right after the event."""
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
    async with ws_client() as client, connect(client, police.token) as p:
        await p.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
        await wait_subscribed(project_channel(project_id))
        await authority_actions.application_status_update(
            police.viewer, app_id, 3, S.IN_PROGRESS, ""
        )
        event = (await p.next())["payload"]["data"]["projectActivity"]
        assert event["application"]["content"]["formData"]
        if not close_first:
            assert await _audited(app_id, police.person_id) == 1
    assert await _audited(app_id, police.person_id) == 1
    await asyncio.sleep(0.2)
    assert await _audited(app_id, police.person_id) == 1  # and only once


async def _audited(app_id: int, person_id: int | None) -> int:
    """CONTENT_READ entries of the person for the application, waiting up to 5 s for one."""
    count = 0
    for _ in range(100):
        count = await AuditEntry.filter(
            action="CONTENT_READ", object_id=app_id, actor_id=person_id
        ).count()
        if count:
            break
        await asyncio.sleep(0.05)
    return count


@pytest.mark.redis
async def test_when_the_bus_is_lost_sockets_close_with_1012_so_clients_resubscribe(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    """...and nothing is logged as an error for it: the operation ends without trying to
    send on the socket Luukku has closed."""
    customer = await make_customer()
    project_id = await make_project(customer)
    port = free_port()
    with redis_server(port) as server:
        session_bus = bus_module._bus
        private = Bus(f"redis://127.0.0.1:{port}/0")
        await private.connect()
        bus_module._bus = private
        try:
            async with ws_client() as client, connect(client, customer.token) as socket:
                await socket.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
                await wait_subscribed(project_channel(project_id))
                server.kill()
                with caplog.at_level(logging.WARNING):
                    assert await socket.closed(timeout=15) == 1012
                    await asyncio.sleep(0.5)  # the operation's task ends after the close
        finally:
            bus_module._bus = session_bus
            await private.disconnect()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_subscribers_with_the_same_audience_share_one_execution_and_are_each_audited(
    db: str,
) -> None:
    from schema import sharing

    customer = await make_customer()
    project_id = await make_project(customer)
    police_a, police_b = (
        await make_handler("helsinki-police"),
        await make_handler("helsinki-police"),
    )
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police_a)
    await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
    rescue = await make_handler("helsinki-rescue")
    async with (
        ws_client() as client,
        connect(client, police_a.token) as a,
        connect(client, police_b.token) as b,
        connect(client, rescue.token) as r,
        connect(client, customer.token) as c,
    ):
        for socket in (a, b, r, c):
            await socket.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
        await wait_subscribed(project_channel(project_id), 4)
        before = sharing.executions
        await authority_actions.application_status_update(
            police_a.viewer, app_id, 3, S.IN_PROGRESS, ""
        )
        payloads = [(await s.next())["payload"] for s in (a, b, r, c)]
        thread = await Thread.get(project_id=project_id, application_id=None)
        await authority_actions.message_post(customer.viewer, thread.id, "flush")
        flushed = [await s.next() for s in (a, b, r, c)]
        assert all(
            f["payload"]["data"]["projectActivity"]["kind"] == "MESSAGE_POSTED" for f in flushed
        )
    assert payloads[0] == payloads[1]  # the two police handlers got one result
    assert sharing.executions - before == 3 + 3  # police, rescue, customer; for each event
    readers = {e.actor_id for e in await AuditEntry.filter(action="CONTENT_READ", object_id=app_id)}
    assert readers == {police_a.person_id, police_b.person_id, rescue.person_id}


async def test_an_events_project_facts_are_computed_once_for_all_its_subscribers(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Subscribers of one event resume one after another from the same loads; the policy
    facts of the project are built once per event and process, not once per subscriber."""
    from resolvers import loaders

    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
    handlers = [await make_handler("helsinki-police") for _ in range(3)]
    built: list[int] = []
    original = loaders.project_facts

    def counting(project, applications, statements=()):  # type: ignore[no-untyped-def]
        built.append(project["id"])
        return original(project, applications, statements)

    async with ws_client() as client, contextlib.AsyncExitStack() as stack:
        opened = [
            await stack.enter_async_context(connect(client, h.token)) for h in (police, *handlers)
        ]
        for socket in opened:
            await socket.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
        await wait_subscribed(project_channel(project_id), len(opened))
        monkeypatch.setattr(loaders, "project_facts", counting)
        await authority_actions.application_status_update(
            police.viewer, app_id, 3, S.IN_PROGRESS, ""
        )
        for socket in opened:
            assert (await socket.next())["payload"]["data"]["projectActivity"]["kind"]
    assert built == [project_id]
