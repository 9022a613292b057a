"""Attachments: files that belong to an application draft, a supplement answer, a message or a
decision (and, later, other owners: `AttachmentOwner` is the list), and their scan state.

The file itself is in the attachment store (app/storage.py) under `storage_key`; the row
records what the content is (type from its magic bytes, size, SHA-256) and whether the
virus scanner has passed it. A removed attachment keeps its row (who removed it, when) and
loses its file.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.identity import Organisation, Person
    from models.projects import Application, Project


class AttachmentOwner(StrEnum):
    """What an attachment belongs to; its visibility follows that owner's."""

    APPLICATION = "APPLICATION"  # an application itself (added to the draft)
    SUPPLEMENT = "SUPPLEMENT"  # the customer's answer to a supplement request
    MESSAGE = "MESSAGE"  # a message in a discussion
    DECISION = "DECISION"  # the decision the handler recorded


class ScanStatus(StrEnum):
    PENDING = "PENDING"  # not scanned yet: only its uploader may download it
    CLEAN = "CLEAN"  # the scanner found nothing
    INFECTED = "INFECTED"  # quarantined: never served to anyone
    SCAN_FAILED = "SCAN_FAILED"  # the scanner could not answer; retried with backoff
    NOT_SCANNED = "NOT_SCANNED"  # no scanner configured (ATTACHMENT_SCANNER=none)


#: Statuses in which anyone allowed to see the owner may download the file.
SERVABLE = frozenset({ScanStatus.CLEAN, ScanStatus.NOT_SCANNED})


class Attachment(Model):
    id = fields.IntField(primary_key=True)
    owner_kind = fields.CharEnumField(AttachmentOwner, max_length=16)
    owner_id = fields.IntField(description="Id of the owner row (application, supplement, ...)")
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="attachments", on_delete=fields.RESTRICT
    )
    project_id: int
    application: fields.ForeignKeyNullableRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="attachments", null=True, on_delete=fields.RESTRICT
    )
    application_id: int | None
    requirement_kind = fields.CharField(
        max_length=64, null=True, description="The permit type's attachment requirement it meets"
    )
    name = fields.CharField(max_length=255, description="File name as given (checked)")
    content_type = fields.CharField(max_length=128, description="Detected from the content")
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    storage_key = fields.CharField(max_length=128, null=True, description="Null once removed")
    scan_status = fields.CharEnumField(ScanStatus, max_length=16, default=ScanStatus.PENDING)
    scan_result = fields.CharField(max_length=200, null=True, description="e.g. the signature")
    scanned_at = fields.DatetimeField(null=True)
    uploaded_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="attachments_uploaded", null=True, on_delete=fields.RESTRICT
    )
    uploaded_by_id: int | None
    uploaded_by_label = fields.CharField(max_length=200)
    uploader_system_id = fields.IntField(
        null=True, description="The authority whose system uploaded it (API-client tokens)"
    )
    acting_for: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation",
        related_name="attachments_acted_for",
        null=True,
        on_delete=fields.RESTRICT,
    )
    acting_for_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    removed_at = fields.DatetimeField(null=True)
    removed_by_label = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "attachment"
        indexes = (
            Index(fields=("owner_kind", "owner_id")),
            Index(fields=("application_id", "id")),
            Index(fields=("project_id", "id")),
        )


class StoredSecret(Model):
    """A secret the installation generates once and shares between its processes (e.g. the
    key that signs download links, unless ATTACHMENT_URL_SECRET is set)."""

    name = fields.CharField(max_length=64, primary_key=True)
    value = fields.CharField(max_length=200)

    class Meta:
        table = "stored_secret"
