"""What authorities add to applications: supplement requests, decisions, discussions, audit."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.statuses import ApplicationStatus

if TYPE_CHECKING:
    from models.identity import Organisation, Person
    from models.projects import Application, Project


class SupplementRequest(Model):
    """A handler's request for more information (täydennyspyyntö), and the customer's answer."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="supplement_requests", on_delete=fields.CASCADE
    )
    application_id: int
    message = fields.TextField()
    due_date = fields.DateField()
    requested_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="supplements_requested", null=True, on_delete=fields.RESTRICT
    )
    requested_by_id: int | None
    requested_by_label = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    answered_at = fields.DatetimeField(null=True)
    answered_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="supplements_answered", null=True, on_delete=fields.RESTRICT
    )
    answered_by_id: int | None
    answer_message = fields.TextField(null=True)
    answer_content: fields.JSONField[dict[str, Any] | None] = fields.JSONField(
        null=True, description="The form content as supplemented"
    )
    closed_at = fields.DatetimeField(
        null=True, description="Closed by the handler without an answer"
    )

    class Meta:
        table = "supplement_request"
        indexes = (Index(fields=("application_id", "id")),)


class Decision(Model):
    """The outcome of an application as the authority recorded it in Luukku."""

    id = fields.IntField(primary_key=True)
    application: fields.OneToOneRelation[Application] = fields.OneToOneField(
        "models.Application", related_name="decision", on_delete=fields.CASCADE
    )
    application_id: int
    outcome = fields.CharEnumField(ApplicationStatus, max_length=24)
    decided_on = fields.DateField()
    summary = fields.TextField()
    document_reference = fields.CharField(max_length=500, null=True)
    is_shared = fields.BooleanField(
        default=True, description="Visible to the other involved authorities"
    )
    recorded_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="decisions_recorded", null=True, on_delete=fields.RESTRICT
    )
    recorded_by_id: int | None
    recorded_by_label = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "decision"


class Thread(Model):
    """A discussion: one per application (customer ↔ its authority), one per project
    (customer ↔ all involved authorities)."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="threads", on_delete=fields.CASCADE
    )
    project_id: int
    application: fields.OneToOneNullableRelation[Application] = fields.OneToOneField(
        "models.Application", related_name="thread", null=True, on_delete=fields.CASCADE
    )
    application_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "thread"
        indexes = (Index(fields=("project_id", "id")),)


class Message(Model):
    id = fields.IntField(primary_key=True)
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "models.Thread", related_name="messages", on_delete=fields.CASCADE
    )
    thread_id: int
    author: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="messages_written", null=True, on_delete=fields.RESTRICT
    )
    author_id: int | None
    author_label = fields.CharField(max_length=200)
    acting_for: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation",
        related_name="messages_acted_for",
        null=True,
        on_delete=fields.RESTRICT,
    )
    acting_for_id: int | None
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "message"
        indexes = (Index(fields=("thread_id", "id")),)


class AuditAction(StrEnum):
    CONTENT_READ = "CONTENT_READ"
    EXPORT = "EXPORT"
    ASSIGNMENT = "ASSIGNMENT"
    STATUS_CHANGE = "STATUS_CHANGE"
    DECISION = "DECISION"
    NOTICE_REDIRECT = "NOTICE_REDIRECT"
    ATTACHMENT_READ = "ATTACHMENT_READ"
    SUBMISSION = "SUBMISSION"
    STATEMENT = "STATEMENT"


class AuditEntry(Model):
    """Who did what to which object, when, for which organisation, via which X-Road client."""

    id = fields.IntField(primary_key=True)
    action = fields.CharEnumField(AuditAction, max_length=24)
    object_type = fields.CharField(max_length=32)
    object_id = fields.IntField()
    authority: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation",
        related_name="audit_entries",
        on_delete=fields.RESTRICT,
        description="The authority whose application it concerns (its admins read the entry)",
    )
    authority_id: int
    actor: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="audit_entries_made", null=True, on_delete=fields.RESTRICT
    )
    actor_id: int | None
    actor_label = fields.CharField(max_length=200)
    acting_for: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation",
        related_name="audit_entries_acted_for",
        null=True,
        on_delete=fields.RESTRICT,
    )
    acting_for_id: int | None
    xroad_client = fields.CharField(max_length=500, null=True)
    xroad_id = fields.CharField(max_length=500, null=True)
    xroad_user_id = fields.CharField(max_length=500, null=True)
    details: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_entry"
        indexes = (Index(fields=("authority_id", "id")),)
