"""Processing-time statistics, kept in the same transaction as every status change.

`record` follows an application's status changes in its `ProcessingCase` row and, when a
case reaches a milestone (first handled, decided), adds it to `ProcessingHistogram` with
one upsert per metric. `snapshot` reads the histograms of the window once per process and
STATS_CACHE_SECONDS (the figures are aggregates: a minute's delay does not matter, and a
change in this process clears the cache at once). `rebuild` recomputes both tables from
the status history (`luukku statistics rebuild`, migration 0011 and the benchmark's data).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from actions.shared_read import SharedRead
from actions.sql import param
from models import Application, ProcessingCase, ProcessingHistogram
from models.processing import Metric
from models.settings import get_settings
from models.statistics import Histogram, histogram, month_start, window_start
from models.statuses import FINAL, ApplicationStatus

S = ApplicationStatus
DAY = 86_400

# --- writing, in the action's transaction ------------------------------------------------------


def _days(seconds: float) -> int:
    return int(max(0.0, seconds) // DAY)


async def _count(
    conn: BaseDBAsyncClient,
    case: ProcessingCase,
    metric: Metric,
    moment: datetime,
    days: int,
    within: int = 0,
) -> None:
    p = param(conn)
    period: Any = month_start(moment.astimezone(UTC).date())
    if conn.capabilities.dialect == "sqlite":
        period = period.isoformat()  # as Tortoise stores dates in SQLite
    await conn.execute_query(
        "INSERT INTO processing_histogram "
        "(permit_type_id, authority_id, metric, period, days, cases, within_typical) "
        f"VALUES ({p(1)}, {p(2)}, {p(3)}, {p(4)}, {p(5)}, 1, {p(6)}) "
        "ON CONFLICT (permit_type_id, authority_id, metric, period, days) DO UPDATE SET "
        "cases = processing_histogram.cases + excluded.cases, "
        "within_typical = processing_histogram.within_typical + excluded.within_typical",
        [case.permit_type_id, case.authority_id, metric.value, period, days, within],
    )


async def record(
    conn: BaseDBAsyncClient,
    application: Application,
    source: ApplicationStatus,
    target: ApplicationStatus,
    moment: datetime,
    typical_days: int,
) -> bool:
    """Follow one status change in the application's case. Returns True when it changed a
    histogram (the statistics of this process are then cleared after the commit)."""
    if target is S.NOT_STARTED:
        await ProcessingCase.create(
            application_id=application.id,
            permit_type_id=application.permit_type_id,
            authority_id=application.authority_id,
            submitted_at=moment,
            using_db=conn,
        )
        return False
    case = await ProcessingCase.filter(application_id=application.id).using_db(conn).first()
    if case is None:  # a draft withdrawn, or history from before the statistics existed
        return False
    counted = False
    if source is S.NOT_STARTED and target is not S.WITHDRAWN and case.first_handled_at is None:
        case.first_handled_at = moment
        await _count(
            conn,
            case,
            Metric.FIRST_HANDLING,
            moment,
            _days((moment - case.submitted_at).total_seconds()),
        )
        counted = True
    if source is S.INFORMATION_REQUESTED and case.waiting_since is not None:
        case.wait_seconds += int((moment - case.waiting_since).total_seconds())
        case.waiting_since = None
    if target is S.INFORMATION_REQUESTED:
        case.waiting_since = moment
    if target in FINAL:
        case.final_at, case.final_status = moment, target
        if target is not S.WITHDRAWN:
            net = _days((moment - case.submitted_at).total_seconds() - case.wait_seconds)
            await _count(conn, case, Metric.DECISION, moment, net, 1 if net <= typical_days else 0)
            await _count(conn, case, Metric.CUSTOMER_WAIT, moment, _days(case.wait_seconds))
            counted = True
    await case.save(using_db=conn)
    return counted


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """The histograms of one permit type and authority over the window."""

    histograms: dict[Metric, Histogram]
    within_typical: int


@dataclass(frozen=True)
class Snapshot:
    window_start: date
    window_end: date
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)

    def cell(self, permit_type_id: int, authority_id: int) -> Cell:
        return self.cells.get((permit_type_id, authority_id), Cell({}, 0))


class _Cache:
    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.loaded_at = 0.0
        self.read: SharedRead[Snapshot] = SharedRead()
        self.loads = 0

    def keep(self, snapshot: Snapshot) -> None:
        self.snapshot, self.loaded_at = snapshot, time.monotonic()
        self.loads += 1


_cache = _Cache()


def invalidate() -> None:
    """Drop this process's statistics (a change in this process counted a case)."""
    _cache.snapshot = None
    _cache.read.drop()


