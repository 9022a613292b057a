"""Authority queries: the inbox and the audit log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from functools import partial
from typing import Annotated, Any

import strawberry
from tortoise.expressions import Q

from actions import inbox_counts
from models import Application as ApplicationModel
from models import AuditEntry as AuditEntryModel
from models.statuses import ApplicationStatus as DomainStatus
from permissions import filters, policies
from permissions.fields import authenticated, authority_only
from resolvers import planned
from resolvers.context import Info
from resolvers.loaders import APPLICATION_FIELDS as _APPLICATION_FIELDS
from schema.application import Application
from schema.authority_work import AuditEntry
from schema.common import (
    After,
    Connection,
    First,
    Page,
    connection,
    decode_cursor,
    page_size,
    top_level_error,
)
from schema.enums import ApplicationStatus, describe
from schema.node import parse_global_id


@strawberry.enum(description="Order of the inbox.")
class InboxOrder(Enum):
    SUBMITTED_OLDEST_FIRST = "SUBMITTED_OLDEST_FIRST"
    SUBMITTED_NEWEST_FIRST = "SUBMITTED_NEWEST_FIRST"
    UPDATED_NEWEST_FIRST = "UPDATED_NEWEST_FIRST"


describe(
    InboxOrder,
    {
        "SUBMITTED_OLDEST_FIRST": "First come, first served.",
        "SUBMITTED_NEWEST_FIRST": "Newest submissions first.",
        "UPDATED_NEWEST_FIRST": "Most recently changed first (e.g. answered supplements).",
    },
)

_ORDER: dict[InboxOrder, tuple[str, bool]] = {
    InboxOrder.SUBMITTED_OLDEST_FIRST: ("submitted_at", True),
    InboxOrder.SUBMITTED_NEWEST_FIRST: ("submitted_at", False),
    InboxOrder.UPDATED_NEWEST_FIRST: ("updated_at", False),
}


@strawberry.input(description="Filters of the inbox; all given filters must match.")
class InboxFilter:
    statuses: list[ApplicationStatus] | None = strawberry.field(
        default=None, description="Only these statuses."
    )
    assigned_to_me: bool | None = strawberry.field(
        default=None, description="True: only applications taken by me."
    )
    unassigned: bool | None = strawberry.field(
        default=None, description="True: only applications nobody has taken."
    )
    permit_type_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this permit type."
    )
    municipality_code: str | None = strawberry.field(
        default=None, description="Only projects in this municipality."
    )
    project_name: str | None = strawberry.field(
        default=None, description="Only projects whose name contains this text (case-insensitive)."
    )
    authority_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this one of my authorities."
    )


def _authorities(info: Info, filter: InboxFilter | None) -> list[int]:
    """The viewer's authorities that the inbox shows (narrowed by `filter.authorityId`)."""
    only = None
    if filter is not None and filter.authority_id is not None:
        only = parse_global_id(filter.authority_id, "Authority") or 0
    return sorted(policies.inbox_authorities(info.context.viewer, only)) or [0]


def _statuses(filter: InboxFilter | None) -> list[DomainStatus] | None:
    if filter is None or not filter.statuses:
        return None
    return [DomainStatus(s) for s in filter.statuses]


def _narrowing(info: Info, filter: InboxFilter | None) -> list[Q]:
    """The filters beyond authorities and statuses: the inbox's kept counts cannot answer
    these, so with any of them `totalCount` counts the rows."""
    if filter is None:
        return []
    narrowing = []
    if filter.assigned_to_me:
        narrowing.append(Q(assigned_to_id=info.context.viewer.person_id or 0))
    if filter.unassigned:
        narrowing.append(Q(assigned_to_id=None))
    if filter.permit_type_id is not None:
        narrowing.append(
            Q(permit_type_id=parse_global_id(filter.permit_type_id, "PermitType") or 0)
        )
    if filter.municipality_code is not None:
        narrowing.append(Q(project__municipality_id=filter.municipality_code[:3]))
    if filter.project_name:
        narrowing.append(Q(project__name__icontains=filter.project_name[:200]))
    return narrowing


