"""Processing-time statistics: kept by every status change, equal to a rebuild from history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from actions import statistics
from models import ProcessingCase, ProcessingHistogram, StatusChange
from models.processing import Metric
from models.statistics import figures, histogram, quantile, window_start
from models.statuses import ApplicationStatus as S
from tests.factories import make_application, make_customer, make_handler, make_project


def test_quantiles_are_nearest_rank() -> None:
    hist = histogram([(1, 2), (3, 1), (2, 1), (10, 1)])
    assert hist == ((1, 2), (2, 1), (3, 1), (10, 1))
    assert quantile(hist, 0.5) == 2  # rank 3 of 5
    assert quantile(hist, 0.8) == 3  # rank 4 of 5
    assert quantile((), 0.5) is None


def test_figures_under_the_minimum_are_suppressed() -> None:
    hist = histogram([(4, 4)])
    assert figures(hist, 5).is_suppressed and figures(hist, 5).count is None
    shown = figures(hist, 4)
    assert (shown.count, shown.median_days, shown.p80_days) == (4, 4, 4)


def test_the_window_is_whole_months() -> None:
    assert window_start(date(2027, 3, 15), 12) == date(2026, 4, 1)
    assert window_start(date(2027, 3, 15), 1) == date(2027, 3, 1)


async def _rows() -> list[tuple[object, ...]]:
    rows = await ProcessingHistogram.all().values(
        "permit_type_id", "authority_id", "metric", "period", "days", "cases", "within_typical"
    )
    return sorted(tuple(r.values()) for r in rows)


async def _backdate(app_id: int, days_per_step: int) -> None:
    """Spread an application's history over days, as real processing takes."""
    changes = await StatusChange.filter(application_id=app_id).order_by("id")
    start = datetime.now(UTC) - timedelta(days=days_per_step * len(changes))
    for i, change in enumerate(changes):
        await StatusChange.filter(id=change.id).update(
            created_at=start + timedelta(days=days_per_step * i)
        )


async def test_every_status_change_keeps_the_statistics_as_a_rebuild_makes_them(db: str) -> None:
    owner = await make_customer()
    handler = await make_handler("helsinki-police")
    project = await make_project(owner)
    statuses = [S.NOT_STARTED, S.IN_PROGRESS, S.INFORMATION_REQUESTED, S.APPROVED, S.WITHDRAWN]
    codes = [
        "helsinki-police-event-notification",
        "helsinki-police-fireworks-notification",
        "helsinki-rescue-plan",
        "helsinki-noise-notification",
        "helsinki-public-area-use",
    ]
    for code, status in zip(codes, statuses, strict=True):
        police = code.startswith("helsinki-police")
        await make_application(
            owner, project, code, status=status, handler=handler if police else None
        )
    kept = await _rows()
    assert await ProcessingCase.all().count() == 5
    metrics = {row[2] for row in kept}
    assert metrics == {m.value for m in Metric}
    decided = [r for r in kept if r[2] == Metric.DECISION.value]
    assert [(r[4], r[5], r[6]) for r in decided] == [(0, 1, 1)]  # decided on the same day
    await statistics.rebuild()
    assert await _rows() == kept


async def test_a_rebuild_counts_waiting_for_the_customer_apart(db: str) -> None:
    owner = await make_customer()
    handler = await make_handler("helsinki-police")
    project = await make_project(owner)
    app_id = await make_application(owner, project, status=S.INFORMATION_REQUESTED, handler=handler)
    from actions import authority as authority_actions
    from models import Application

    version = (await Application.get(id=app_id)).version
    await authority_actions.supplement_submit(owner.viewer, app_id, version, None, "Tässä.")
    await authority_actions.decision_record(
        handler.viewer, app_id, version + 1, S.APPROVED, date.today(), "OK", None, True
    )
    # history: draft, submitted, in progress, information requested, answered, approved
    await _backdate(app_id, 3)
    await statistics.rebuild()
    case = await ProcessingCase.get(application_id=app_id)
    assert case.wait_seconds // 86_400 == 3
    rows = {r[2]: r for r in await _rows()}
    # submitted at the second step; decided 12 days later, of which 3 waiting for the customer
    assert rows[Metric.FIRST_HANDLING.value][4] >= 0
    assert rows[Metric.CUSTOMER_WAIT.value][4] == 3
    assert rows[Metric.DECISION.value][4] == 9
