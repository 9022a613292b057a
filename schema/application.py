"""Applications, their content and their status history."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date as Date
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from actions.audit import audit_row
from models.attachments import AttachmentOwner as DomainOwner
from models.authority_work import AuditAction
from models.confidential import present_paths, redact
from models.enums import ApplicationOrigin as DomainOrigin
from models.enums import Certainty as DomainCertainty
from models.enums import member
from models.ids import local_id
from models.statuses import FINAL, LABELS
from models.statuses import ApplicationStatus as DomainStatus
from permissions import classification, policies
from permissions.facts import ApplicationFacts, DecisionFacts, ProjectFacts
from permissions.fields import (
    CanReadApplicationContent,
    CanReadApplicationThread,
    CanSeeDecision,
    IsAddressedAuthority,
    restricted,
)
from resolvers.context import Info
from resolvers.loaders import Row
from schema.attachment import Attachment, attachments_of
from schema.authority_work import Decision, SupplementRequest, Thread, thread_of
from schema.catalogue import Authority, PermitType
from schema.common import After, Connection, First, LocalizedText, connection, paginate_by_id
from schema.enums import ApplicationOrigin, ApplicationStatus, Certainty
from schema.identity import Organisation, Person
from schema.node import Node
from schema.project import Project
from schema.sharing import content_reads

if TYPE_CHECKING:
    from schema.statements import StatementRequest

StatementRequestRef = Annotated["StatementRequest", strawberry.lazy("schema.statements")]


@strawberry.type(description="One step of an application's status history.")
class StatusChange:
    from_status: ApplicationStatus | None = strawberry.field(
        description="Status before the change; null for the creation of the draft."
    )
    to_status: ApplicationStatus = strawberry.field(description="Status after the change.")
    created_at: datetime = strawberry.field(description="When the change happened.")
    actor_name: str = strawberry.field(description="Name of the person or system that made it.")
    row: strawberry.Private[Row]

    app: strawberry.Private[ApplicationFacts]

    @classmethod
    def from_row(cls, row: Row, app: ApplicationFacts) -> Self:
        return cls(
            from_status=None
            if row["from_status"] is None
            else member(DomainStatus, row["from_status"]),
            to_status=member(DomainStatus, row["to_status"]),
            created_at=row["created_at"],
            actor_name=row["actor_label"],
            row=row,
            app=app,
        )

    @strawberry.field(
        description="Comment given with the change. The change that recorded a decision has "
        "the decision's summary here: empty for a viewer who may not see the decision."
    )
    async def comment(self, info: Info) -> str:
        loaders = info.context.loaders
        decision = None
        if classification.status_comment_gate(self.to_status) is classification.G.DECISION:
            row = await loaders.decision_by_application.load(self.app.id)
            if row is not None:
                decision = DecisionFacts(self.app.id, self.app.authority_id, row["is_shared"])
        project = await loaders.project_facts(self.app.project_id)
        visible = project is not None and classification.may_read_status_comment(
            info.context.viewer, self.to_status, decision, self.app, project
        )
        return str(self.row["comment"]) if visible else ""

    @strawberry.field(description="The person who made the change; null for an authority system.")
    async def actor(self, info: Info) -> Person | None:
        if self.row["actor_id"] is None:
            return None
        row = await info.context.loaders.person.load(self.row["actor_id"])
        return None if row is None else Person.from_row(row)

    @strawberry.field(description="The organisation or authority the actor acted for, if any.")
    async def acting_for_name(self, info: Info) -> LocalizedText | None:
        if self.row["acting_for_id"] is None:
            return None
        row = await info.context.loaders.organisation.load(self.row["acting_for_id"])
        return None if row is None else LocalizedText.of(row["name"])


@strawberry.type(
    description="The restricted part of an application: its form data and the project's "
    "shared data. Visible to the customer, and to authorities once submitted or shared."
)
class ApplicationContent:
    form_data: JSON = strawberry.field(
        description="The permit-specific form, per the permit type's schema; without its "
        "confidential fields unless the viewer is the customer or the handling authority."
    )
    shared_data: JSON = strawberry.field(description="The project's shared data, given once.")
    redacted_fields: list[str] = strawberry.field(
        description="The confidential fields removed from `formData` for this viewer (dotted "
        "paths, see `PermitType.confidentialFields`); empty when nothing was removed."
    )


@strawberry.type(description="An application for one permit, addressed to one authority.")
class Application(Node):
    id: relay.NodeID[int]
    status: ApplicationStatus = strawberry.field(description="Processing status.")
    is_shared_with_authorities: bool = strawberry.field(
        description="A draft the customer has marked visible to authorities."
    )
    origin: ApplicationOrigin = strawberry.field(description="Added from the survey or by hand.")
    certainty: Certainty | None = strawberry.field(
        description="The survey's certainty, when added from its suggestions."
    )
    version: int = strawberry.field(description="Current version, for `expectedVersion`.")
    created_at: datetime = strawberry.field(description="When the draft was created.")
    updated_at: datetime = strawberry.field(description="When the application last changed.")
    submitted_at: datetime | None = strawberry.field(description="When the customer submitted it.")
    processed_at: datetime | None = strawberry.field(description="When it got its final status.")
    row: strawberry.Private[Row]
    facts: strawberry.Private[ApplicationFacts]

    @property
    def project_id(self) -> int:
        return int(self.row["project_id"])

    @classmethod
    def from_row(cls, row: Row) -> Self:
        status = member(DomainStatus, row["status"])
        return cls(
            id=row["id"],
            status=status,
            is_shared_with_authorities=row["is_shared"],
            origin=member(DomainOrigin, row["origin"]),
            certainty=None
            if row["certainty"] is None
            else member(DomainCertainty, row["certainty"]),
            version=row["version"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            submitted_at=row["submitted_at"],
            processed_at=row["final_at"],
            row=row,
            facts=ApplicationFacts.from_row(row),
        )

    async def project_facts(self, info: Info) -> ProjectFacts:
        facts = await info.context.loaders.project_facts(self.project_id)
        assert facts is not None
        return facts

    @strawberry.field(description="Label of the status in fi, sv and en.")
    def status_label(self) -> LocalizedText:
        return LocalizedText.of(LABELS[self.facts.status])

    @strawberry.field(description="True once the application has a final status (is processed).")
    def is_processed(self) -> bool:
        return self.facts.status in FINAL

    @strawberry.field(description="The project the application belongs to.")
    async def project(self, info: Info) -> Project:
        row = await info.context.loaders.project.load(self.project_id)
        assert row is not None
        return Project.from_row(row)

    @strawberry.field(description="The permit applied for.")
    async def permit_type(self, info: Info) -> PermitType:
        loader = info.context.loaders.permit_type
        permit_type = await loader.shared(self.row["permit_type_id"], PermitType.from_row)
        assert permit_type is not None
        return permit_type

    @strawberry.field(description="The authority the application is addressed to.")
    async def authority(self, info: Info) -> Authority:
        loader = info.context.loaders.organisation
        authority = await loader.shared(self.row["authority_id"], Authority.from_row)
        assert authority is not None
        return authority

    @strawberry.field(description="The handler who has taken the application, if any.")
    async def assigned_to(self, info: Info) -> Person | None:
        if self.row["assigned_to_id"] is None:
            return None
        row = await info.context.loaders.person.load(self.row["assigned_to_id"])
        return None if row is None else Person.from_row(row)

    @strawberry.field(description="Status history, oldest first.")
    async def status_history(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[StatusChange]:
        rows = await info.context.loaders.status_changes_by_application.load(self.row["id"])
        page = paginate_by_id(rows, lambda r: r["id"], first, after)

        def build(row: Row) -> StatusChange:
            return StatusChange.from_row(row, self.facts)

        return connection(page, len(rows), build, lambda r: [r["id"]])

    @strawberry.field(
        description="Form data and shared data; null when the viewer may not read them "
        "(see `viewerCanReadContent`).",
        extensions=restricted(CanReadApplicationContent()),
    )
    async def content(self, info: Info) -> ApplicationContent | None:
        project = await info.context.loaders.project.load(self.project_id)
        content = await info.context.loaders.application_content.load(self.row["id"])
        assert project is not None
        viewer = info.context.viewer
        facts = await self.project_facts(info)
        if policies.is_audited_read(viewer, facts):
            acting_for = policies.authority_acting_for(viewer, facts, self.facts.authority_id)
            shared = content_reads.get()
            if shared is not None:  # a live event executed once for many: each is audited
                shared.append((self.row["id"], self.row["authority_id"], acting_for))
            else:
                info.context.pending_audit.append(
                    audit_row(
                        viewer,
                        AuditAction.CONTENT_READ,
                        "Application",
                        self.row["id"],
                        self.row["authority_id"],
                        acting_for=acting_for,
                    )
                )
        form_data = (content or {}).get("content") or {}
        removed: list[str] = []
        if not policies.can_read_confidential_fields(viewer, self.facts, facts):
            schema = await self.form_schema(info)
            removed = present_paths(form_data, schema)
            form_data = redact(form_data, schema)
        return ApplicationContent(
            form_data=JSON(form_data),
            shared_data=JSON(project["shared_data"] or {}),
            redacted_fields=removed,
        )

    async def form_schema(self, info: Info) -> dict[str, Any]:
        permit_type = await info.context.loaders.permit_type.load(self.row["permit_type_id"])
        assert permit_type is not None
        return dict(permit_type["form_schema"])

    async def content_redactor(self, info: Info) -> Callable[[Any], Any] | None:
        """None when the viewer reads content as it is; else what removes the confidential
        fields (for every other place content reaches the viewer)."""
        facts = await self.project_facts(info)
        if policies.can_read_confidential_fields(info.context.viewer, self.facts, facts):
            return None
        schema = await self.form_schema(info)
        return lambda content: redact(content, schema)

    @strawberry.field(
        description="The application's own files (added to the draft), oldest first; empty "
        "when the viewer may not read the content. Supplement answers, messages and the "
        "decision list their own."
    )
    async def attachments(self, info: Info) -> list[Attachment]:
        return await attachments_of(info, self.project_id, DomainOwner.APPLICATION, self.row["id"])

    @strawberry.field(
        description="The authority's requests for more information, oldest first, with answers."
    )
    async def supplement_requests(self, info: Info) -> list[SupplementRequest]:
        rows = await info.context.loaders.supplements_by_application.load(self.row["id"])
        if not rows:
            return []
        readable = policies.can_read_application_content(
            info.context.viewer, self.facts, await self.project_facts(info)
        )
        redactor = await self.content_redactor(info) if readable else None
        return [SupplementRequest.from_row(r, readable, self.project_id, redactor) for r in rows]

    @strawberry.field(
        description="Statements the handling authority asked of other authorities, oldest "
        "first: for the customer and involved authorities, and each for its asked authority."
    )
    async def statement_requests(self, info: Info) -> list[StatementRequestRef]:
        from schema.statements import statements_of

        return await statements_of(info, self.row)

    async def decision_facts(self, info: Info) -> DecisionFacts | None:
        row = await info.context.loaders.decision_by_application.load(self.row["id"])
        if row is None:
            return None
        return DecisionFacts(self.row["id"], self.row["authority_id"], row["is_shared"])

    @strawberry.field(
        description="The decision, once recorded. Co-authorities see it only when the deciding "
        "authority shared it; null otherwise.",
        extensions=restricted(CanSeeDecision()),
    )
    async def decision(self, info: Info) -> Decision | None:
        row = await info.context.loaders.decision_by_application.load(self.row["id"])
        return None if row is None else Decision.from_row(row, self.project_id)

    @strawberry.field(
        description="The discussion between the customer and this application's authority; "
        "null when not visible to the viewer.",
        extensions=restricted(CanReadApplicationThread()),
    )
    async def thread(self, info: Info) -> Thread | None:
        row = await info.context.loaders.application_thread(self.project_id, self.row["id"])
        return None if row is None else await thread_of(info, row)

    @strawberry.field(
        description="Where the handler has redirected this application's notices; only for the "
        "addressed authority.",
        extensions=restricted(IsAddressedAuthority()),
    )
    def notice_email(self) -> str | None:
        email: str | None = self.row["notice_email"]
        return email

    @strawberry.field(description="True when the viewer may read `content`.")
    async def viewer_can_read_content(self, info: Info) -> bool:
        return policies.can_read_application_content(
            info.context.viewer, self.facts, await self.project_facts(info)
        )

    @strawberry.field(description="True when the viewer may change the draft, submit or withdraw.")
    async def viewer_can_edit(self, info: Info) -> bool:
        return policies.can_edit_application(
            info.context.viewer, self.facts, await self.project_facts(info)
        )

    @strawberry.field(
        description="True when the viewer may process it for the addressed authority."
    )
    async def viewer_can_handle(self, info: Info) -> bool:
        return policies.can_handle_application(
            info.context.viewer, self.facts, await self.project_facts(info)
        )

    @strawberry.field(
        description="Last day to apply: the project's start date minus the permit's statutory lead time."
    )
    async def latest_application_date(self, info: Info) -> Date | None:
        project = await info.context.loaders.project.load(self.project_id)
        permit_type = await info.context.loaders.permit_type.load(self.row["permit_type_id"])
        if project is None or permit_type is None or project["starts_on"] is None:
            return None
        if permit_type["lead_time_days"] is None:
            return None
        starts_on: Date = project["starts_on"]
        return starts_on - timedelta(days=permit_type["lead_time_days"])

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Application | None]:
        return [await visible_application(info, local_id(i) or 0) for i in node_ids]


async def visible_application(info: Info, application_id: int) -> Application | None:
    """The application, if the viewer may see it; None otherwise."""
    row = await info.context.loaders.application.load(application_id)
    # a missing application reads the facts of "project 0": the same work as a hidden one
    facts = await info.context.loaders.project_facts(row["project_id"] if row else 0)
    if row is None or facts is None:
        return None
    app = Application.from_row(row)
    if not policies.can_see_application(info.context.viewer, app.facts, facts):
        return None
    return app


__all__ = ["Application", "ApplicationContent", "Organisation", "StatusChange"]
