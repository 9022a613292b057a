"""Throttling counts shared by every worker when no Redis is configured."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ThrottleCount(Model):
    """How much one client spent of one allowance in one time window (see app.throttle)."""

    key = fields.CharField(max_length=200, primary_key=True, description="kind:who:window")
    total = fields.IntField(default=0, description="Failures or cost points in the window")
    expires_at = fields.DatetimeField(description="End of the window, when the row can go")

    class Meta:
        table = "throttle_count"
