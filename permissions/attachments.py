"""Who may see, download, add and remove attachments: pure functions, like policies.py.

An attachment is visible exactly to whom may see what it belongs to:
- an application's own attachments and a supplement answer's: the application's content
  (the customer; authorities once submitted or shared as a draft);
- a message's: the message's discussion thread;
- a decision's: the decision (the customer, the deciding authority, co-authorities when shared).

Downloading needs more: the file must have passed the virus scan (CLEAN), or scanning must
be off (NOT_SCANNED). Before that only its uploader may download it; an INFECTED file is
never served to anyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.attachments import SERVABLE, AttachmentOwner, ScanStatus
from models.statuses import ApplicationStatus
from permissions import policies
from permissions.facts import ApplicationFacts, DecisionFacts, ProjectFacts, ThreadFacts, Viewer


@dataclass(frozen=True)
class AttachmentFacts:
    id: int
    owner_kind: AttachmentOwner
    project_id: int
    #: the application it concerns; None for a message on the project's own thread
    application: ApplicationFacts | None
    #: MESSAGE: the message's thread
    thread: ThreadFacts | None
    #: DECISION: the decision
    decision: DecisionFacts | None
    uploaded_by_id: int | None
    uploader_system_id: int | None
    scan_status: ScanStatus
    is_removed: bool

    @classmethod
    def from_row(
        cls,
        row: Mapping[str, Any],
        application: ApplicationFacts | None,
        thread: ThreadFacts | None = None,
        decision: DecisionFacts | None = None,
    ) -> AttachmentFacts:
        """From an attachment row (`.values()` of models.Attachment) and the facts of what it
        belongs to (the access helper's and the loaders' alike)."""
        return cls(
            id=row["id"],
            owner_kind=AttachmentOwner(row["owner_kind"]),
            project_id=row["project_id"],
            application=application,
            thread=thread,
            decision=decision,
            uploaded_by_id=row["uploaded_by_id"],
            uploader_system_id=row["uploader_system_id"],
            scan_status=ScanStatus(row["scan_status"]),
            is_removed=row["removed_at"] is not None,
        )


def is_uploader(viewer: Viewer, attachment: AttachmentFacts) -> bool:
    if attachment.uploaded_by_id is not None:
        return viewer.person_id == attachment.uploaded_by_id
    return (
        attachment.uploader_system_id is not None
        and viewer.system_authority_id == attachment.uploader_system_id
    )


def can_see_owner(viewer: Viewer, attachment: AttachmentFacts, project: ProjectFacts) -> bool:
    """The rule of the thing the attachment belongs to."""
    kind = attachment.owner_kind
    if kind is AttachmentOwner.MESSAGE:
        return attachment.thread is not None and policies.can_read_thread(
            viewer, attachment.thread, project
        )
    if attachment.application is None:
        return False
    if kind is AttachmentOwner.DECISION:
        return attachment.decision is not None and policies.can_see_decision(
            viewer, attachment.decision, attachment.application, project
        )
    return policies.can_read_application_content(viewer, attachment.application, project)


def can_see_attachment(viewer: Viewer, attachment: AttachmentFacts, project: ProjectFacts) -> bool:
    """Its metadata (name, type, size, SHA-256, scan status)."""
    return not attachment.is_removed and can_see_owner(viewer, attachment, project)


def can_download_attachment(
    viewer: Viewer, attachment: AttachmentFacts, project: ProjectFacts
) -> bool:
    if not can_see_attachment(viewer, attachment, project):
        return False
    if attachment.scan_status in SERVABLE:
        return True
    return attachment.scan_status is not ScanStatus.INFECTED and is_uploader(viewer, attachment)


def can_add_application_attachment(
    viewer: Viewer, app: ApplicationFacts, project: ProjectFacts
) -> bool:
    """Files of the application itself are added to the draft by the customer (later ones
    come with a supplement answer or a message)."""
    return (
        policies.can_edit_application(viewer, app, project)
        and app.status is ApplicationStatus.DRAFT
    )


def can_remove_attachment(
    viewer: Viewer, attachment: AttachmentFacts, project: ProjectFacts
) -> bool:
    """Only a draft's own attachments can be removed; what was sent stays as it was sent."""
    return (
        attachment.owner_kind is AttachmentOwner.APPLICATION
        and attachment.application is not None
        and can_see_attachment(viewer, attachment, project)
        and can_add_application_attachment(viewer, attachment.application, project)
    )
