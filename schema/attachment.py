"""Attachments, the catalogue's attachment requirements, and the Upload scalar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from actions.attachment_links import link, subject_of
from models.attachments import AttachmentOwner as DomainOwner
from models.attachments import ScanStatus as DomainScanStatus
from models.ids import local_id
from models.settings import get_settings
from permissions import attachments as rules
from permissions.attachments import AttachmentFacts
from permissions.facts import ApplicationFacts, DecisionFacts, ProjectFacts, ThreadFacts
from resolvers.context import Info
from resolvers.loaders import Row
from schema.common import LocalizedText
from schema.enums import describe
from schema.node import Node

if TYPE_CHECKING:
    from schema.application import Application

ApplicationRef = Annotated["Application", strawberry.lazy("schema.application")]

# Strawberry's Upload scalar: a file sent by the GraphQL multipart request specification
# (`null` in the variables, the file in its own part of the multipart/form-data body).

ScanStatus = DomainScanStatus
strawberry.enum(ScanStatus, description="Where a file is in the virus scan.")
describe(
    ScanStatus,
    {
        "PENDING": "Not scanned yet; only its uploader may download it.",
        "CLEAN": "The scanner found nothing.",
        "INFECTED": "Malware was found: the file is quarantined and never served.",
        "SCAN_FAILED": "The scanner could not answer; it is tried again later.",
        "NOT_SCANNED": "No virus scanner is configured (ATTACHMENT_SCANNER=none).",
    },
)

AttachmentOwner = DomainOwner
strawberry.enum(AttachmentOwner, description="What an attachment belongs to.")
describe(
    AttachmentOwner,
    {
        "APPLICATION": "The application itself (added to the draft).",
        "SUPPLEMENT": "The customer's answer to a request for more information.",
        "MESSAGE": "A message in a discussion.",
        "DECISION": "The authority's decision.",
    },
)


@strawberry.input(description="One file to upload, and what it is.")
class AttachmentFileInput:
    file: Upload = strawberry.field(description="The file (a multipart file part).")
    kind: str | None = strawberry.field(
        default=None,
        description="The permit type's attachment requirement it meets "
        "(`PermitType.attachmentRequirements.kind`); omit for other files.",
    )


@strawberry.type(description="An attachment a permit type asks for.")
class AttachmentRequirement:
    kind: str = strawberry.field(description="Stable code, e.g. `site-map`.")
    name: LocalizedText = strawberry.field(description="What to attach.")
    description: LocalizedText | None = strawberry.field(description="More about it.")
    is_required: bool = strawberry.field(description="Submitting is refused without it.")
    allowed_types: list[str] = strawberry.field(
        description="Content types accepted (decided from the file's content)."
    )
    max_bytes: int = strawberry.field(description="Largest file accepted, in bytes.")

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Self:
        return cls(
            kind=row["kind"],
            name=LocalizedText.of(row["name"]),
            description=LocalizedText.maybe(row.get("description")),
            is_required=row["required"],
            allowed_types=list(row["types"]),
            max_bytes=min(int(row["maxBytes"]), get_settings().attachment_max_file_bytes),
        )


async def attachment_facts(info: Info, row: Row) -> tuple[AttachmentFacts, ProjectFacts] | None:
    """The facts the policies decide on, from the request's loaders."""
    loaders = info.context.loaders
    project = await loaders.project_facts(row["project_id"])
    if project is None:
        return None
    app: ApplicationFacts | None = None
    if row["application_id"] is not None:
        app_row = await loaders.application.load(row["application_id"])
        if app_row is None:
            return None
        app = ApplicationFacts.from_row(app_row)
    thread = decision = None
    kind = DomainOwner(row["owner_kind"])
    if kind is DomainOwner.MESSAGE:
        message = await loaders.message.load(row["owner_id"])
        thread_row = None if message is None else await loaders.thread.load(message["thread_id"])
        if thread_row is None:
            return None
        thread = ThreadFacts(thread_row["id"], thread_row["project_id"], app)
    elif kind is DomainOwner.DECISION and app is not None:
        decision_row = await loaders.decision_by_application.load(app.id)
        if decision_row is None:
            return None
        decision = DecisionFacts(app.id, app.authority_id, decision_row["is_shared"])
    return AttachmentFacts.from_row(row, app, thread, decision), project


