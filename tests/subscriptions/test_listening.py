"""`listening: true`: the LISTENING event comes first, and only once the subscription has
joined its channels, so that a page that refetches then misses nothing (resolvers/live/table.py).

The window it closes: a page that refetched at connection_ack read its data before the
subscription had joined its channel, and an event committed in between was neither in the
refetched data nor delivered. The join is held here (the bus's `join` waits for the test)
to make that window deterministic.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from actions import authority as authority_actions
from models import Application, Organisation, Thread
from models.statuses import ApplicationStatus
from notifications import bus as bus_module
from notifications.events import authority_channel, project_channel
from resolvers.context import Context
from schema import events as events_module
from schema.root import schema
from tests.factories import (
    Actor,
    gid,
    make_application,
    make_customer,
    make_handler,
    make_project,
)
from tests.subscriptions.wsclient import Socket, connect, wait_subscribed, ws_client

S = ApplicationStatus

ACTIVITY = """subscription($id: ID!, $listening: Boolean!) {
  projectActivity(projectId: $id, listening: $listening) {
    __typename kind eventId occurredAt project { id name }
    ... on MessagePostedEvent { message { body } } } }"""
STATUS = """subscription($id: ID!) { applicationStatusChanged(applicationId: $id, listening: true) {
  kind fromStatus toStatus application { id status } } }"""
INBOX = """subscription { inboxActivity(listening: true) {
  __typename kind project { id } ... on ApplicationEvent { application { id } } } }"""
MESSAGES = """query($id: ID!) { project(id: $id) { thread { messages { nodes { body } } } } }"""


async def _post(customer: Actor, project_id: int, body: str) -> None:
    thread = await Thread.get(project_id=project_id, application_id=None)
    await authority_actions.message_post(customer.viewer, thread.id, body)


async def _data(socket: Socket, field: str) -> dict[str, Any]:
    message = await socket.next()
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    data: dict[str, Any] = message["payload"]["data"][field]
    return data


async def _refetch(client: httpx.AsyncClient, customer: Actor, project_id: int) -> list[str]:
    """The page's refetch over HTTP: the project discussion's messages."""
    response = await client.post(
        "/graphql",
        json={"query": MESSAGES, "variables": {"id": gid("Project", project_id)}},
        headers={"Authorization": f"Bearer {customer.token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return [m["body"] for m in body["data"]["project"]["thread"]["messages"]["nodes"]]


@contextlib.contextmanager
def held_join(channel: str) -> Iterator[tuple[asyncio.Event, asyncio.Event, list[int]]]:
    """The bus's join waits until `release` is set; `entered` is set when one waits. The
    list gets the channel's subscriber count each time an event's project is read (the
    LISTENING event's first)."""
    entered, release = asyncio.Event(), asyncio.Event()
    counts: list[int] = []
    original = bus_module.Bus.join
    read = events_module.visible_project

    async def join(self: bus_module.Bus, channels: list[str], sink: Any) -> list[str]:
        entered.set()
        await release.wait()
        return await original(self, channels, sink)

    async def visible_project(info: Any, project_id: int) -> Any:
        counts.append(bus_module.get_bus().subscriber_count(channel))
        return await read(info, project_id)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bus_module.Bus, "join", join)
        patch.setattr(events_module, "visible_project", visible_project)
        yield entered, release, counts


async def test_an_event_committed_before_the_join_is_in_the_refetch_made_at_listening(
    db: str,
) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    variables = {"id": gid("Project", project_id), "listening": True}
    async with ws_client() as client, connect(client, customer.token) as socket:
        with held_join(project_channel(project_id)) as (entered, release, counts):
            await socket.subscribe(ACTIVITY, variables)
            await entered.wait()  # parsed, validated, permitted, parking: not yet joined
            assert get_bus_count(project_id) == 0
            # the old client refetched at connection_ack: its read can come before the join
            at_ack = await _refetch(client, customer, project_id)
            await _post(customer, project_id, "between the refetch and the join")
            release.set()
            listening = await _data(socket, "projectActivity")
        assert counts == [1]  # LISTENING's project was read once joined, not before
        assert listening["__typename"] == "ListeningEvent"
        assert listening["kind"] == "LISTENING"
        assert listening["project"]["id"] == gid("Project", project_id)
        # the page refetches now; a message committed right after LISTENING (while the
        # refetch is on its way) is delivered
        await _post(customer, project_id, "after listening")
        at_listening = await _refetch(client, customer, project_id)
        event = await _data(socket, "projectActivity")
    # the first message was never delivered: the refetch at connection_ack lost it...
    assert "between the refetch and the join" not in at_ack
    assert event["message"] == {"body": "after listening"}
    # ...the refetch at LISTENING has it
    assert "between the refetch and the join" in at_listening


def get_bus_count(project_id: int) -> int:
    return bus_module.get_bus().subscriber_count(project_channel(project_id))


async def test_listening_comes_first_even_when_events_arrive_while_joining(db: str) -> None:
    """Events that reach the entry while it joins its channels wait behind LISTENING."""
    customer = await make_customer()
    project_id = await make_project(customer)
    original = bus_module.Bus.join

    async def join(self: bus_module.Bus, channels: list[str], sink: Any) -> list[str]:
        joined = await original(self, channels, sink)
        await _post(customer, project_id, "while joining")
        while sink.qsize() < 2:  # LISTENING, and the message: in the entry, not yet sent
            await asyncio.sleep(0.01)
        return joined

    async with ws_client() as client, connect(client, customer.token) as socket:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(bus_module.Bus, "join", join)
            await socket.subscribe(ACTIVITY, {"id": gid("Project", project_id), "listening": True})
            first = await _data(socket, "projectActivity")
        second = await _data(socket, "projectActivity")
    assert (first["kind"], second["kind"]) == ("LISTENING", "MESSAGE_POSTED")
    assert second["message"] == {"body": "while joining"}