async def inbox(
    info: Info,
    filter: Annotated[InboxFilter | None, strawberry.argument(description="What to show.")] = None,
    order_by: Annotated[
        InboxOrder, strawberry.argument(description="In which order.")
    ] = InboxOrder.SUBMITTED_OLDEST_FIRST,
    first: First = None,
    after: After = None,
) -> Connection[Application]:
    size = page_size(first)
    authorities, statuses = _authorities(info, filter), _statuses(filter)
    narrowing = _narrowing(info, filter)
    query = ApplicationModel.filter(filters.inbox_applications(authorities))
    if statuses:
        query = query.filter(status__in=statuses)
    if narrowing:
        query = query.filter(*narrowing)
    # totalCount only when selected: from the kept counts (actions/inbox_counts.py) unless
    # a narrowing filter needs the rows counted
    total: Callable[[], Awaitable[int]] = (
        query.count if narrowing else lambda: inbox_counts.totals(authorities, statuses)
    )
    # the same, for the planner to read with the page (in one statement)
    count = query.count() if narrowing else inbox_counts.totals_query(authorities, statuses)
    column, ascending = _ORDER[order_by]
    if after is not None:
        moment, after_id = decode_cursor(after, 2)
        try:
            at = datetime.fromisoformat(str(moment))
        except ValueError as exc:
            raise top_level_error("BAD_USER_INPUT", "Invalid cursor.") from exc
        if not isinstance(after_id, int):
            raise top_level_error("BAD_USER_INPUT", "Invalid cursor.")
        beyond = "gt" if ascending else "lt"
        later: dict[str, Any] = {f"{column}__{beyond}": at}
        same_moment_later: dict[str, Any] = {column: at, f"id__{beyond}": after_id}
        query = query.filter(Q(**later) | Q(**same_moment_later))
    ordering = (column, "id") if ascending else (f"-{column}", "-id")
    page = query.order_by(*ordering).limit(size + 1)
    plan = await planned.plan_inbox(info, page, ordering, size, count)
    if plan is None:
        rows = await page.values(*_APPLICATION_FIELDS)
    else:  # the page, and its count when selected, came with the plan
        rows, counted = plan
        if counted is not None:
            value = int(counted) if narrowing else inbox_counts.total_of(counted)
            total = partial(_counted, value)
    for row in rows[:size]:
        info.context.loaders.application.prime(row["id"], row)
    return connection(
        Page(rows[:size], len(rows) > size),
        total,
        Application.from_row,
        lambda r: [r[column].isoformat(), r["id"]],
    )


async def _counted(value: int) -> int:
    return value


async def audit_log(
    info: Info,
    authority_id: Annotated[strawberry.ID, strawberry.argument(description="The authority.")],
    first: First = None,
    after: After = None,
) -> Connection[AuditEntry]:
    db_id = parse_global_id(authority_id, "Authority")
    if db_id is None or not policies.can_read_audit_log(info.context.viewer, db_id):
        raise top_level_error("FORBIDDEN", "Only the authority's admins can read its audit log.")
    size = page_size(first)
    query = AuditEntryModel.filter(authority_id=db_id)
    total = query.count  # counted only when totalCount is selected
    if after is not None:
        (after_id,) = decode_cursor(after, 1)
        query = query.filter(id__lt=after_id if isinstance(after_id, int) else 0)
    rows = await query.order_by("-id").limit(size + 1).values()
    return connection(
        Page(rows[:size], len(rows) > size), total, AuditEntry.from_row, lambda r: [r["id"]]
    )


@strawberry.type
class InboxQuery:
    """Query fields of this area: the authorities' inbox."""

    inbox: Connection[Application] = strawberry.field(
        resolver=inbox,
        extensions=authority_only(),
        description="Submitted applications addressed to the viewer's authorities (each labelled "
        "by `authority`), filtered, sorted and paginated.",
    )


@strawberry.type
class AuditQuery:
    """Query fields of this area: the audit log."""

    audit_log: Connection[AuditEntry] = strawberry.field(
        resolver=audit_log,
        extensions=authenticated(),
        description="An authority's audit log, newest first; for its admins.",
    )
