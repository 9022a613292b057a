"""The permit plan of a project: pure functions, no I/O.

For every application of a project (withdrawn ones left out) the plan gives:

- the **latest date to apply**: the project's start minus the permit's statutory lead time;
- the **expected decision date**: the decision itself once recorded; for a submitted
  application the days still expected (the statistics' median decision time plus median
  customer wait, or the catalogue's typical days), counted from today or from the due date
  of the supplement the authority waits for; for a draft, from today or from the expected
  decisions it needs, whichever is later;
- the date its decision is **needed by** (after which the project's start is at risk): the
  start, or the recommended date to apply for a permit that needs this one (its `requires`
  in the catalogue), or that permit's own needed date once it has been submitted;
- the **recommended date to apply**: the needed date minus the expected days, never later
  than the latest date to apply;

the **critical path** (the chain of dependencies that ends with the latest expected
decision), and warnings in fi, sv and en.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from models.statistics import ExpectedSource
from models.statuses import FINAL, ApplicationStatus

S = ApplicationStatus
DAY = 86_400


class WarningCode(StrEnum):
    LATEST_DATE_PASSED = "LATEST_DATE_PASSED"
    RECOMMENDED_DATE_PASSED = "RECOMMENDED_DATE_PASSED"
    WAITING_FOR_CUSTOMER = "WAITING_FOR_CUSTOMER"
    DECISION_AFTER_START = "DECISION_AFTER_START"
    DECISION_AFTER_NEEDED = "DECISION_AFTER_NEEDED"


WARNING_TEXTS: dict[WarningCode, dict[str, str]] = {
    WarningCode.LATEST_DATE_PASSED: {
        "fi": "Hakemusta ei ole lähetetty, ja viimeinen hakupäivä {date} on mennyt.",
        "sv": "Ansökan har inte skickats, och sista ansökningsdag {date} har passerat.",
        "en": "Not yet applied, and the latest date to apply ({date}) has passed.",
    },
    WarningCode.RECOMMENDED_DATE_PASSED: {
        "fi": "Hakemusta ei ole lähetetty, ja suositeltu hakupäivä {date} on mennyt.",
        "sv": "Ansökan har inte skickats, och den rekommenderade ansökningsdagen {date} "
        "har passerat.",
        "en": "Not yet applied, and the recommended date to apply ({date}) has passed.",
    },
    WarningCode.WAITING_FOR_CUSTOMER: {
        "fi": "Viranomainen odottaa täydennystäsi viimeistään {date}.",
        "sv": "Myndigheten väntar på din komplettering senast {date}.",
        "en": "The authority is waiting for your supplement by {date}.",
    },
    WarningCode.DECISION_AFTER_START: {
        "fi": "Päätöstä odotetaan {date}, vasta hankkeen alkamisen ({needed}) jälkeen.",
        "sv": "Beslutet väntas {date}, först efter att projektet börjar ({needed}).",
        "en": "The decision is expected on {date}, after the project starts on {needed}.",
    },
    WarningCode.DECISION_AFTER_NEEDED: {
        "fi": "Päätöstä odotetaan {date}, mutta toinen lupa tarvitsee sen jo {needed}.",
        "sv": "Beslutet väntas {date}, men ett annat tillstånd behöver det redan {needed}.",
        "en": "The decision is expected on {date}, but another permit needs it by {needed}.",
    },
}


def format_date(day: date | None) -> str:
    return "" if day is None else f"{day.day}.{day.month}.{day.year}"


@dataclass(frozen=True)
class PlanWarning:
    code: WarningCode
    application_id: int
    on: date | None
    needed_by: date | None = None

    def texts(self) -> dict[str, str]:
        params = {"date": format_date(self.on), "needed": format_date(self.needed_by)}
        return {lang: text.format(**params) for lang, text in WARNING_TEXTS[self.code].items()}


class ExpectedBasis(StrEnum):
    """Where an entry's expected decision date comes from."""

    STATISTICS = "STATISTICS"
    CATALOGUE = "CATALOGUE"
    DECIDED = "DECIDED"


