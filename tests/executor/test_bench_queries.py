"""The benchmark's reads (bench/queries.py) through both executors, for every role and state.

The permission matrix's world (tests/permissions/world.py) in each state, and every role of
the matrix sending (a) the overview, the overview with content (whose reads are audited),
(b) the projects list and (c) the inbox: `BothWays` requires identical responses and audit
rows from the compiled executor and graphql-core.
"""

from __future__ import annotations

import pytest

from bench.queries import INBOX, OVERVIEW, PROJECTS
from tests.factories import gid
from tests.permissions.world import Role, State, build_world
from tests.sameness import BothWays, both_ways, reference_client

__all__ = ["both_ways", "reference_client"]

OVERVIEW_WITH_CONTENT = OVERVIEW.replace(
    "decision { outcome decidedOn summary }",
    "decision { outcome decidedOn summary } content { formData sharedData }",
)


@pytest.mark.parametrize("state", list(State))
async def test_the_benchmark_reads_are_the_same_both_ways(
    both_ways: BothWays, state: State
) -> None:
    world = await build_world(state)
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
    assert answered >= 2 * len(Role)
    if state is not State.DRAFT:  # the addressed authority reads A's content: audited
        assert both_ways.audited > 0
