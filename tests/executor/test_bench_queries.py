"""The benchmark's reads (bench/queries.py) every way, for every role and state.

The permission matrix's world (tests/permissions/world.py) in each state, and every role of
the matrix sending (a) the overview, the overview with content (whose reads are audited),
the same through `node`, (b) the projects list, (c) the inbox, and the inbox and an
application (by `node` and by `application`) with fields that ask the policies:
`BothWays` requires identical responses and audit rows from the app as deployed (compiled
executor, planned loading), from graphql-core over the loaders, and from the compiled
executor over the loaders (the planner off).
"""

from __future__ import annotations

import httpx
import pytest
import pytest_asyncio

from bench.queries import INBOX, OVERVIEW, PROJECTS
from resolvers import planned
from tests.factories import gid
from tests.permissions.world import Role, State, build_world
from tests.resolvers.authority.test_planned_inbox import NODE_APPLICATION, WIDE
from tests.sameness import BothWays, reference_client, unplanned_client

__all__ = ["reference_client", "unplanned_client"]

OVERVIEW_WITH_CONTENT = OVERVIEW.replace(
    "decision { outcome decidedOn summary }",
    "decision { outcome decidedOn summary } content { formData sharedData }",
)


NODE_OVERVIEW = OVERVIEW.replace("project(id: $id) {", "node(id: $id) { ... on Project {") + "}"
APPLICATION = """query($id: ID!) { application(id: $id) { status viewerCanHandle
  statusHistory { nodes { toStatus comment actor { name } } } decision { outcome }
  thread { messages { nodes { body } } } assignedTo { name }
  project { name owner { __typename } applications { nodes { status } } } } }"""


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
    project = {"id": gid("Project", world.project_id)}
    application = {"id": gid("Application", world.application_id)}
    queries = {
        "overview": (OVERVIEW, project),
        "overview with content": (OVERVIEW_WITH_CONTENT, project),
        "node(Project)": (NODE_OVERVIEW, project),
        "projects": (PROJECTS, {}),
        "inbox": (INBOX, {}),
        "inbox, wide": (WIDE, {"first": 5}),
        "node(Application)": (NODE_APPLICATION, application),
        "application": (APPLICATION, application),
    }
    answered = 0
    planned_by: dict[str, int] = dict.fromkeys(queries, 0)
    for role in Role:
        token = world.token(role)
        for name, (query, variables) in queries.items():
            plans = planned.stats.read
            body = await both_ways(query, variables, token=token, errors=True)
            planned_by[name] += planned.stats.read > plans
            answered += body.get("data") is not None
    assert both_ways.compared == len(queries) * len(Role)
    # the deployed app planned each root (the inbox for the authorities' roles)
    assert all(planned_by.values()), planned_by
    assert answered >= 2 * len(Role)
    if state is not State.DRAFT:  # the addressed authority reads A's content: audited
        assert both_ways.audited > 0
