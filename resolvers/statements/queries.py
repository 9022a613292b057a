"""Statement requests of the viewer's authorities: asked of them, or made by them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from tortoise.expressions import Q

from models import StatementRequest as StatementModel
from models.statements import StatementStatus as DomainStatus
from permissions import policies
from resolvers.context import Info
from resolvers.loaders import STATEMENT_FIELDS
from schema.common import After, Connection, First, Page, connection, decode_cursor, page_size
from schema.statements import StatementRequest, StatementStatus, visible_statement


@strawberry.input(description="Filters of statementRequests; all given filters must match.")
class StatementRequestFilter:
    asked: bool | None = strawberry.field(
        default=None,
        description="True: asked of the viewer's authorities; false: asked by them; omitted: both.",
    )
    statuses: list[StatementStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only requests in these statuses."
    )
    is_overdue: bool | None = strawberry.field(
        default=None, description="True: only open requests past their due date."
    )


async def statement_requests(
    info: Info,
    filter: Annotated[
        StatementRequestFilter | None, strawberry.argument(description="Which requests.")
    ] = None,
    first: First = None,
    after: After = None,
) -> Connection[StatementRequest]:
    # the viewer's authorities' requests; each is then shown as policies.can_see_statement says
    authorities = sorted(policies.inbox_authorities(info.context.viewer)) or [0]
    asked_of = Q(asked_authority_id__in=authorities)
    asked_by = Q(requesting_authority_id__in=authorities)
    chosen = filter or StatementRequestFilter()
    where = asked_of | asked_by if chosen.asked is None else asked_of if chosen.asked else asked_by
    query = StatementModel.filter(where)
    if chosen.statuses:
        query = query.filter(status__in=[DomainStatus(s) for s in chosen.statuses])
    if chosen.is_overdue:
        query = query.filter(status=DomainStatus.OPEN, due_date__lt=datetime.now(UTC).date())
    size = page_size(first)
    total = query.count
    if after is not None:
        (after_id,) = decode_cursor(after, 1)
        query = query.filter(id__lt=after_id if isinstance(after_id, int) else 0)
    rows = (
        await query.order_by("-id")
        .limit(size + 1)
        .values(*STATEMENT_FIELDS, project_id="application__project_id")
    )
    for row in rows:
        info.context.loaders.statement.prime(row["id"], row)
    nodes = [await visible_statement(info, row["id"]) for row in rows[:size]]
    visible = [n for n in nodes if n is not None]
    return connection(Page(visible, len(rows) > size), total, lambda n: n, lambda n: [n.id])
