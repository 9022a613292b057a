"""The public processing-time statistics."""

from __future__ import annotations

from typing import Annotated

import strawberry

from actions.statistics import snapshot
from resolvers.catalogue_cache import catalogue_cache
from resolvers.context import Info
from schema.node import parse_global_id
from schema.statistics import ProcessingStatistics


async def processing_statistics(
    info: Info,
    permit_type_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="Only this permit type.")
    ] = None,
    authority_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="Only this authority's permit types.")
    ] = None,
) -> list[ProcessingStatistics]:
    catalogue = await catalogue_cache.get()
    rows = sorted(catalogue.permit_types.values(), key=lambda r: (r["sort_order"], r["id"]))
    if permit_type_id is not None:
        wanted = parse_global_id(permit_type_id, "PermitType")
        rows = [r for r in rows if r["id"] == wanted]
    if authority_id is not None:
        authority = parse_global_id(authority_id, "Authority")
        rows = [r for r in rows if r["authority_id"] == authority]
    figures = await snapshot()
    return [ProcessingStatistics.of(figures, row) for row in rows]


@strawberry.type
class StatisticsQuery:
    """Query fields of this area: processing times."""

    processing_statistics: list[ProcessingStatistics] = strawberry.field(
        resolver=processing_statistics,
        description="How long authorities take with each permit type (median, 80th percentile, "
        "count, waiting for the customer apart), from the status history; public aggregates, "
        "suppressed under STATS_MIN_CASES cases.",
    )
