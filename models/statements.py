"""Statement requests between authorities (lausuntopyyntö).

The handling authority of an application asks another authority for a statement by a
due date; the asked authority sees the application's content for that purpose while the
request is open (`permissions.policies.can_read_content_for_statement`), and answers with
a text or declines. Attachments are kept open: an answer's files will refer to the request.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.identity import Organisation, Person
    from models.projects import Application


class StatementStatus(StrEnum):
    OPEN = "OPEN"
    ANSWERED = "ANSWERED"
    DECLINED = "DECLINED"
    #: the application got its final status while the request was open
    CANCELLED = "CANCELLED"


class StatementRequest(Model):
    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="statement_requests", on_delete=fields.CASCADE
    )
    application_id: int
    requesting_authority: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="statements_requested", on_delete=fields.RESTRICT
    )
    requesting_authority_id: int
    asked_authority: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="statements_asked", on_delete=fields.RESTRICT
    )
    asked_authority_id: int
    question = fields.TextField()
    due_date = fields.DateField()
    status = fields.CharEnumField(StatementStatus, max_length=16, default=StatementStatus.OPEN)
    requested_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person",
        related_name="statement_requests_made",
        null=True,
        on_delete=fields.RESTRICT,
    )
    requested_by_id: int | None
    requested_by_label = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    answer = fields.TextField(null=True)
    decline_reason: str | None = fields.TextField(null=True)
    answered_at = fields.DatetimeField(null=True, description="Answered, declined or cancelled")
    answered_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="statements_answered", null=True, on_delete=fields.RESTRICT
    )
    answered_by_id: int | None
    answered_by_label = fields.CharField(max_length=200, null=True)
    is_shared_with_customer = fields.BooleanField(
        default=False, description="The handling authority shared the texts with the customer"
    )

    class Meta:
        table = "statement_request"
        indexes = (
            Index(fields=("application_id", "id")),
            Index(fields=("asked_authority_id", "status", "due_date")),
            Index(fields=("requesting_authority_id", "status", "due_date")),
        )
