"""Subscriptions: projectActivity, applicationStatusChanged, inboxActivity.

Each subscription listens on the bus and, for every event, asks the same policies as the
queries, with the viewer of the connection and the state after the commit. Events the
viewer may not see are skipped before any GraphQL execution. The rows an event needs are
loaded once per event and process (`event_loaders`), whoever the subscribers are: loaders
hold rows, not decisions, so sharing them is safe; every field is still checked per viewer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import strawberry

from actions.audit import audit_many
from notifications.bus import BusLost, BusUnavailable, get_bus
from notifications.events import (
    STATUS_KINDS,
    EventKind,
    LiveEvent,
    authority_channel,
    project_channel,
)
from permissions import attachments as attachment_rules
from permissions import policies
from permissions.facts import ApplicationFacts, ThreadFacts
from permissions.fields import authenticated, authority_only
from resolvers.context import Context, Info, current_loaders
from resolvers.loaders import Loaders, SharedLoaders
from schema.attachment import attachment_facts
from schema.events import (
    ApplicationStatusChangedEvent,
    ProjectActivityEvent,
    project_event,
    status_event,
)
from schema.node import parse_global_id

log = logging.getLogger("luukku.live")
T = TypeVar("T", bound=ProjectActivityEvent)

#: Close codes: 4403 (graphql-transport-ws "Forbidden") when the viewer's access ends,
#: 1012 (service restart) when the bus was lost, so that clients reconnect and refetch.
CLOSE_FORBIDDEN = 4403
CLOSE_RESTART = 1012

_EVENT_LOADERS: OrderedDict[str, Loaders] = OrderedDict()
_MAX_EVENTS = 256


def event_loaders(event: LiveEvent) -> Loaders:
    """The loaders shared by every subscriber of this process for one event (a subscriber
    that leaves meanwhile cancels only its own waiting: SharedLoaders)."""
    loaders = _EVENT_LOADERS.get(event.id)
    if loaders is None:
        loaders = SharedLoaders()
        _EVENT_LOADERS[event.id] = loaders
        while len(_EVENT_LOADERS) > _MAX_EVENTS:
            _EVENT_LOADERS.popitem(last=False)
    return loaders


async def close_socket(context: Context, code: int, reason: str) -> None:
    websocket = context.request
    close = getattr(websocket, "close", None)
    if close is not None:
        try:
            await close(code=code, reason=reason)
        except Exception:  # already closed
            log.debug("socket already closed")


_AUDIT_WRITES: set[asyncio.Task[None]] = set()


def _audit_written(task: asyncio.Task[None]) -> None:
    _AUDIT_WRITES.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("could not write the audit entries of a live event", exc_info=task.exception())


async def _audit_reads(context: Context) -> None:
    """Write the audit entries of the content the last delivered event carried.

    The write runs in its own task: a socket closing meanwhile cancels the subscription,
    not the write."""
    if context.pending_audit:
        rows, context.pending_audit = context.pending_audit, []
        task = asyncio.create_task(audit_many(rows))
        _AUDIT_WRITES.add(task)
        task.add_done_callback(_audit_written)
        await asyncio.shield(task)


async def _stream(info: Info, channels: list[str]) -> AsyncIterator[LiveEvent]:
    """Events of the channels, for this connection's viewer while it stays valid.

    The generator resumes after a `yield` once the event's result has been sent, so the
    content that result carried is audited right then; and when the subscription ends
    (completed, socket closed) the last event's reads are audited on the way out."""
    context = info.context
    try:
        async with get_bus().subscribe_many(channels) as subscription:
            async for message in subscription:
                viewer = context.viewer
                if viewer.expires_at is not None and viewer.expires_at <= datetime.now(UTC):
                    await close_socket(context, CLOSE_FORBIDDEN, "Token expired")
                    return
                event = LiveEvent.decode(message.message)
                if event is not None:
                    current_loaders.set(event_loaders(event))
                    yield event
                    await _audit_reads(context)
    except BusLost:
        await close_socket(context, CLOSE_RESTART, "Live updates restarting; subscribe again")
    except BusUnavailable:
        await close_socket(context, CLOSE_RESTART, "Live updates unavailable; try again shortly")
    finally:
        with contextlib.suppress(Exception):  # logged by _audit_written
            await _audit_reads(context)


