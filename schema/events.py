"""Live events: one type per kind, each carrying the changed object for the client's cache."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from models.ids import global_id
from models.statuses import ApplicationStatus as DomainStatus
from notifications.events import EventKind as DomainEventKind
from notifications.events import LiveEvent
from resolvers.context import Info
from schema.application import Application, visible_application
from schema.attachment import Attachment, visible_attachment
from schema.authority_work import Message, Thread, visible_thread
from schema.enums import ApplicationStatus, describe
from schema.project import Project, visible_project
from schema.statements import StatementRequest, visible_statement

EventKind = DomainEventKind
strawberry.enum(EventKind, description="What happened.")
describe(
    EventKind,
    {
        "APPLICATION_SUBMITTED": "An application was submitted.",
        "APPLICATION_SHARED": "A draft was made visible to authorities.",
        "APPLICATION_UNSHARED": "A draft was hidden from authorities again.",
        "APPLICATION_WITHDRAWN": "The customer withdrew an application.",
        "STATUS_CHANGED": "An authority changed an application's status.",
        "SUPPLEMENT_REQUESTED": "An authority asked for more information.",
        "SUPPLEMENT_SUBMITTED": "The customer answered a request for more information.",
        "DECISION_RECORDED": "An authority recorded its decision.",
        "MESSAGE_POSTED": "A message was posted to a discussion.",
        "STATEMENT_REQUESTED": "The handling authority asked another authority for a statement.",
        "STATEMENT_ANSWERED": "The asked authority gave its statement.",
        "STATEMENT_DECLINED": "The asked authority declined to give a statement.",
        "STATEMENT_SHARED": "The handling authority shared or unshared a statement's texts.",
        "ATTACHMENT_ADDED": "A file was attached (to an application, answer, message or decision).",
        "ATTACHMENT_REMOVED": "A file was removed from a draft.",
        "ATTACHMENT_SCANNED": "A file's virus scan finished (clean or infected).",
        "LISTENING": "The subscription listens: every event committed after this one arrives "
        "is delivered (only with `listening: true`, and first).",
    },
)


@strawberry.interface(description="Something that happened in a project, pushed live.")
class ProjectActivityEvent:
    event_id: str = strawberry.field(description="Unique id of the event.")
    kind: EventKind = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When it was committed.")
    source: strawberry.Private[LiveEvent]
    #: (event id, audience): subscribers with the same key share one execution
    share_key: strawberry.Private[tuple[str, Any] | None] = None

    @strawberry.field(description="The project.")
    async def project(self, info: Info) -> Project | None:
        return await visible_project(info, self.source.project_id)


@strawberry.interface(description="An event about one application; carries it in its new state.")
class ApplicationEvent(ProjectActivityEvent):
    @strawberry.field(description="The application, as it is now.")
    async def application(self, info: Info) -> Application | None:
        assert self.source.application_id is not None
        return await visible_application(info, self.source.application_id)


@strawberry.type(description="An application was submitted to its authority.")
class ApplicationSubmittedEvent(ApplicationEvent):
    pass


@strawberry.type(description="A draft was made visible to authorities.")
class ApplicationSharedEvent(ApplicationEvent):
    pass


@strawberry.type(description="A draft was hidden from authorities again.")
class ApplicationUnsharedEvent(ApplicationEvent):
    pass


@strawberry.type(description="The customer withdrew an application.")
class ApplicationWithdrawnEvent(ApplicationEvent):
    pass


@strawberry.type(description="An application's status changed (by any action that changes it).")
class ApplicationStatusChangedEvent(ApplicationEvent):
    from_status: ApplicationStatus | None = strawberry.field(description="The status before.")
    to_status: ApplicationStatus = strawberry.field(description="The status after.")


@strawberry.type(description="An authority asked the customer for more information.")
class SupplementRequestedEvent(ApplicationEvent):
    pass


@strawberry.type(description="The customer answered a request for more information.")
class SupplementSubmittedEvent(ApplicationEvent):
    pass


@strawberry.type(description="An authority recorded its decision; see `application.decision`.")
class DecisionRecordedEvent(ApplicationEvent):
    pass


@strawberry.interface(description="An event about a statement request on an application.")
class StatementEvent(ApplicationEvent):
    @strawberry.field(description="The statement request, as it is now.")
    async def statement_request(self, info: Info) -> StatementRequest | None:
        assert self.source.statement_id is not None
        return await visible_statement(info, self.source.statement_id)


@strawberry.type(description="The handling authority asked another authority for a statement.")
class StatementRequestedEvent(StatementEvent):
    pass


@strawberry.type(description="The asked authority gave its statement.")
class StatementAnsweredEvent(StatementEvent):
    pass


@strawberry.type(description="The asked authority declined to give a statement.")
class StatementDeclinedEvent(StatementEvent):
    pass


@strawberry.type(description="The handling authority shared (or unshared) a statement's texts.")
class StatementSharedEvent(StatementEvent):
    pass


@strawberry.type(description="A message was posted to a discussion.")
class MessagePostedEvent(ProjectActivityEvent):
    @strawberry.field(description="The message.")
    async def message(self, info: Info) -> Message | None:
        assert self.source.message_id is not None
        row = await info.context.loaders.message.load(self.source.message_id)
        return None if row is None else Message.from_row(row)

    @strawberry.field(description="The thread it was posted to.")
    async def thread(self, info: Info) -> Thread | None:
        assert self.source.thread_id is not None
        return await visible_thread(info, self.source.thread_id)


@strawberry.interface(description="An event about one attachment.")
class AttachmentEvent(ProjectActivityEvent):
    @strawberry.field(description="The attachment's global id (also after its removal).")
    def attachment_id(self) -> strawberry.ID:
        assert self.source.attachment_id is not None
        return strawberry.ID(global_id("Attachment", self.source.attachment_id))

    @strawberry.field(description="The attachment as it is now; null once removed.")
    async def attachment(self, info: Info) -> Attachment | None:
        assert self.source.attachment_id is not None
        return await visible_attachment(info, self.source.attachment_id)

    @strawberry.field(description="The application it concerns; null for a project discussion's.")
    async def application(self, info: Info) -> Application | None:
        if self.source.application_id is None:
            return None
        return await visible_application(info, self.source.application_id)


@strawberry.type(description="A file was attached.")
class AttachmentAddedEvent(AttachmentEvent):
    pass


@strawberry.type(description="A file was removed from a draft.")
class AttachmentRemovedEvent(AttachmentEvent):
    pass


@strawberry.type(description="A file's virus scan finished; see `attachment.scanStatus`.")
class AttachmentScannedEvent(AttachmentEvent):
    pass


@strawberry.type(
    description="The subscription has joined its channels: every event committed after this "
    "one arrives is delivered. Sent once, first, to a subscription asked with "
    "`listening: true` (also after each reconnect, when the client subscribes again): refetch "
    "what the page shows when it arrives, not at connection_ack, and nothing gets lost."
)
class ListeningEvent(ProjectActivityEvent):
    event_id: str = strawberry.field(description="Unique id of this subscription's start.")
    kind: EventKind = strawberry.field(description="Always LISTENING.")
    occurred_at: datetime = strawberry.field(
        description="When the subscription had joined its channels."
    )

    @strawberry.field(
        description="projectActivity: the project, as it is now (read after joining); "
        "null for inboxActivity."
    )
    async def project(self, info: Info) -> Project | None:
        if not self.source.project_id:
            return None
        return await visible_project(info, self.source.project_id)


def listening_event(project_id: int = 0) -> ListeningEvent:
    """The LISTENING event of projectActivity (its project) or inboxActivity (none)."""
    return ListeningEvent(**_base(LiveEvent(DomainEventKind.LISTENING, project_id)))


_TYPES: dict[DomainEventKind, type[ProjectActivityEvent]] = {
    DomainEventKind.APPLICATION_SUBMITTED: ApplicationSubmittedEvent,
    DomainEventKind.APPLICATION_SHARED: ApplicationSharedEvent,
    DomainEventKind.APPLICATION_UNSHARED: ApplicationUnsharedEvent,
    DomainEventKind.APPLICATION_WITHDRAWN: ApplicationWithdrawnEvent,
    DomainEventKind.STATUS_CHANGED: ApplicationStatusChangedEvent,
    DomainEventKind.SUPPLEMENT_REQUESTED: SupplementRequestedEvent,
    DomainEventKind.SUPPLEMENT_SUBMITTED: SupplementSubmittedEvent,
    DomainEventKind.DECISION_RECORDED: DecisionRecordedEvent,
    DomainEventKind.MESSAGE_POSTED: MessagePostedEvent,
    DomainEventKind.STATEMENT_REQUESTED: StatementRequestedEvent,
    DomainEventKind.STATEMENT_ANSWERED: StatementAnsweredEvent,
    DomainEventKind.STATEMENT_DECLINED: StatementDeclinedEvent,
    DomainEventKind.STATEMENT_SHARED: StatementSharedEvent,
    DomainEventKind.ATTACHMENT_ADDED: AttachmentAddedEvent,
    DomainEventKind.ATTACHMENT_REMOVED: AttachmentRemovedEvent,
    DomainEventKind.ATTACHMENT_SCANNED: AttachmentScannedEvent,
}

EVENT_TYPES: tuple[type[Any], ...] = (*_TYPES.values(), ListeningEvent)


def _base(event: LiveEvent) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "kind": event.kind,
        "occurred_at": datetime.fromisoformat(event.occurred_at),
        "source": event,
    }


def project_event(event: LiveEvent) -> ProjectActivityEvent:
    """The GraphQL object of a live event, for projectActivity and inboxActivity."""
    cls = _TYPES[event.kind]
    if cls is ApplicationStatusChangedEvent:
        return status_event(event)
    return cls(**_base(event))


def status_event(event: LiveEvent) -> ApplicationStatusChangedEvent:
    """Any status-changing event, as applicationStatusChanged delivers it."""
    if event.to_status is None:
        raise ValueError(f"{event.kind} changes no status")
    return ApplicationStatusChangedEvent(
        **_base(event),
        from_status=None if event.from_status is None else DomainStatus(event.from_status),
        to_status=DomainStatus(event.to_status),
    )