@dataclass(frozen=True)
class PlanItem:
    """What the plan needs to know of one application."""

    application_id: int
    kind: str
    requires: tuple[str, ...]
    status: ApplicationStatus
    lead_time_days: int | None
    expected_days: int
    expected_source: ExpectedSource
    submitted_on: date | None = None
    decided_on: date | None = None
    #: days spent waiting for the customer so far (the current wait counted until today)
    waited_days: int = 0
    #: the due date of the supplement request the authority waits for, if any
    supplement_due: date | None = None

    @property
    def is_draft(self) -> bool:
        return self.status is S.DRAFT

    @property
    def is_decided(self) -> bool:
        return self.status in FINAL


@dataclass(frozen=True)
class PlanEntry:
    application_id: int
    latest_application_date: date | None
    recommended_application_date: date | None
    expected_decision_date: date
    expected_days: int
    basis: ExpectedBasis
    decision_needed_by: date | None
    slack_days: int | None
    requires: tuple[int, ...]
    is_critical: bool
    warnings: tuple[PlanWarning, ...]


@dataclass(frozen=True)
class Plan:
    starts_on: date | None
    computed_on: date
    entries: tuple[PlanEntry, ...]
    critical_path: tuple[int, ...]
    expected_ready_on: date | None
    is_start_at_risk: bool
    warnings: tuple[PlanWarning, ...] = field(default=())

    def entry(self, application_id: int) -> PlanEntry | None:
        return next((e for e in self.entries if e.application_id == application_id), None)


def compute_plan(starts_on: date | None, today: date, items: Iterable[PlanItem]) -> Plan:
    """The plan of a project starting on `starts_on`, as of `today`."""
    plan_items = sorted(
        (i for i in items if i.status is not S.WITHDRAWN), key=lambda i: i.application_id
    )
    prerequisites = {
        i.application_id: tuple(
            p.application_id for p in plan_items if p.kind in i.requires and p is not i
        )
        for i in plan_items
    }
    dependents: dict[int, list[int]] = {i.application_id: [] for i in plan_items}
    for app_id, needed in prerequisites.items():
        for other in needed:
            dependents[other].append(app_id)
    by_id = {i.application_id: i for i in plan_items}
    expected: dict[int, date] = {}
    needed_by: dict[int, date | None] = {}
    recommended: dict[int, date | None] = {}

    def expected_of(app_id: int) -> date:
        if app_id in expected:
            return expected[app_id]
        item = by_id[app_id]
        before = [expected_of(p) for p in prerequisites[app_id]]
        if item.is_decided:
            value = item.decided_on or today
        elif item.submitted_on is None:
            value = max([today, *before]) + timedelta(days=item.expected_days)
        else:
            net_elapsed = (today - item.submitted_on).days - item.waited_days
            remaining = max(0, item.expected_days - net_elapsed)
            resumes = today
            if item.status is S.INFORMATION_REQUESTED and item.supplement_due is not None:
                resumes = max(today, item.supplement_due)
            value = max([resumes + timedelta(days=remaining), *before])
        expected[app_id] = value
        return value

    def latest_of(item: PlanItem) -> date | None:
        if starts_on is None or item.lead_time_days is None:
            return None
        return starts_on - timedelta(days=item.lead_time_days)

    def needed_of(app_id: int) -> date | None:
        if app_id in needed_by:
            return needed_by[app_id]
        candidates: list[date] = [] if starts_on is None else [starts_on]
        for other in dependents[app_id]:
            dependent = by_id[other]
            value = (
                recommended_of(other)
                if dependent.is_draft
                else None
                if dependent.is_decided
                else needed_of(other)
            )
            if value is not None:
                candidates.append(value)
        needed_by[app_id] = min(candidates) if candidates else None
        return needed_by[app_id]

    def recommended_of(app_id: int) -> date | None:
        if app_id in recommended:
            return recommended[app_id]
        item = by_id[app_id]
        needed = needed_of(app_id)
        dates = [d for d in (latest_of(item),) if d is not None]
        if needed is not None:
            dates.append(needed - timedelta(days=item.expected_days))
        recommended[app_id] = min(dates) if dates else None
        return recommended[app_id]

    for item in plan_items:
        expected_of(item.application_id)
    critical = _critical_path(plan_items, prerequisites, dependents, expected)
    entries = []
    for item in plan_items:
        app_id = item.application_id
        entries.append(
            _entry(
                item,
                today,
                starts_on,
                latest_of(item),
                recommended_of(app_id),
                expected[app_id],
                needed_of(app_id),
                prerequisites[app_id],
                app_id in critical,
            )
        )
    ready = max(expected.values(), default=None)
    at_risk = any(
        e.decision_needed_by is not None
        and e.expected_decision_date > e.decision_needed_by
        and e.basis is not ExpectedBasis.DECIDED
        for e in entries
    )
    return Plan(
        starts_on=starts_on,
        computed_on=today,
        entries=tuple(entries),
        critical_path=critical,
        expected_ready_on=ready,
        is_start_at_risk=at_risk,
        warnings=tuple(w for e in entries for w in e.warnings),
    )