async def _can_see_application(info: Info, event: LiveEvent) -> bool:
    if event.application_id is None:
        return False
    loaders = info.context.loaders
    row = await loaders.application.load(event.application_id)
    project = await loaders.project_facts(event.project_id)
    if row is None or project is None:
        return False
    return policies.can_see_application(
        info.context.viewer, ApplicationFacts.from_row(row), project
    )


async def _share(info: Info, event: LiveEvent, node: T) -> T:
    """Mark the event's object with the viewer's audience (schema/sharing.py)."""
    loaders = info.context.loaders
    project = await loaders.project_facts(event.project_id)
    if project is not None:
        applications = await loaders.applications_by_project.load(event.project_id)
        audience = policies.audience(
            info.context.viewer, project, (a["authority_id"] for a in applications)
        )
        node.share_key = (event.id, audience)
    return node


async def _can_see_event(info: Info, event: LiveEvent) -> bool:
    """The same rules as the queries: the project, and for a message its thread."""
    loaders = info.context.loaders
    project = await loaders.project_facts(event.project_id)
    viewer = info.context.viewer
    if project is None or not policies.can_see_project(viewer, project):
        return False
    if event.attachment_id is not None:
        row = await loaders.attachment.load(event.attachment_id)
        found = None if row is None else await attachment_facts(info, row)
        # a removal is seen by whom could see the file: the rule of its owner
        return found is not None and attachment_rules.can_see_owner(viewer, *found)
    if event.kind is EventKind.MESSAGE_POSTED:
        app_facts = None
        if event.application_id is not None:
            row = await loaders.application.load(event.application_id)
            if row is None:
                return False
            app_facts = ApplicationFacts.from_row(row)
        thread = ThreadFacts(event.thread_id or 0, event.project_id, app_facts)
        return policies.can_read_thread(viewer, thread, project)
    if event.application_id is not None:
        return await _can_see_application(info, event)
    return True


ProjectIdArgument = Annotated[strawberry.ID, strawberry.argument(description="The project.")]
ApplicationIdArgument = Annotated[
    strawberry.ID, strawberry.argument(description="The application.")
]


async def project_activity(
    info: Info, project_id: ProjectIdArgument
) -> AsyncGenerator[ProjectActivityEvent, None]:
    db_id = parse_global_id(project_id, "Project") or 0
    async for event in _stream(info, [project_channel(db_id)]):
        if await _can_see_event(info, event):
            yield await _share(info, event, project_event(event))


async def application_status_changed(
    info: Info, application_id: ApplicationIdArgument
) -> AsyncGenerator[ApplicationStatusChangedEvent, None]:
    db_id = parse_global_id(application_id, "Application") or 0
    row = await info.context.loaders.application.load(db_id)
    project_id = row["project_id"] if row is not None else 0  # unknown: listen to nothing
    async for event in _stream(info, [project_channel(project_id)]):
        if event.application_id != db_id or event.kind not in STATUS_KINDS:
            continue
        if await _can_see_application(info, event):
            yield await _share(info, event, status_event(event))


async def inbox_activity(info: Info) -> AsyncGenerator[ProjectActivityEvent, None]:
    authorities = sorted(policies.inbox_authorities(info.context.viewer))
    async for event in _stream(info, [authority_channel(a) for a in authorities]):
        if not policies.is_inbox_event_for(info.context.viewer, event.inbox_authorities()):
            continue
        if await _can_see_event(info, event):
            yield await _share(info, event, project_event(event))


@strawberry.type
class LiveSubscription:
    """Subscription fields of this area: live tracking."""

    project_activity = strawberry.subscription(
        resolver=project_activity,
        extensions=authenticated(),
        description="Every event of one project the viewer may see: submissions, sharing, "
        "withdrawals, status changes, supplements, decisions, messages and statements.",
    )
    application_status_changed = strawberry.subscription(
        resolver=application_status_changed,
        extensions=authenticated(),
        description="Every status change of one application.",
    )
    inbox_activity = strawberry.subscription(
        resolver=inbox_activity,
        extensions=authority_only(),
        description="New or returned work for the viewer's authorities: submissions, answered "
        "supplements, withdrawals, customers' messages, statements asked of them and "
        "statements that came.",
    )
