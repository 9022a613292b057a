"""The outbox for authority admins (their own authority's items) and operators (all)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from actions import outbox as actions
from models import KeptMail as KeptMailModel
from models import OutboxItem as OutboxItemModel
from models.outbox import OutboxStatus as DomainStatus
from permissions import filters, policies
from permissions.fields import authenticated
from resolvers.context import Info
from resolvers.errors import run_action
from schema.common import (
    After,
    Connection,
    First,
    InputArgument,
    Page,
    UserError,
    connection,
    decode_cursor,
    page_size,
    top_level_error,
)
from schema.node import decode_id
from schema.outbox import KeptMail, OutboxItem, OutboxStatus


def _scope(info: Info) -> frozenset[int] | None:
    """None: every item (operators); else the authorities whose items the viewer administers."""
    viewer = info.context.viewer
    if not policies.can_manage_outbox(viewer):
        raise top_level_error("FORBIDDEN", "Only authority admins and operators see the outbox.")
    return policies.outbox_scope(viewer)


async def _page(query: Any, first: int | None, after: str | None, build: Any) -> Connection[Any]:
    size = page_size(first)
    total = query.count  # counted only when totalCount is selected
    if after is not None:
        (after_id,) = decode_cursor(after, 1)
        query = query.filter(id__lt=after_id if isinstance(after_id, int) else 0)
    rows = await query.order_by("-id").limit(size + 1).values()
    return connection(Page(rows[:size], len(rows) > size), total, build, lambda r: [r["id"]])


async def outbox_items(
    info: Info,
    status: Annotated[
        OutboxStatus | None,
        strawberry.argument(description="Only items in this status, e.g. DEAD."),
    ] = None,
    first: First = None,
    after: After = None,
) -> Connection[OutboxItem]:
    scope = _scope(info)
    query = OutboxItemModel.all()
    if scope is not None:
        query = query.filter(filters.outbox_items(scope))
    if status is not None:
        query = query.filter(status=DomainStatus(status))
    return await _page(query, first, after, OutboxItem.from_row)


async def kept_mails(info: Info, first: First = None, after: After = None) -> Connection[KeptMail]:
    if not policies.can_read_kept_mails(info.context.viewer):
        raise top_level_error("FORBIDDEN", "Only operators read the kept mails.")
    return await _page(KeptMailModel.all(), first, after, KeptMail.from_row)


@strawberry.input(description="Queue dead outbox items again.")
class OutboxRetryInput:
    ids: list[strawberry.ID] = strawberry.field(description="The dead items (OutboxItem ids).")


@strawberry.type(description="Result of outboxRetry.")
class OutboxRetryPayload:
    retried: int = strawberry.field(description="How many dead items were queued again.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was retried.")


async def outbox_retry(
    info: Info,
    input: Annotated[OutboxRetryInput, InputArgument],
) -> OutboxRetryPayload:
    scope = _scope(info)
    count, errors = await run_action(
        info,
        lambda: actions.retry(
            [decode_id(item, "OutboxItem", ["ids", str(i)]) for i, item in enumerate(input.ids)],
            scope,
        ),
    )
    return OutboxRetryPayload(retried=count or 0, user_errors=errors)


@strawberry.type
class OutboxQuery:
    """Query fields of this area: notices, deliveries and kept mails."""

    outbox_items: Connection[OutboxItem] = strawberry.field(
        resolver=outbox_items,
        extensions=authenticated(),
        description="Notices and deliveries, newest first: an authority admin's own authority's, "
        "or all for operators.",
    )
    kept_mails: Connection[KeptMail] = strawberry.field(
        resolver=kept_mails,
        extensions=authenticated(),
        description="Mails kept instead of sent (no SMTP server configured), newest first; operators.",
    )


@strawberry.type
class OutboxMutation:
    """Mutation fields of this area: the outbox."""

    outbox_retry: OutboxRetryPayload = strawberry.mutation(
        resolver=outbox_retry,
        extensions=authenticated(),
        description="Queue dead notices or deliveries again (authority admins, operators).",
    )
