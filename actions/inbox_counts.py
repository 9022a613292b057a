"""The inbox's counts (`models.InboxCount`), kept in the same transaction as every change.

An application counts for `(authority_id, status)` once it has been submitted.
`actions.applications.save` notes how a change moves it between those keys
(`Tx.inbox_deltas`); `actions.base.atomic` applies the net changes just before the commit,
in key order, so that concurrent changes lock the count rows in one order and hold them
only for the commit. `recount` rebuilds every count from the applications.

The counts are policies.is_in_inbox in SQL (submitted, under the viewer's authorities), kept
ahead of time; tests/permissions/test_filters.py proves them equal to counting what the
policy puts in each kind of viewer's inbox (kept as the actions keep them, and recounted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Sum
from tortoise.queryset import ValuesQuery
from tortoise.transactions import in_transaction

from actions.sql import param
from models import Application, InboxCount
from models.statuses import ApplicationStatus

InboxKey = tuple[int, str]

#: Every count from the applications, into an empty `inbox_count` (SQLite and PostgreSQL).
#: Migration 0005 runs the same statement; migrations keep their own copy.
COUNT_ALL_SQL = (
    "INSERT INTO inbox_count (authority_id, status, total) "
    "SELECT authority_id, status, COUNT(*) FROM application "
    "WHERE submitted_at IS NOT NULL GROUP BY authority_id, status"
)


def inbox_key(application: Application) -> InboxKey | None:
    """Where an application counts in the inbox; None while it has not been submitted."""
    if application.submitted_at is None:
        return None
    return (application.authority_id, ApplicationStatus(application.status).value)


def note_move(deltas: Counter[InboxKey], old: InboxKey | None, new: InboxKey | None) -> None:
    if old == new:
        return
    if old is not None:
        deltas[old] -= 1
    if new is not None:
        deltas[new] += 1


async def apply(conn: BaseDBAsyncClient, deltas: Counter[InboxKey]) -> None:
    """Add the net changes to the counts (an upsert per key, in key order)."""
    p = param(conn)
    sql = (
        f"INSERT INTO inbox_count (authority_id, status, total) VALUES ({p(1)}, {p(2)}, {p(3)}) "
        "ON CONFLICT (authority_id, status) DO UPDATE SET total = inbox_count.total + excluded.total"
    )
    for (authority_id, status), delta in sorted(deltas.items()):
        if delta:
            await conn.execute_query(sql, [authority_id, status, delta])


def totals_query(
    authority_ids: list[int], statuses: list[ApplicationStatus] | None
) -> ValuesQuery[Any]:
    """The query of `totals`: one row, the sum (NULL when no count matches)."""
    query = InboxCount.filter(authority_id__in=authority_ids or [0])
    if statuses:
        query = query.filter(status__in=statuses)
    return query.annotate(sum=Sum("total")).values("sum")


def total_of(value: Any) -> int:
    """The sum `totals_query` reads, as `totals` gives it."""
    return int(value or 0)


async def totals(authority_ids: list[int], statuses: list[ApplicationStatus] | None) -> int:
    """Submitted applications of these authorities, in these statuses (all when None)."""
    rows: Sequence[dict[str, Any]] = await totals_query(authority_ids, statuses)
    return total_of(rows[0]["sum"] if rows else None)


async def recount() -> int:
    """Rebuild every count from the applications; returns how many counts there are."""
    async with in_transaction() as conn:
        await InboxCount.all().using_db(conn).delete()
        await conn.execute_query(COUNT_ALL_SQL)
        return await InboxCount.all().using_db(conn).count()
