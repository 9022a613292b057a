"""The benchmark's reads (bench/queries.py) every way, for every role and state.

The permission matrix's world (tests/permissions/world.py) in each state, and every role of
the matrix sending (a) the overview, the overview with content (whose reads are audited),
(b) the projects list and (c) the inbox: `BothWays` requires identical responses and audit
rows from the app as deployed (compiled executor, planned loading), from graphql-core over
the loaders, and from the compiled executor over the loaders (the planner off).
"""

from __future__ import annotations

import httpx
import pytest
import pytest_asyncio

from bench.queries import INBOX, OVERVIEW, PROJECTS
from resolvers import planned
from tests.factories import gid
from tests.permissions.world import Role, State, build_world
from tests.sameness import BothWays, reference_client, unplanned_client

__all__ = ["reference_client", "unplanned_client"]

OVERVIEW_WITH_CONTENT = OVERVIEW.replace(
    "decision { outcome decidedOn summary }",
    "decision { outcome decidedOn summary } content { formData sharedData }",
)


@pytest_asyncio.fixture
async def every_way(
    client: httpx.AsyncClient,
    reference_client: httpx.AsyncClient,
    unplanned_client: httpx.AsyncClient,
) -> BothWays:
    return BothWays(client, reference_client, also=unplanned_client)


@pytest.mark.parametrize("state", list(State))
async def test_the_benchmark_reads_are_the_same_every_way(
    every_way: BothWays, state: State
) -> None:
    both_ways = every_way
    world = await build_world(state)
    plans = planned.stats.read
    project = {"id": gid("Project", world.project_id)}
    answered = 0
    for role in Role:
        token = world.token(role)
        for query, variables in (
            (OVERVIEW, project),
            (OVERVIEW_WITH_CONTENT, project),
            (PROJECTS, {}),
            (INBOX, {}),
        ):
            body = await both_ways(query, variables, token=token, errors=True)
            answered += body.get("data") is not None
    assert both_ways.compared == 4 * len(Role)
    assert planned.stats.read > plans  # the deployed app planned (a) and (b)
    assert answered >= 2 * len(Role)
    if state is not State.DRAFT:  # the addressed authority reads A's content: audited
        assert both_ways.audited > 0