async def _load(today: date) -> Snapshot:
    start = window_start(today, get_settings().stats_window_months)
    rows = (
        await ProcessingHistogram.filter(period__gte=start)
        .annotate(total=Sum("cases"), within=Sum("within_typical"))
        .group_by("permit_type_id", "authority_id", "metric", "days")
        .values("permit_type_id", "authority_id", "metric", "days", "total", "within")
    )
    raw: dict[tuple[int, int], dict[Metric, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    within: dict[tuple[int, int], int] = defaultdict(int)
    for row in rows:
        key = (row["permit_type_id"], row["authority_id"])
        raw[key][Metric(row["metric"])].append((int(row["days"]), int(row["total"])))
        within[key] += int(row["within"] or 0)
    cells = {
        key: Cell({metric: histogram(values) for metric, values in metrics.items()}, within[key])
        for key, metrics in raw.items()
    }
    return Snapshot(start, today, cells)


async def snapshot() -> Snapshot:
    """The statistics of the window, as this process last read them (STATS_CACHE_SECONDS):
    by one read for every caller (`SharedRead`); while an expired snapshot of today's window
    is read again, the others are served it."""
    ttl = get_settings().stats_cache_seconds
    today = datetime.now(UTC).date()
    while True:
        current = _cache.snapshot
        if current is not None and current.window_end != today:
            current = None  # of another day's window
        if current is not None and time.monotonic() - _cache.loaded_at < ttl:
            return current
        if not _cache.read.reading:
            return await _cache.read.read(partial(_load, today), _cache.keep)
        if current is not None:
            return current  # expired, not dropped: until the fresh one is read
        found = await _cache.read.wait()
        if found is not None and found.window_end == today:
            return found


def loads() -> int:
    """How many times this process has read the histograms (tests and the benchmark)."""
    return _cache.loads


# --- rebuilding from the status history ----------------------------------------------------------


def rebuild_statements(dialect: str) -> list[str]:
    """SQL that recomputes `processing_case` and `processing_histogram` from the status
    history, for SQLite or PostgreSQL (the same steps as `record`, for every application)."""
    if dialect == "postgres":

        def seconds(a: str, b: str) -> str:
            return f"CAST(EXTRACT(EPOCH FROM ({b} - {a})) AS BIGINT)"

        def days(x: str) -> str:
            return f"CAST(FLOOR(GREATEST(0, {x}) / {DAY}.0) AS INTEGER)"

        def month(ts: str) -> str:
            return f"CAST(date_trunc('month', {ts} AT TIME ZONE 'UTC') AS DATE)"

    else:

        def seconds(a: str, b: str) -> str:
            return f"CAST(ROUND((julianday({b}) - julianday({a})) * {DAY}) AS INTEGER)"

        def days(x: str) -> str:
            return f"(MAX(0, {x}) / {DAY})"

        def month(ts: str) -> str:
            return f"date({ts}, 'start of month')"

    finals = ", ".join(f"'{s.value}'" for s in sorted(FINAL))
    decided = f"c.final_at IS NOT NULL AND c.final_status <> '{S.WITHDRAWN.value}'"
    net = f"({seconds('c.submitted_at', 'c.final_at')} - c.wait_seconds)"
    insert = (
        "INSERT INTO processing_histogram "
        "(permit_type_id, authority_id, metric, period, days, cases, within_typical) "
    )
    return [
        "DELETE FROM processing_histogram",
        "DELETE FROM processing_case",
        "INSERT INTO processing_case (application_id, permit_type_id, authority_id, "
        "submitted_at, first_handled_at, waiting_since, wait_seconds, final_at, final_status) "
        "SELECT a.id, a.permit_type_id, a.authority_id, COALESCE(h.submitted_at, a.submitted_at), "
        "h.first_handled_at, "
        "h.waiting_since, COALESCE(h.wait_seconds, 0), h.final_at, h.final_status "
        "FROM application a LEFT JOIN ("
        "  SELECT application_id,"
        f"   MIN(CASE WHEN to_status = '{S.NOT_STARTED.value}' THEN created_at END) AS submitted_at,"
        f"   MIN(CASE WHEN from_status = '{S.NOT_STARTED.value}' AND to_status <> "
        f"'{S.WITHDRAWN.value}' THEN created_at END) AS first_handled_at,"
        f"   SUM(CASE WHEN to_status = '{S.INFORMATION_REQUESTED.value}' AND next_at IS NOT NULL "
        f"THEN {seconds('created_at', 'next_at')} ELSE 0 END) AS wait_seconds,"
        f"   MAX(CASE WHEN to_status = '{S.INFORMATION_REQUESTED.value}' AND next_at IS NULL "
        "THEN created_at END) AS waiting_since,"
        f"   MIN(CASE WHEN to_status IN ({finals}) THEN created_at END) AS final_at,"
        f"   MIN(CASE WHEN to_status IN ({finals}) THEN to_status END) AS final_status"
        "  FROM (SELECT application_id, from_status, to_status, created_at,"
        "         LEAD(created_at) OVER (PARTITION BY application_id ORDER BY id) AS next_at"
        "        FROM status_change) t"
        "  GROUP BY application_id"
        ") h ON h.application_id = a.id "
        "WHERE a.submitted_at IS NOT NULL",
        insert + f"SELECT c.permit_type_id, c.authority_id, '{Metric.FIRST_HANDLING.value}', "
        f"{month('c.first_handled_at')}, "
        f"{days(seconds('c.submitted_at', 'c.first_handled_at'))} AS d, COUNT(*), 0 "
        "FROM processing_case c WHERE c.first_handled_at IS NOT NULL "
        f"GROUP BY c.permit_type_id, c.authority_id, {month('c.first_handled_at')}, d",
        insert + f"SELECT c.permit_type_id, c.authority_id, '{Metric.DECISION.value}', "
        f"{month('c.final_at')}, {days(net)} AS d, COUNT(*), "
        f"SUM(CASE WHEN {days(net)} <= pt.processing_days THEN 1 ELSE 0 END) "
        "FROM processing_case c JOIN permit_type pt ON pt.id = c.permit_type_id "
        f"WHERE {decided} GROUP BY c.permit_type_id, c.authority_id, {month('c.final_at')}, d",
        insert + f"SELECT c.permit_type_id, c.authority_id, '{Metric.CUSTOMER_WAIT.value}', "
        f"{month('c.final_at')}, {days('c.wait_seconds')} AS d, COUNT(*), 0 "
        f"FROM processing_case c WHERE {decided} "
        f"GROUP BY c.permit_type_id, c.authority_id, {month('c.final_at')}, d",
    ]


async def rebuild() -> int:
    """Recompute the statistics from the status history; returns how many cases there are."""
    async with in_transaction() as conn:
        for statement in rebuild_statements(conn.capabilities.dialect):
            await conn.execute_script(statement)
        total = await ProcessingCase.all().using_db(conn).count()
    invalidate()
    return total
