"""The transactional outbox: every notice and delivery, written with the change that causes it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class OutboxKind(StrEnum):
    EMAIL = "EMAIL"
    DELIVERY = "DELIVERY"
    SCAN = "SCAN"  # an attachment to pass through the virus scanner


class OutboxStatus(StrEnum):
    PENDING = "PENDING"  # waiting to be sent, or to be retried at next_attempt_at
    DELIVERED = "DELIVERED"
    KEPT = "KEPT"  # an e-mail kept in the database instead of sent (no SMTP_HOST): `luukku mail`
    DEAD = "DEAD"  # the retry schedule ran out; an admin or operator may retry it
    CANCELLED = "CANCELLED"  # a scheduled reminder that was no longer true


class OutboxItem(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(OutboxKind, max_length=16)
    status = fields.CharEnumField(OutboxStatus, max_length=16, default=OutboxStatus.PENDING)
    event_id = fields.CharField(
        max_length=64, unique=True, description="Stable id (CloudEvents id)"
    )
    topic = fields.CharField(max_length=64, description="e.g. application.submitted")
    authority_id = fields.IntField(
        null=True, description="The authority concerned (its admins see it)"
    )
    application_id = fields.IntField(null=True)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField(
        description="E-mail: to, subject, text, html. Delivery: url, event."
    )
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    locked_by = fields.CharField(max_length=64, null=True)
    locked_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_item"
        indexes = (
            Index(fields=("status", "next_attempt_at")),
            Index(fields=("authority_id", "status", "id")),
            # an application's scheduled reminders (actions/reminders.py)
            Index(fields=("application_id", "status")),
        )


class KeptMail(Model):
    """A mail kept instead of sent, when no SMTP server is configured (the demo's mailbox)."""

    id = fields.IntField(primary_key=True)
    outbox_item_id = fields.IntField(unique=True)
    to = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    text = fields.TextField()
    html = fields.TextField()
    language = fields.CharField(max_length=2)
    kept_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "kept_mail"