@strawberry.type(
    description="A file attached to an application, a supplement answer, a message or a "
    "decision; visible to whom may see what it belongs to."
)
class Attachment(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The file name, as uploaded.")
    content_type: str = strawberry.field(
        description="The content type, decided from the file's content (its magic bytes)."
    )
    size: int = strawberry.field(description="Size in bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the content, in hex.")
    kind: str | None = strawberry.field(
        description="The permit type's attachment requirement it meets, if any."
    )
    belongs_to: AttachmentOwner = strawberry.field(description="What the attachment belongs to.")
    scan_status: ScanStatus = strawberry.field(description="The virus scan's state.")
    uploaded_at: datetime = strawberry.field(description="When it was uploaded.")
    uploaded_by_name: str = strawberry.field(description="Who uploaded it (a person or system).")
    row: strawberry.Private[Row]
    facts: strawberry.Private[AttachmentFacts]
    project: strawberry.Private[ProjectFacts]

    @classmethod
    def build(cls, row: Row, facts: AttachmentFacts, project: ProjectFacts) -> Self:
        return cls(
            id=row["id"],
            name=row["name"],
            content_type=row["content_type"],
            size=row["size"],
            sha256=row["sha256"],
            kind=row["requirement_kind"],
            belongs_to=DomainOwner(row["owner_kind"]),
            scan_status=DomainScanStatus(row["scan_status"]),
            uploaded_at=row["created_at"],
            uploaded_by_name=row["uploaded_by_label"],
            row=row,
            facts=facts,
            project=project,
        )

    @strawberry.field(
        description="True when the viewer may download the file now (scanned clean, or their "
        "own upload still being scanned)."
    )
    def viewer_can_download(self, info: Info) -> bool:
        return rules.can_download_attachment(info.context.viewer, self.facts, self.project)

    @strawberry.field(
        description="A link to download the file, valid for ATTACHMENT_LINK_SECONDS (5 minutes "
        "by default) and only for the viewer; null when `viewerCanDownload` is false."
    )
    async def download_url(self, info: Info) -> str | None:
        viewer = info.context.viewer
        subject = subject_of(viewer)
        if subject is None or not rules.can_download_attachment(viewer, self.facts, self.project):
            return None
        return await link(self.row["id"], subject, get_settings().attachment_link_seconds)

    @strawberry.field(description="True when the viewer may remove it (a draft's own files).")
    def viewer_can_remove(self, info: Info) -> bool:
        return rules.can_remove_attachment(info.context.viewer, self.facts, self.project)

    @strawberry.field(description="The application it concerns; null for a project discussion's.")
    async def application(self, info: Info) -> ApplicationRef | None:
        from schema.application import visible_application

        if self.row["application_id"] is None:
            return None
        return await visible_application(info, self.row["application_id"])

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Attachment | None]:
        return [await visible_attachment(info, local_id(i) or 0) for i in node_ids]


async def visible_attachment(info: Info, attachment_id: int) -> Attachment | None:
    row = await info.context.loaders.attachment.load(attachment_id)
    if row is None:
        return None
    found = await attachment_facts(info, row)
    if found is None or not rules.can_see_attachment(info.context.viewer, *found):
        return None
    return Attachment.build(row, *found)


async def attachments_of(
    info: Info, project_id: int, owner_kind: DomainOwner, owner_id: int
) -> list[Attachment]:
    """The owner's attachments the viewer may see, oldest first."""
    result = []
    for row in await info.context.loaders.attachments_of(project_id, owner_kind.value, owner_id):
        found = await attachment_facts(info, row)
        if found is not None and rules.can_see_attachment(info.context.viewer, *found):
            result.append(Attachment.build(row, *found))
    return result