def _critical_path(
    items: list[PlanItem],
    prerequisites: Mapping[int, tuple[int, ...]],
    dependents: Mapping[int, list[int]],
    expected: Mapping[int, date],
) -> tuple[int, ...]:
    """The chain of dependencies ending with the latest expected decision, first step first."""
    ends = [i.application_id for i in items if not dependents[i.application_id]]
    if not ends:
        return ()
    path = [max(ends, key=lambda a: (expected[a], -a))]
    while prerequisites[path[-1]]:
        path.append(max(prerequisites[path[-1]], key=lambda a: (expected[a], -a)))
    return tuple(reversed(path))


def _entry(
    item: PlanItem,
    today: date,
    starts_on: date | None,
    latest: date | None,
    recommended: date | None,
    expected: date,
    needed: date | None,
    requires: tuple[int, ...],
    is_critical: bool,
) -> PlanEntry:
    app_id = item.application_id
    warnings: list[PlanWarning] = []
    if item.is_draft and latest is not None and today > latest:
        warnings.append(PlanWarning(WarningCode.LATEST_DATE_PASSED, app_id, latest))
    elif item.is_draft and recommended is not None and today > recommended:
        warnings.append(PlanWarning(WarningCode.RECOMMENDED_DATE_PASSED, app_id, recommended))
    if item.status is S.INFORMATION_REQUESTED:
        warnings.append(PlanWarning(WarningCode.WAITING_FOR_CUSTOMER, app_id, item.supplement_due))
    if not item.is_decided and needed is not None and expected > needed:
        code = (
            WarningCode.DECISION_AFTER_START
            if needed == starts_on
            else WarningCode.DECISION_AFTER_NEEDED
        )
        warnings.append(PlanWarning(code, app_id, expected, needed))
    basis = ExpectedBasis.DECIDED if item.is_decided else ExpectedBasis(item.expected_source.value)
    return PlanEntry(
        application_id=app_id,
        latest_application_date=latest,
        recommended_application_date=recommended,
        expected_decision_date=expected,
        expected_days=item.expected_days,
        basis=basis,
        decision_needed_by=needed,
        slack_days=None if needed is None else (needed - expected).days,
        requires=requires,
        is_critical=is_critical,
        warnings=tuple(warnings),
    )


# --- from rows ---------------------------------------------------------------------------------


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    return None


def item_of(
    application: Mapping[str, Any],
    permit_type: Mapping[str, Any],
    kind: Mapping[str, Any],
    expected: tuple[int, ExpectedSource],
    *,
    case: Mapping[str, Any] | None,
    decided_on: date | None,
    supplement_due: date | None,
    now: datetime,
) -> PlanItem:
    """A plan item from an application row, its permit type and kind rows, its processing
    case (`models.ProcessingCase`), its decision's date and its open supplement's due date."""
    status = ApplicationStatus(application["status"])
    waited = 0
    if case is not None:
        seconds = int(case["wait_seconds"] or 0)
        if case["waiting_since"] is not None:
            seconds += max(0, int((now - case["waiting_since"]).total_seconds()))
        waited = seconds // DAY
    submitted = case["submitted_at"] if case is not None else application["submitted_at"]
    decided = decided_on
    if status in FINAL and decided is None:
        decided = _date(application.get("final_at")) or now.date()
    return PlanItem(
        application_id=application["id"],
        kind=kind["code"],
        requires=tuple(kind.get("requires") or ()),
        status=status,
        lead_time_days=permit_type["lead_time_days"],
        expected_days=expected[0],
        expected_source=expected[1],
        submitted_on=_date(submitted),
        decided_on=decided if status in FINAL else None,
        waited_days=waited,
        supplement_due=supplement_due if status is S.INFORMATION_REQUESTED else None,
    )


ExpectedFn = Callable[[Mapping[str, Any]], tuple[int, ExpectedSource]]