async def test_without_listening_the_first_event_is_the_first_change(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    async with ws_client() as client, connect(client, customer.token) as socket:
        await socket.subscribe(ACTIVITY, {"id": gid("Project", project_id), "listening": False})
        await wait_subscribed(project_channel(project_id))
        await _post(customer, project_id, "hei")
        event = await _data(socket, "projectActivity")
    assert (event["kind"], event["message"]) == ("MESSAGE_POSTED", {"body": "hei"})


async def test_listening_shows_the_project_only_to_whom_may_see_it(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    outsider = await make_handler("tampere-building-control")
    variables = {"id": gid("Project", project_id), "listening": True}
    async with ws_client() as client, connect(client, outsider.token) as socket:
        await socket.subscribe(ACTIVITY, variables)
        listening = await _data(socket, "projectActivity")
        await _post(customer, project_id, "not for outsiders")
        await socket.nothing()
    assert (listening["kind"], listening["project"]) == ("LISTENING", None)


async def test_application_status_changed_listens_with_the_status_it_has_now(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
    async with ws_client() as client, connect(client, customer.token) as socket:
        await socket.subscribe(STATUS, {"id": gid("Application", app_id)})
        listening = await _data(socket, "applicationStatusChanged")
        version = (await Application.get(id=app_id)).version
        await authority_actions.application_status_update(
            police.viewer, app_id, version, S.IN_PROGRESS, ""
        )
        changed = await _data(socket, "applicationStatusChanged")
    assert listening == {
        "kind": "LISTENING",
        "fromStatus": None,
        "toStatus": "NOT_STARTED",
        "application": {"id": gid("Application", app_id), "status": "NOT_STARTED"},
    }
    assert (changed["kind"], changed["fromStatus"], changed["toStatus"]) == (
        "STATUS_CHANGED",
        "NOT_STARTED",
        "IN_PROGRESS",
    )


async def test_application_status_changed_listening_on_what_the_viewer_may_not_see(
    db: str,
) -> None:
    """NOT_FOUND, as `node` answers null: neither the status nor that it exists leaks."""
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id)  # a draft, not shared
    outsider = await make_handler("helsinki-police")
    async with ws_client() as client, connect(client, outsider.token) as socket:
        for app in (gid("Application", app_id), gid("Application", 10**9)):
            op = await socket.subscribe(STATUS, {"id": app})
            message = await socket.next()
            assert message["id"] == op and message["type"] == "next", message
            assert message["payload"]["data"] is None
            [error] = message["payload"]["errors"]
            assert error["extensions"]["code"] == "NOT_FOUND", error
            assert (await socket.next()) == {"id": op, "type": "complete"}


async def test_inbox_activity_listens_on_every_authority_then_brings_work(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    police_org = await Organisation.get(code="helsinki-police")
    async with ws_client() as client, connect(client, police.token) as socket:
        await socket.subscribe(INBOX)
        listening = await _data(socket, "inboxActivity")
        assert get_bus_count_channel(authority_channel(police_org.id)) == 1
        app_id = await make_application(customer, project_id, status=S.NOT_STARTED)
        work = await _data(socket, "inboxActivity")
    assert listening == {"__typename": "ListeningEvent", "kind": "LISTENING", "project": None}
    assert work["application"] == {"id": gid("Application", app_id)}


def get_bus_count_channel(channel: str) -> int:
    return bus_module.get_bus().subscriber_count(channel)


@contextlib.asynccontextmanager
async def generator_path(
    actor: Actor, query: str, variables: dict[str, Any]
) -> AsyncIterator[AsyncIterator[Any]]:
    """The subscription through `schema.subscribe`, where no parking is offered: the
    resolver's async generator."""
    context = Context(viewer=actor.viewer, language="en")
    stream = await schema.subscribe(query, variable_values=variables, context_value=context)
    assert not hasattr(stream, "errors"), stream
    try:
        yield stream  # type: ignore[misc]
    finally:
        await stream.aclose()  # type: ignore[union-attr]


async def test_listening_on_the_generator_path(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
    activity = {"id": gid("Project", project_id), "listening": True}
    async with (
        generator_path(customer, ACTIVITY, activity) as project,
        generator_path(customer, STATUS, {"id": gid("Application", app_id)}) as status,
        generator_path(police, INBOX, {}) as inbox,
    ):
        first = [await asyncio.wait_for(anext(stream), 5) for stream in (project, status, inbox)]
        assert [r.errors for r in first] == [None, None, None]
        assert [r.data[f]["kind"] for r, f in zip(first, FIELDS, strict=True)] == ["LISTENING"] * 3
        # joined already: this is delivered
        await _post(customer, project_id, "hei")
        event = await asyncio.wait_for(anext(project), 5)  # lost if LISTENING came too early
    assert event.data["projectActivity"]["message"] == {"body": "hei"}
    assert first[0].data["projectActivity"]["project"]["id"] == gid("Project", project_id)
    assert first[1].data["applicationStatusChanged"]["toStatus"] == "NOT_STARTED"


FIELDS = ("projectActivity", "applicationStatusChanged", "inboxActivity")
