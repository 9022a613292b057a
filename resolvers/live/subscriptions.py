"""Subscriptions: projectActivity, applicationStatusChanged, inboxActivity.

Each subscription listens on the bus (resolvers/live/table.py: parked in the bus's table
while idle) and, for every event, asks the same policies as the
queries, with the viewer of the connection and the state after the commit. Events the
viewer may not see are skipped before any GraphQL execution. The rows an event needs are
loaded once per event and process (`event_loaders`), whoever the subscribers are: loaders
hold rows, not decisions, so sharing them is safe; every field is still checked per viewer.

`listening: true` (opt-in; without it nothing changes) makes the first `next` a LISTENING
event, made and sent only once the subscription has joined its channels (`joined`, run by
resolvers/live/table.py with loaders of its own): every event committed after the client
has it is delivered, so that is when a page refetches.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, TypeVar

import strawberry

from models.errors import DomainError, ErrorCode
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
from resolvers.context import Info
from resolvers.live.table import CLOSE_FORBIDDEN, CLOSE_RESTART, close_socket, event_loaders, listen
from schema.attachment import attachment_facts
from schema.common import top_level_error
from schema.events import (
    ApplicationStatusChangedEvent,
    ProjectActivityEvent,
    listening_event,
    project_event,
    status_event,
)
from schema.node import parse_global_id

T = TypeVar("T", bound=ProjectActivityEvent)

__all__ = ["CLOSE_FORBIDDEN", "CLOSE_RESTART", "LiveSubscription", "close_socket", "event_loaders"]


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
ListeningArgument = Annotated[
    bool,
    strawberry.argument(
        description="Send a LISTENING event first, once the subscription has joined its "
        "channels: every event committed after it arrives is delivered. Refetch what you show "
        "when it arrives (on the first subscribe and after each reconnect); false (the "
        "default): events only."
    ),
]


async def _project_event(info: Info, event: LiveEvent) -> ProjectActivityEvent | None:
    if await _can_see_event(info, event):
        return await _share(info, event, project_event(event))
    return None


async def _listening_event() -> ProjectActivityEvent:
    return listening_event()


async def project_activity(
    info: Info, project_id: ProjectIdArgument, listening: ListeningArgument = False
) -> AsyncGenerator[ProjectActivityEvent, None]:
    db_id = parse_global_id(project_id, "Project") or 0

    async def select(event: LiveEvent) -> ProjectActivityEvent | None:
        return await _project_event(info, event)

    async def joined() -> ProjectActivityEvent:
        return listening_event(db_id)  # its project is read when selected, after the join

    channels = [project_channel(db_id)]
    async for node in listen(info, channels, select, joined if listening else None):
        yield node


async def application_status_changed(
    info: Info, application_id: ApplicationIdArgument, listening: ListeningArgument = False
) -> AsyncGenerator[ApplicationStatusChangedEvent, None]:
    db_id = parse_global_id(application_id, "Application") or 0
    row = await info.context.loaders.application.load(db_id)
    project_id = row["project_id"] if row is not None else 0  # unknown: listen to nothing

    async def select(event: LiveEvent) -> ApplicationStatusChangedEvent | None:
        if event.application_id != db_id or event.kind not in STATUS_KINDS:
            return None
        if await _can_see_application(info, event):
            return await _share(info, event, status_event(event))
        return None

    async def joined() -> ApplicationStatusChangedEvent:
        # read again (fresh loaders): the status as it is after the join
        now = await info.context.loaders.application.load(db_id)
        event = LiveEvent(
            EventKind.LISTENING,
            project_id,
            db_id,
            to_status=None if now is None else now["status"],
        )
        if now is None or not await _can_see_application(info, event):
            not_found = DomainError(ErrorCode.NOT_FOUND).render(info.context.language)
            raise top_level_error(ErrorCode.NOT_FOUND, not_found)
        return status_event(event)

    channels = [project_channel(project_id)]
    async for node in listen(info, channels, select, joined if listening else None):
        yield node


async def inbox_activity(
    info: Info, listening: ListeningArgument = False
) -> AsyncGenerator[ProjectActivityEvent, None]:
    authorities = sorted(policies.inbox_authorities(info.context.viewer))

    async def select(event: LiveEvent) -> ProjectActivityEvent | None:
        if not policies.is_inbox_event_for(info.context.viewer, event.inbox_authorities()):
            return None
        return await _project_event(info, event)

    channels = [authority_channel(a) for a in authorities]
    async for node in listen(info, channels, select, _listening_event if listening else None):
        yield node


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
        description="Every status change of one application. With `listening: true` the "
        "first event is of kind LISTENING: `toStatus` is the application's status once the "
        "subscription listens, `fromStatus` null (NOT_FOUND if the viewer may not see it).",
    )
    inbox_activity = strawberry.subscription(
        resolver=inbox_activity,
        extensions=authority_only(),
        description="New or returned work for the viewer's authorities: submissions, answered "
        "supplements, withdrawals, customers' messages, statements asked of them and "
        "statements that came.",
    )
