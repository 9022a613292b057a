"""The permit plan's pure functions: dates, dependencies, critical path and warnings."""

from __future__ import annotations

from datetime import date

from models.plan import ExpectedBasis, PlanItem, WarningCode, compute_plan
from models.statistics import ExpectedSource
from models.statuses import ApplicationStatus as S

START = date(2027, 7, 1)
TODAY = date(2027, 3, 1)


def item(app_id: int, kind: str, days: int, *, lead: int | None = None, **kw: object) -> PlanItem:
    return PlanItem(
        application_id=app_id,
        kind=kind,
        requires=tuple(kw.pop("requires", ())),  # type: ignore[arg-type]
        status=kw.pop("status", S.DRAFT),  # type: ignore[arg-type]
        lead_time_days=lead,
        expected_days=days,
        expected_source=ExpectedSource.CATALOGUE,
        **kw,  # type: ignore[arg-type]
    )


def test_a_draft_gets_the_latest_and_recommended_dates_and_an_expected_decision() -> None:
    plan = compute_plan(START, TODAY, [item(1, "noise", 21, lead=30)])
    (entry,) = plan.entries
    assert entry.latest_application_date == date(2027, 6, 1)
    assert entry.recommended_application_date == date(2027, 6, 1)  # the law's date is earlier
    assert entry.expected_decision_date == date(2027, 3, 22)
    assert entry.decision_needed_by == START and entry.slack_days == 101
    assert entry.basis is ExpectedBasis.CATALOGUE and entry.warnings == ()
    assert plan.expected_ready_on == date(2027, 3, 22) and not plan.is_start_at_risk


def test_a_needed_permit_must_be_decided_by_the_date_to_apply_for_the_one_that_needs_it() -> None:
    area = item(1, "area", 14)
    police = item(2, "police", 5, lead=5, requires=("area",))
    plan = compute_plan(START, TODAY, [area, police])
    a, p = plan.entry(1), plan.entry(2)
    assert a is not None and p is not None
    assert p.recommended_application_date == date(2027, 6, 26)
    assert a.decision_needed_by == date(2027, 6, 26)
    assert a.recommended_application_date == date(2027, 6, 12)
    # the police notification can be decided only after the permit it needs
    assert a.expected_decision_date == date(2027, 3, 15)
    assert p.expected_decision_date == date(2027, 3, 20)
    assert p.requires == (1,)
    assert plan.critical_path == (1, 2) and a.is_critical and p.is_critical


def test_a_submitted_dependent_needs_the_permit_by_its_own_needed_date() -> None:
    area = item(1, "area", 14)
    police = item(
        2, "police", 5, lead=5, requires=("area",), status=S.NOT_STARTED, submitted_on=TODAY
    )
    plan = compute_plan(START, TODAY, [area, police])
    entry = plan.entry(1)
    assert entry is not None and entry.decision_needed_by == START


def test_drafts_past_their_dates_are_warned_about() -> None:
    late = compute_plan(START, date(2027, 6, 20), [item(1, "noise", 21, lead=30)])
    assert [w.code for w in late.warnings] == [
        WarningCode.LATEST_DATE_PASSED,
        WarningCode.DECISION_AFTER_START,
    ]
    texts = late.warnings[0].texts()
    assert texts["fi"].endswith("1.6.2027 on mennyt.") and "1.6.2027" in texts["sv"]
    assert texts["en"] == "Not yet applied, and the latest date to apply (1.6.2027) has passed."
    assert late.is_start_at_risk
    # past the recommended date (here before the law's) means a decision after the start
    recommended = compute_plan(START, date(2027, 6, 16), [item(1, "rescue", 16, lead=14)])
    assert [w.code for w in recommended.warnings] == [
        WarningCode.RECOMMENDED_DATE_PASSED,
        WarningCode.DECISION_AFTER_START,
    ]
    assert recommended.warnings[0].on == date(2027, 6, 15)


def test_waiting_for_the_customer_is_a_warning_and_delays_the_decision() -> None:
    waiting = item(
        1,
        "rescue",
        14,
        lead=14,
        status=S.INFORMATION_REQUESTED,
        submitted_on=date(2027, 2, 20),
        waited_days=2,
        supplement_due=date(2027, 3, 10),
    )
    plan = compute_plan(START, TODAY, [waiting])
    (entry,) = plan.entries
    # 9 days since submission, 2 of them waiting: 7 of 14 done; resumes on the due date
    assert entry.expected_decision_date == date(2027, 3, 17)
    (warning,) = entry.warnings
    assert warning.code is WarningCode.WAITING_FOR_CUSTOMER and warning.on == date(2027, 3, 10)


def test_a_decision_after_the_needed_date_puts_the_start_at_risk() -> None:
    slow = item(1, "eia", 365)
    building = item(2, "building", 60, requires=("eia",))
    plan = compute_plan(date(2027, 9, 1), TODAY, [slow, building])
    codes = {(w.application_id, w.code) for w in plan.warnings}
    assert (1, WarningCode.DECISION_AFTER_NEEDED) in codes
    assert (2, WarningCode.DECISION_AFTER_START) in codes
    assert (1, WarningCode.RECOMMENDED_DATE_PASSED) in codes
    assert plan.is_start_at_risk and plan.critical_path == (1, 2)


def test_decided_and_withdrawn_applications() -> None:
    decided = item(1, "area", 14, status=S.APPROVED, decided_on=date(2027, 2, 1))
    withdrawn = item(2, "noise", 21, status=S.WITHDRAWN)
    police = item(3, "police", 5, requires=("area",))
    plan = compute_plan(START, TODAY, [decided, withdrawn, police])
    assert [e.application_id for e in plan.entries] == [1, 3]
    first = plan.entry(1)
    assert first is not None and first.basis is ExpectedBasis.DECIDED
    assert first.expected_decision_date == date(2027, 2, 1)
    assert plan.entry(3).expected_decision_date == date(2027, 3, 6)  # type: ignore[union-attr]


def test_without_a_start_date_there_are_no_deadlines() -> None:
    plan = compute_plan(None, TODAY, [item(1, "noise", 21, lead=30)])
    (entry,) = plan.entries
    assert entry.latest_application_date is None and entry.decision_needed_by is None
    assert entry.expected_decision_date == date(2027, 3, 22) and not plan.is_start_at_risk
