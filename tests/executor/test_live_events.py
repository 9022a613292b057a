"""Live events through both executors: the fan-out's one execution per event, operation and
audience runs on the compiled executor, and what each subscriber receives, and the content
reads audited for it, are the same as with graphql-core.

Every role of the permission matrix subscribes twice, on the app as deployed and on an app
whose schema executes with graphql-core (the same process, so the same bus delivers every
event to both); then the customer posts on the project's discussion and application A
changes (submitted, or its next status), and each role's two sockets must receive the same
messages.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from actions import applications as app_actions
from actions import authority as authority_actions
from models import AuditEntry
from models.authority_work import AuditAction
from models.statuses import ApplicationStatus
from notifications.events import project_channel
from schema import sharing
from schema.executor import stats
from tests.factories import gid
from tests.permissions.world import Role, State, World, build_world
from tests.sameness import both_apps, last_audit_id
from tests.subscriptions.wsclient import Socket, connect, wait_subscribed, ws_client

S = ApplicationStatus
ACTIVITY = """subscription($id: ID!) {
  projectActivity(projectId: $id) {
    __typename kind
    project { name viewerIsCustomer applications { totalCount nodes { status } } }
    ... on ApplicationEvent {
      application { id status version viewerCanReadContent content { formData sharedData }
                    decision { outcome } thread { id messages { nodes { body } } }
                    statusHistory { nodes { toStatus actorName } } }
    }
    ... on ApplicationStatusChangedEvent { fromStatus toStatus }
    ... on MessagePostedEvent { message { body authorName } thread { id application { id } } }
  }
}"""


async def _change(world: World) -> None:
    owner, police = world.actors[Role.OWNER_REP], world.actors[Role.ADDRESSED_HANDLER]
    assert owner is not None and police is not None
    version = await world.version()
    if world.state in (State.DRAFT, State.SHARED_DRAFT):
        await app_actions.application_submit(owner.viewer, world.application_id, version)
    elif world.state is State.SUBMITTED:
        await authority_actions.application_status_update(
            police.viewer, world.application_id, version, S.IN_PROGRESS, ""
        )
    elif world.state is State.IN_PROGRESS:
        await authority_actions.supplement_request(
            police.viewer, world.application_id, version, "?", date.today() + timedelta(days=3)
        )
    else:
        await authority_actions.message_post(owner.viewer, world.thread_id, "Kiitos")


async def _received(socket: Socket, count: int, timeout: float) -> list[dict[str, Any]]:
    messages = []
    for _ in range(count):
        try:
            messages.append(await socket.next(timeout=timeout))
        except TimeoutError:
            break
    return messages


@pytest.mark.parametrize(
    "state", [State.DRAFT, State.SHARED_DRAFT, State.SUBMITTED, State.IN_PROGRESS, State.FINAL]
)
async def test_live_events_are_the_same_both_ways(db: str, state: State) -> None:
    world = await build_world(state)
    variables = {"id": gid("Project", world.project_id)}
    roles = [r for r in Role if world.token(r) is not None]
    executions, compiled_runs = sharing.executions, stats.compiled
    audit_before = await last_audit_id()
    sockets: dict[tuple[Role, str], Socket] = {}
    async with ws_client(both_apps()) as client, contextlib.AsyncExitStack() as stack:
        for way, path in (("compiled", "/graphql"), ("graphql-core", "/graphql-core")):
            for role in roles:
                socket = await stack.enter_async_context(
                    connect(client, world.token(role), path=path)
                )
                await socket.subscribe(ACTIVITY, variables)
                sockets[role, way] = socket
        await wait_subscribed(project_channel(world.project_id), len(sockets))
        owner = world.actors[Role.OWNER_REP]
        assert owner is not None
        await authority_actions.message_post(owner.viewer, world.project_thread_id, "Kaikille")
        await _change(world)
        # the customer receives both events; by then the others have theirs too
        first = (Role.OWNER_REP, "compiled")
        received = {first: await _received(sockets[first], 2, 5)}
        for key, socket in sockets.items():
            if key != first:
                received[key] = await _received(socket, 2, 0.3)
    delivered = 0
    for role in roles:
        compiled, reference = received[role, "compiled"], received[role, "graphql-core"]
        assert [m["payload"] for m in compiled] == [m["payload"] for m in reference], role
        assert all(m["type"] == "next" for m in compiled), compiled
        delivered += len(compiled)
    assert delivered > 0
    assert sharing.executions > executions and stats.compiled > compiled_runs
    # every subscriber's content reads are audited once per socket: each row twice
    rows = (
        await AuditEntry.filter(id__gt=audit_before, action=AuditAction.CONTENT_READ)
        .order_by("id")
        .values("object_id", "actor_id", "authority_id", "acting_for_id")
    )
    counts = Counter(tuple(sorted(r.items())) for r in rows)
    assert all(n % 2 == 0 for n in counts.values()), counts
    if state is not State.FINAL:  # A's event carries its content to the police: audited
        assert counts, "the addressed authority read A's content"
