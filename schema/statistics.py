"""Processing-time statistics: public aggregate figures per permit type and authority."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from actions.statistics import Snapshot
from models.processing import Metric
from models.settings import get_settings
from models.statistics import Figures, figures, within_share
from resolvers.context import Info
from resolvers.loaders import Row

if TYPE_CHECKING:
    from schema.catalogue import Authority, PermitType

PermitTypeRef = Annotated["PermitType", strawberry.lazy("schema.catalogue")]
AuthorityRef = Annotated["Authority", strawberry.lazy("schema.catalogue")]


@strawberry.type(
    description="Count, median and 80th percentile of a processing time, in whole days. "
    "Suppressed (all null) when fewer cases than `ProcessingStatistics.minimumCases`."
)
class DurationFigures:
    is_suppressed: bool = strawberry.field(
        description="True when there are too few cases to publish any figure."
    )
    count: int | None = strawberry.field(description="How many cases the figures are from.")
    median_days: int | None = strawberry.field(description="Half of the cases took at most this.")
    p80_days: int | None = strawberry.field(description="80 % of the cases took at most this.")

    @classmethod
    def of(cls, value: Figures) -> Self:
        return cls(
            is_suppressed=value.is_suppressed,
            count=value.count,
            median_days=value.median_days,
            p80_days=value.p80_days,
        )


@strawberry.type(
    description="How long one authority takes with one permit type, from the status history "
    "of the applications counted in the window. Aggregates only: nothing about individual "
    "applications or customers."
)
class ProcessingStatistics:
    window_start: date = strawberry.field(
        description="First day of the window (the start of a month; STATS_WINDOW_MONTHS)."
    )
    window_end: date = strawberry.field(description="Last day of the window (today).")
    minimum_cases: int = strawberry.field(
        description="Figures from fewer cases than this are suppressed (STATS_MIN_CASES)."
    )
    typical_processing_days: int = strawberry.field(
        description="The catalogue's typical processing time of the permit type, in days."
    )
    first_handling: DurationFigures = strawberry.field(
        description="From submission to the first handling status, by the month it was reached."
    )
    decision: DurationFigures = strawberry.field(
        description="From submission to the decision (a final status other than withdrawn), "
        "without the time spent waiting for the customer; by the month of the decision."
    )
    customer_wait: DurationFigures = strawberry.field(
        description="Of the same decided cases: the time spent waiting for the customer "
        "(information requested), counted apart."
    )
    within_typical_share: float | None = strawberry.field(
        description="Share (0 to 1) of the decided cases whose decision time was within the "
        "typical processing time; null when suppressed."
    )
    permit_type_row: strawberry.Private[Row]
    authority_id: strawberry.Private[int]

    @strawberry.field(description="The permit type.")
    def permit_type(self) -> PermitTypeRef:
        from schema.catalogue import PermitType

        return PermitType.from_row(self.permit_type_row)

    @strawberry.field(description="The authority that handled the cases.")
    async def authority(self, info: Info) -> AuthorityRef:
        from schema.catalogue import Authority

        row = await info.context.loaders.organisation.load(self.authority_id)
        assert row is not None
        return Authority.from_row(row)

    @classmethod
    def of(cls, snapshot: Snapshot, permit_type: Row) -> Self:
        minimum = get_settings().stats_min_cases
        cell = snapshot.cell(permit_type["id"], permit_type["authority_id"])
        hists = cell.histograms
        decision = figures(hists.get(Metric.DECISION, ()), minimum)
        return cls(
            window_start=snapshot.window_start,
            window_end=snapshot.window_end,
            minimum_cases=minimum,
            typical_processing_days=permit_type["processing_days"],
            first_handling=DurationFigures.of(
                figures(hists.get(Metric.FIRST_HANDLING, ()), minimum)
            ),
            decision=DurationFigures.of(decision),
            customer_wait=DurationFigures.of(figures(hists.get(Metric.CUSTOMER_WAIT, ()), minimum)),
            within_typical_share=within_share(cell.within_typical, decision.count or 0, minimum),
            permit_type_row=permit_type,
            authority_id=permit_type["authority_id"],
        )
