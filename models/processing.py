"""Processing times: one row per submitted application, and the histogram the statistics read.

`ProcessingCase` follows an application from its submission: when it was first handled,
how long it has waited for the customer (INFORMATION_REQUESTED), when it got its final
status. `ProcessingHistogram` counts finished cases per permit type, authority, metric,
calendar month and whole days, so that the public statistics read a few hundred rows
instead of the status history. Both are written by `actions.statistics` in the same
transaction as the status change (`actions.applications.change_status`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.statuses import ApplicationStatus

if TYPE_CHECKING:
    from models.projects import Application


class Metric(StrEnum):
    """What a histogram row counts, in whole days per case."""

    #: submission to the first handling status (out of NOT_STARTED, not a withdrawal)
    FIRST_HANDLING = "FIRST_HANDLING"
    #: submission to the decision (a final status other than WITHDRAWN), without the
    #: time spent waiting for the customer
    DECISION = "DECISION"
    #: the time a decided case spent waiting for the customer (INFORMATION_REQUESTED)
    CUSTOMER_WAIT = "CUSTOMER_WAIT"


class ProcessingCase(Model):
    """The processing-time facts of one submitted application."""

    id = fields.IntField(primary_key=True)
    application: fields.OneToOneRelation[Application] = fields.OneToOneField(
        "models.Application", related_name="processing_case", on_delete=fields.CASCADE
    )
    application_id: int
    permit_type_id = fields.IntField()
    authority_id = fields.IntField()
    submitted_at = fields.DatetimeField()
    first_handled_at = fields.DatetimeField(null=True)
    waiting_since = fields.DatetimeField(
        null=True, description="Since when it waits for the customer, while it does"
    )
    wait_seconds = fields.IntField(
        default=0, description="Time spent waiting for the customer, closed waits only"
    )
    final_at = fields.DatetimeField(null=True)
    final_status = fields.CharEnumField(ApplicationStatus, max_length=24, null=True)

    class Meta:
        table = "processing_case"


class ProcessingHistogram(Model):
    """How many cases took `days` whole days, per permit type, authority, metric and month."""

    id = fields.IntField(primary_key=True)
    permit_type_id = fields.IntField()
    authority_id = fields.IntField()
    metric = fields.CharEnumField(Metric, max_length=16)
    period = fields.DateField(description="First day of the month the case was counted in")
    days = fields.IntField()
    cases = fields.IntField(default=0)
    within_typical = fields.IntField(
        default=0, description="DECISION: cases within the catalogue's typical processing days"
    )

    class Meta:
        table = "processing_histogram"
        unique_together = (("permit_type_id", "authority_id", "metric", "period", "days"),)
        indexes = (Index(fields=("period",)),)
