"""Scalars that read only what they say: `Date` is a calendar date, YYYY-MM-DD.

Strawberry's Date accepts whatever `date.fromisoformat` does, which since Python 3.11 is
also ISO week dates (`2027-W01`), ordinal dates and the basic format (`20270101`).
"""

from __future__ import annotations

import re
from datetime import date

import strawberry
from strawberry.types.scalar import ScalarDefinition

_CALENDAR_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_calendar_date(value: object) -> date:
    if not isinstance(value, str) or _CALENDAR_DATE.fullmatch(value) is None:
        raise ValueError("Expected a calendar date, YYYY-MM-DD.")
    return date.fromisoformat(value)  # ValueError for 2027-02-30


CalendarDate = strawberry.scalar(
    name="Date",
    description="Date (isoformat)",
    serialize=date.isoformat,
    parse_value=parse_calendar_date,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {date: CalendarDate}
