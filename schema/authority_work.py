"""Supplement requests, decisions, discussion threads, messages and audit entries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models.attachments import AttachmentOwner as DomainOwner
from models.authority_work import AuditAction as DomainAuditAction
from models.ids import global_id, local_id
from models.statuses import ApplicationStatus as DomainStatus
from permissions import policies
from permissions.facts import ApplicationFacts, ThreadFacts
from resolvers.context import Info
from resolvers.loaders import Row
from schema.attachment import Attachment, attachments_of
from schema.common import After, Connection, First, LocalizedText, connection, paginate_by_id
from schema.enums import ApplicationStatus, describe
from schema.identity import Person
from schema.node import Node

if TYPE_CHECKING:
    from schema.application import Application
    from schema.project import Project

ApplicationRef = Annotated["Application", strawberry.lazy("schema.application")]
ProjectRef = Annotated["Project", strawberry.lazy("schema.project")]

AuditAction = DomainAuditAction
strawberry.enum(AuditAction, description="What an audited action did.")
describe(
    AuditAction,
    {
        "CONTENT_READ": "An authority user read an application's content.",
        "EXPORT": "An application was exported for case management.",
        "ASSIGNMENT": "An application was taken or assigned to a handler.",
        "STATUS_CHANGE": "An authority changed an application's status.",
        "DECISION": "A decision was recorded.",
        "NOTICE_REDIRECT": "A handler redirected an application's notices.",
        "STATEMENT": "A statement was requested, answered, declined or shared.",
        "ATTACHMENT_READ": "An authority user downloaded an attachment.",
        "SUBMISSION": "A customer submitted an application for an organisation (details: the "
        "mandate basis).",
    },
)


async def _person(info: Info, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    row = await info.context.loaders.person.load(person_id)
    return None if row is None else Person.from_row(row)


async def _org_name(info: Info, org_id: int | None) -> LocalizedText | None:
    if org_id is None:
        return None
    row = await info.context.loaders.organisation.load(org_id)
    return None if row is None else LocalizedText.of(row["name"])


@strawberry.type(description="A handler's request for more information, and the customer's answer.")
class SupplementRequest:
    message: str = strawberry.field(description="What the authority asks for.")
    due_date: date = strawberry.field(description="Answer by this day.")
    requested_at: datetime = strawberry.field(description="When the request was made.")
    requested_by_name: str = strawberry.field(description="Who asked (a handler or system).")
    answered_at: datetime | None = strawberry.field(description="When the customer answered.")
    answer_message: str | None = strawberry.field(description="The customer's message.")
    closed_at: datetime | None = strawberry.field(
        description="When the handler resumed processing without an answer."
    )
    content_row: strawberry.Private[JSON | None]
    can_read_content: strawberry.Private[bool]
    #: removes the confidential fields, for viewers who may not see them
    redactor: strawberry.Private[Callable[[Any], Any] | None]
    row_id: strawberry.Private[int]
    project_id: strawberry.Private[int]

    @strawberry.field(description="True while the request waits for an answer.")
    def is_open(self) -> bool:
        return self.answered_at is None and self.closed_at is None

    @strawberry.field(
        description="The form content the customer submitted as the supplement; null when the "
        "viewer may not read the application's content."
    )
    def answer_content(self) -> JSON | None:
        if not self.can_read_content or self.content_row is None:
            return None
        return self.content_row if self.redactor is None else self.redactor(self.content_row)

    @strawberry.field(
        description="Files the customer sent with the answer; empty when the viewer may not "
        "read the application's content."
    )
    async def answer_attachments(self, info: Info) -> list[Attachment]:
        return await attachments_of(info, self.project_id, DomainOwner.SUPPLEMENT, self.row_id)

    @classmethod
    def from_row(
        cls,
        row: Row,
        can_read_content: bool,
        project_id: int,
        redactor: Callable[[Any], Any] | None = None,
    ) -> Self:
        return cls(
            message=row["message"],
            due_date=row["due_date"],
            requested_at=row["created_at"],
            requested_by_name=row["requested_by_label"],
            answered_at=row["answered_at"],
            answer_message=row["answer_message"],
            closed_at=row["closed_at"],
            content_row=row["answer_content"],
            can_read_content=can_read_content,
            redactor=redactor,
            row_id=row["id"],
            project_id=project_id,
        )


@strawberry.type(description="The outcome of an application, as its authority recorded it.")
class Decision:
    outcome: ApplicationStatus = strawberry.field(description="The final status given.")
    decided_on: date = strawberry.field(description="Date of the decision.")
    summary: str = strawberry.field(description="Summary of the decision.")
    document_reference: str | None = strawberry.field(
        description="Reference to the decision document in the authority's own system."
    )
    is_shared_with_authorities: bool = strawberry.field(
        description="Shared with the project's other involved authorities."
    )
    recorded_at: datetime = strawberry.field(description="When it was recorded in Luukku.")
    recorded_by_name: str = strawberry.field(description="Who recorded it (a handler or system).")
    row_id: strawberry.Private[int]
    project_id: strawberry.Private[int]

    @strawberry.field(description="Files of the decision (e.g. the signed decision document).")
    async def attachments(self, info: Info) -> list[Attachment]:
        return await attachments_of(info, self.project_id, DomainOwner.DECISION, self.row_id)

    @classmethod
    def from_row(cls, row: Row, project_id: int) -> Self:
        return cls(
            outcome=DomainStatus(row["outcome"]),
            decided_on=row["decided_on"],
            summary=row["summary"],
            document_reference=row["document_reference"],
            is_shared_with_authorities=row["is_shared"],
            recorded_at=row["created_at"],
            recorded_by_name=row["recorded_by_label"],
            row_id=row["id"],
            project_id=project_id,
        )


@strawberry.type(description="A message in a discussion thread.")
class Message(Node):
    id: relay.NodeID[int]
    body: str = strawberry.field(description="The text.")
    created_at: datetime = strawberry.field(description="When it was posted.")
    author_name: str = strawberry.field(description="Name of the person or system who wrote it.")
    row: strawberry.Private[Row]

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            body=row["body"],
            created_at=row["created_at"],
            author_name=row["author_label"],
            row=row,
        )

    @strawberry.field(description="The person who wrote it; null for an authority system.")
    async def author(self, info: Info) -> Person | None:
        return await _person(info, self.row["author_id"])

    @strawberry.field(description="Files attached to the message.")
    async def attachments(self, info: Info) -> list[Attachment]:
        thread = await info.context.loaders.thread.load(self.row["thread_id"])
        if thread is None:
            return []
        return await attachments_of(info, thread["project_id"], DomainOwner.MESSAGE, self.row["id"])

    @strawberry.field(description="The organisation or authority the author acted for, if any.")
    async def acting_for_name(self, info: Info) -> LocalizedText | None:
        return await _org_name(info, self.row["acting_for_id"])

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        result: list[Self | None] = []
        for node_id in node_ids:
            row = await info.context.loaders.message.load(local_id(node_id) or 0)
            # a missing message does the work of a hidden one (the thread "0")
            thread = await visible_thread(info, row["thread_id"] if row else 0)
            result.append(cls.from_row(row) if thread is not None and row is not None else None)
        return result


@strawberry.type(
    description="A discussion: one per application (customer and its authority) and one per "
    "project (customer and all involved authorities)."
)
class Thread(Node):
    id: relay.NodeID[int]
    row: strawberry.Private[Row]
    facts: strawberry.Private[ThreadFacts]

    @strawberry.field(description="The project the discussion belongs to.")
    async def project(self, info: Info) -> ProjectRef:
        from schema.project import Project

        row = await info.context.loaders.project.load(self.row["project_id"])
        assert row is not None
        return Project.from_row(row)

    @strawberry.field(
        description="The application, for an application's thread; null for the project's."
    )
    async def application(self, info: Info) -> ApplicationRef | None:
        from schema.application import Application

        if self.row["application_id"] is None:
            return None
        row = await info.context.loaders.application.load(self.row["application_id"])
        return None if row is None else Application.from_row(row)

    @strawberry.field(description="The messages, oldest first.")
    async def messages(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Message]:
        rows = await info.context.loaders.thread_messages(self.row["project_id"], self.row["id"])
        page = paginate_by_id(rows, lambda r: r["id"], first, after)
        return connection(page, len(rows), Message.from_row, lambda r: [r["id"]])

    @strawberry.field(description="True when the viewer may post to this thread.")
    async def viewer_can_post(self, info: Info) -> bool:
        project = await info.context.loaders.project_facts(self.row["project_id"])
        return project is not None and policies.can_post_to_thread(
            info.context.viewer, self.facts, project
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Thread | None]:
        return [await visible_thread(info, local_id(i) or 0) for i in node_ids]


async def thread_of(info: Info, row: Row) -> Thread:
    app_facts: ApplicationFacts | None = None
    if row["application_id"] is not None:
        app_row = await info.context.loaders.application.load(row["application_id"])
        assert app_row is not None
        app_facts = ApplicationFacts.from_row(app_row)
    return Thread(
        id=row["id"],
        row=row,
        facts=ThreadFacts(id=row["id"], project_id=row["project_id"], application=app_facts),
    )


async def visible_thread(info: Info, thread_id: int) -> Thread | None:
    row = await info.context.loaders.thread.load(thread_id)
    # a missing thread does the work of a hidden one (the facts of "project 0")
    project = await info.context.loaders.project_facts(row["project_id"] if row else 0)
    if row is None or project is None:
        return None
    thread = await thread_of(info, row)
    if not policies.can_read_thread(info.context.viewer, thread.facts, project):
        return None
    return thread


@strawberry.type(description="One entry of the audit log.")
class AuditEntry:
    action: AuditAction = strawberry.field(description="What was done.")
    object_id: strawberry.ID = strawberry.field(description="Global id of the object concerned.")
    created_at: datetime = strawberry.field(description="When.")
    actor_name: str = strawberry.field(description="Who: the person or system.")
    xroad_client: str | None = strawberry.field(description="X-Road-Client header of the request.")
    xroad_id: str | None = strawberry.field(description="X-Road-Id header of the request.")
    xroad_user_id: str | None = strawberry.field(description="X-Road-UserId header of the request.")
    details: JSON = strawberry.field(description="Details of the action, e.g. the statuses.")
    row: strawberry.Private[Row]

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            action=DomainAuditAction(row["action"]),
            object_id=strawberry.ID(global_id(row["object_type"], row["object_id"])),
            created_at=row["created_at"],
            actor_name=row["actor_label"],
            xroad_client=row["xroad_client"],
            xroad_id=row["xroad_id"],
            xroad_user_id=row["xroad_user_id"],
            details=row["details"],
            row=row,
        )

    @strawberry.field(description="The person who acted; null for an authority system.")
    async def actor(self, info: Info) -> Person | None:
        return await _person(info, self.row["actor_id"])

    @strawberry.field(description="The organisation or authority the actor acted for.")
    async def acting_for_name(self, info: Info) -> LocalizedText | None:
        return await _org_name(info, self.row["acting_for_id"])
