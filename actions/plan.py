"""Loading a project's permit plan (models/plan.py) from its rows and the statistics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from actions.statistics import Snapshot, snapshot
from models import (
    Application,
    Decision,
    PermitKind,
    PermitType,
    ProcessingCase,
    Project,
    SupplementRequest,
)
from models.plan import Plan, compute_plan, item_of
from models.processing import Metric
from models.settings import get_settings
from models.statistics import ExpectedSource, expected_days, figures

Row = Mapping[str, Any]


def expected_for(stats: Snapshot, permit_type: Row) -> tuple[int, ExpectedSource]:
    """Expected days to a decision for a permit type: its statistics, else the catalogue."""
    minimum = get_settings().stats_min_cases
    cell = stats.cell(permit_type["id"], permit_type["authority_id"])
    return expected_days(
        figures(cell.histograms.get(Metric.DECISION, ()), minimum),
        figures(cell.histograms.get(Metric.CUSTOMER_WAIT, ()), minimum),
        int(permit_type["processing_days"]),
    )


def open_supplement_due(supplements: Iterable[Row]) -> date | None:
    """The due date of the request the authority waits for (the newest open one)."""
    due = None
    for row in supplements:
        if row["answered_at"] is None and row["closed_at"] is None:
            due = row["due_date"]
    return due


def build_plan(
    project: Row,
    applications: Iterable[Row],
    permit_types: Mapping[int, Row],
    kinds: Mapping[int, Row],
    cases: Mapping[int, Row],
    decided_on: Mapping[int, date],
    supplement_due: Mapping[int, date | None],
    stats: Snapshot,
    now: datetime | None = None,
) -> Plan:
    moment = now or datetime.now(UTC)
    items = []
    for app in applications:
        permit_type = permit_types[app["permit_type_id"]]
        items.append(
            item_of(
                app,
                permit_type,
                kinds[permit_type["kind_id"]],
                expected_for(stats, permit_type),
                case=cases.get(app["id"]),
                decided_on=decided_on.get(app["id"]),
                supplement_due=supplement_due.get(app["id"]),
                now=moment,
            )
        )
    return compute_plan(project["starts_on"], moment.date(), items)


CASE_FIELDS = ("application_id", "submitted_at", "wait_seconds", "waiting_since")


async def project_plan(
    conn: BaseDBAsyncClient, project_id: int
) -> tuple[Plan, list[dict[str, Any]], list[dict[str, Any]]]:
    """The plan of a project as the transaction `conn` sees it, its application rows (in id
    order) and the open supplement requests of its applications (in id order)."""
    project = (await Project.filter(id=project_id).using_db(conn).values("id", "starts_on"))[0]
    apps = (
        await Application.filter(project_id=project_id)
        .using_db(conn)
        .order_by("id")
        .values("id", "status", "permit_type_id", "submitted_at", "final_at", "created_by_id")
    )
    ids = [a["id"] for a in apps] or [0]
    permit_types = {
        r["id"]: r
        for r in await PermitType.filter(id__in={a["permit_type_id"] for a in apps} or {0})
        .using_db(conn)
        .values("id", "kind_id", "authority_id", "processing_days", "lead_time_days")
    }
    kinds = {
        r["id"]: r
        for r in await PermitKind.filter(
            id__in={t["kind_id"] for t in permit_types.values()} or {0}
        )
        .using_db(conn)
        .values("id", "code", "requires")
    }
    cases = {
        r["application_id"]: r
        for r in await ProcessingCase.filter(application_id__in=ids)
        .using_db(conn)
        .values(*CASE_FIELDS)
    }
    decided = {
        r["application_id"]: r["decided_on"]
        for r in await Decision.filter(application_id__in=ids)
        .using_db(conn)
        .values("application_id", "decided_on")
    }
    open_requests = (
        await SupplementRequest.filter(application_id__in=ids, answered_at=None, closed_at=None)
        .using_db(conn)
        .order_by("id")
        .values("application_id", "due_date", "answered_at", "closed_at")
    )
    supplements: dict[int, list[Row]] = {}
    for row in open_requests:
        supplements.setdefault(row["application_id"], []).append(row)
    due = {app_id: open_supplement_due(rows) for app_id, rows in supplements.items()}
    plan = build_plan(project, apps, permit_types, kinds, cases, decided, due, await snapshot())
    return plan, apps, open_requests
