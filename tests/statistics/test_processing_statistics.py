"""The public query processingStatistics: aggregates only, suppressed under the minimum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.statuses import ApplicationStatus as S
from tests.factories import GQL, gid, make_application, make_customer, make_handler, make_project
from tests.sqlcount import count_queries

QUERY = """query($type: ID) {
  processingStatistics(permitTypeId: $type) {
    permitType { code } authority { code } windowStart windowEnd minimumCases
    typicalProcessingDays withinTypicalShare
    firstHandling { isSuppressed count medianDays p80Days }
    decision { isSuppressed count medianDays p80Days }
    customerWait { isSuppressed count medianDays p80Days }
  }
}"""


async def _decided(count: int) -> int:
    handler = await make_handler("helsinki-police")
    for _ in range(count):
        owner = await make_customer()
        project = await make_project(owner)
        await make_application(owner, project, status=S.APPROVED, handler=handler)
    from models import PermitType

    return (await PermitType.get(code="helsinki-police-event-notification")).id


async def test_anyone_reads_the_figures_of_enough_cases(gql: GQL) -> None:
    type_id = await _decided(5)
    result = await gql(QUERY, {"type": gid("PermitType", type_id)})
    (row,) = result["data"]["processingStatistics"]
    assert row["permitType"]["code"] == "helsinki-police-event-notification"
    assert row["authority"]["code"] == "helsinki-police"
    assert row["minimumCases"] == 5 and row["typicalProcessingDays"] == 5
    assert row["decision"] == {"isSuppressed": False, "count": 5, "medianDays": 0, "p80Days": 0}
    assert row["firstHandling"]["count"] == 5
    assert row["customerWait"]["medianDays"] == 0
    assert row["withinTypicalShare"] == 1.0
    text = str(result)
    assert "Person" not in text and "Kesäfestivaali" not in text  # nothing individual


async def test_figures_of_too_few_cases_are_suppressed(
    gql: GQL, configure: Callable[..., Any]
) -> None:
    configure(stats_min_cases=6)
    type_id = await _decided(5)
    (row,) = (await gql(QUERY, {"type": gid("PermitType", type_id)}))["data"][
        "processingStatistics"
    ]
    suppressed = {"isSuppressed": True, "count": None, "medianDays": None, "p80Days": None}
    assert row["decision"] == suppressed and row["firstHandling"] == suppressed
    assert row["withinTypicalShare"] is None


async def test_the_figures_of_every_permit_type_cost_one_statement(gql: GQL) -> None:
    await _decided(1)
    await gql(QUERY)  # the catalogue in memory
    from actions import statistics

    statistics.invalidate()
    with count_queries() as counter:
        result = await gql(QUERY)
    assert len(result["data"]["processingStatistics"]) > 40
    assert counter.count == 1, counter.statements
    with count_queries() as counter:
        await gql(QUERY)
    assert counter.count == 0  # kept for STATS_CACHE_SECONDS
