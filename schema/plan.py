"""The permit plan of a project: when to apply, when decisions can be expected, what is at risk."""

from __future__ import annotations

import asyncio
from datetime import date as Date
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from actions.plan import build_plan, open_supplement_due
from actions.statistics import snapshot
from models.plan import ExpectedBasis as DomainBasis
from models.plan import Plan, WarningCode
from models.plan import PlanEntry as DomainEntry
from models.plan import PlanWarning as DomainWarning
from resolvers.context import Info
from resolvers.loaders import Row
from schema.common import LocalizedText
from schema.enums import describe

if TYPE_CHECKING:
    from schema.application import Application

ApplicationRef = Annotated["Application", strawberry.lazy("schema.application")]

PlanWarningCode = strawberry.enum(WarningCode, description="What a plan warning is about.")
describe(
    PlanWarningCode,
    {
        "LATEST_DATE_PASSED": "Not yet applied, and the statutory latest date has passed.",
        "RECOMMENDED_DATE_PASSED": "Not yet applied, and the recommended date has passed.",
        "WAITING_FOR_CUSTOMER": "The authority waits for the customer's supplement.",
        "DECISION_AFTER_START": "The decision is expected after the project's start.",
        "DECISION_AFTER_NEEDED": "The decision is expected after another permit needs it.",
    },
)
ExpectedBasis = strawberry.enum(
    DomainBasis, description="Where an expected decision date comes from."
)
describe(
    ExpectedBasis,
    {
        "STATISTICS": "The authority's processing-time statistics for the permit type.",
        "CATALOGUE": "The catalogue's typical processing time (too few cases for statistics).",
        "DECIDED": "The decision has been recorded: its date.",
    },
)


def _application(rows: dict[int, Row], application_id: int) -> Application:
    from schema.application import Application

    return Application.from_row(rows[application_id])


@strawberry.type(description="A warning of the permit plan, in fi, sv and en.")
class PlanWarning:
    code: PlanWarningCode = strawberry.field(description="What it is about.")  # type: ignore[valid-type]  # a strawberry.enum() value
    message: LocalizedText = strawberry.field(description="The warning, to show as is.")
    date: Date | None = strawberry.field(
        description="The date it is about: the passed date, the supplement's due date or "
        "the expected decision."
    )
    needed_by: Date | None = strawberry.field(
        description="DECISION_AFTER_*: when the decision is needed."
    )
    rows: strawberry.Private[dict[int, Row]]
    application_id: strawberry.Private[int]

    @strawberry.field(description="The application it is about.")
    def application(self) -> ApplicationRef:
        return _application(self.rows, self.application_id)

    @classmethod
    def of(cls, warning: DomainWarning, rows: dict[int, Row]) -> Self:
        return cls(
            code=warning.code,
            message=LocalizedText.of(warning.texts()),
            date=warning.on,
            needed_by=warning.needed_by,
            rows=rows,
            application_id=warning.application_id,
        )


@strawberry.type(description="One application in the permit plan.")
class PlanEntry:
    latest_application_date: Date | None = strawberry.field(
        description="The statutory latest date to apply: the start minus the lead time."
    )
    recommended_application_date: Date | None = strawberry.field(
        description="Apply by this day so that the expected decision comes when needed."
    )
    expected_decision_date: Date = strawberry.field(
        description="When the decision can be expected (the decision's date once recorded)."
    )
    expected_processing_days: int = strawberry.field(
        description="Days from submission to decision the plan expects for this permit."
    )
    basis: ExpectedBasis = strawberry.field(description="Where the expectation comes from.")  # type: ignore[valid-type]  # a strawberry.enum() value
    decision_needed_by: Date | None = strawberry.field(
        description="The date by which the project's start is at risk: if the decision has not "
        "come by then, the start (or a permit that needs this one) is late."
    )
    slack_days: int | None = strawberry.field(
        description="Days between the expected decision and when it is needed (negative: late)."
    )
    is_critical: bool = strawberry.field(description="On the critical path to the start.")
    warnings: list[PlanWarning] = strawberry.field(description="Warnings about this application.")
    rows: strawberry.Private[dict[int, Row]]
    application_id: strawberry.Private[int]
    requires_ids: strawberry.Private[tuple[int, ...]]

    @strawberry.field(description="The application.")
    def application(self) -> ApplicationRef:
        return _application(self.rows, self.application_id)

    @strawberry.field(
        description="Applications of the project whose decision this one needs before it is "
        "submitted (the catalogue's dependencies)."
    )
    def requires(self) -> list[ApplicationRef]:
        return [_application(self.rows, i) for i in self.requires_ids]

    @classmethod
    def of(cls, entry: DomainEntry, rows: dict[int, Row]) -> Self:
        return cls(
            latest_application_date=entry.latest_application_date,
            recommended_application_date=entry.recommended_application_date,
            expected_decision_date=entry.expected_decision_date,
            expected_processing_days=entry.expected_days,
            basis=entry.basis,
            decision_needed_by=entry.decision_needed_by,
            slack_days=entry.slack_days,
            is_critical=entry.is_critical,
            warnings=[PlanWarning.of(w, rows) for w in entry.warnings],
            rows=rows,
            application_id=entry.application_id,
            requires_ids=entry.requires,
        )


@strawberry.type(
    description="The permit plan: per application when to apply and when to expect the "
    "decision, the critical path to the project's start, and warnings. Computed when asked "
    "for, from the applications' statuses, the catalogue and the processing-time statistics."
)
class ProjectPlan:
    starts_on: Date | None = strawberry.field(description="The project's start date.")
    computed_on: Date = strawberry.field(description="The day the plan was computed for.")
    expected_ready_on: Date | None = strawberry.field(
        description="When the last expected decision comes."
    )
    is_start_at_risk: bool = strawberry.field(
        description="Some decision is expected after it is needed."
    )
    entries: list[PlanEntry] = strawberry.field(
        description="One per application (withdrawn ones left out), oldest first."
    )
    warnings: list[PlanWarning] = strawberry.field(description="Every entry's warnings.")
    rows: strawberry.Private[dict[int, Row]]
    critical_ids: strawberry.Private[tuple[int, ...]]

    @strawberry.field(
        description="The chain of dependencies that ends with the latest expected decision, "
        "first step first."
    )
    def critical_path(self) -> list[ApplicationRef]:
        return [_application(self.rows, i) for i in self.critical_ids]

    @classmethod
    def of(cls, plan: Plan, rows: dict[int, Row]) -> Self:
        return cls(
            starts_on=plan.starts_on,
            computed_on=plan.computed_on,
            expected_ready_on=plan.expected_ready_on,
            is_start_at_risk=plan.is_start_at_risk,
            entries=[PlanEntry.of(e, rows) for e in plan.entries],
            warnings=[PlanWarning.of(w, rows) for w in plan.warnings],
            rows=rows,
            critical_ids=plan.critical_path,
        )


async def plan_of(info: Info, project: Row) -> ProjectPlan:
    """The plan of a project, from the request's loaders (no query per application)."""
    loaders = info.context.loaders
    apps = await loaders.applications_by_project.load(project["id"])
    ids = [a["id"] for a in apps]
    permit_types = {
        r["id"]: r
        for r in await loaders.permit_type.load_many(list({a["permit_type_id"] for a in apps}))
        if r is not None
    }
    kinds = {
        r["id"]: r
        for r in await loaders.permit_kind.load_many(
            list({t["kind_id"] for t in permit_types.values()})
        )
        if r is not None
    }
    submitted = [a["id"] for a in apps if a["submitted_at"] is not None]
    decided_ids = [a["id"] for a in apps if a["final_at"] is not None]
    waiting = [a["id"] for a in apps if a["status"] == "INFORMATION_REQUESTED"]
    # one batch each, concurrently
    case_rows, decision_rows, supplements = await asyncio.gather(
        loaders.processing_case_by_application.load_many(submitted),
        loaders.decision_by_application.load_many(decided_ids),
        loaders.supplements_by_application.load_many(waiting),
    )
    cases = {r["application_id"]: r for r in case_rows if r is not None}
    decided = {r["application_id"]: r["decided_on"] for r in decision_rows if r is not None}
    due = {
        app_id: open_supplement_due(rows) for app_id, rows in zip(waiting, supplements, strict=True)
    }
    plan = build_plan(project, apps, permit_types, kinds, cases, decided, due, await snapshot())
    return ProjectPlan.of(plan, {a["id"]: a for a in apps if a["id"] in ids})
