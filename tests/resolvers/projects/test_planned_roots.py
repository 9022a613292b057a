"""Planned loading at the `project` and `projects` roots: fewer statements, as many for a
large project or many projects as for a small one, and LUUKKU_PLANNER=off reads as before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

import httpx
import pytest
import pytest_asyncio

from app.main import create_app
from bench.queries import OVERVIEW, PROJECTS
from models.settings import Settings, SettingsError
from models.statuses import ApplicationStatus as S
from schema.errors import LuukkuSchema
from schema.root import build_schema, schema
from tests.factories import GQL, gid, make_application, make_customer, make_handler, make_project
from tests.resolvers.authority.test_overview import PERMITS, _count, _project


@cache
def built(executor: str = "compiled", planner: bool = False) -> LuukkuSchema:
    return build_schema(executor=executor, planner=planner)


def unplanned_schema() -> LuukkuSchema:
    return built()


@asynccontextmanager
async def served(graphql_schema: LuukkuSchema) -> AsyncIterator[GQL]:
    app = create_app(manage_db=False, graphql_schema=graphql_schema)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield GQL(c)


@pytest_asyncio.fixture
async def unplanned(db: str) -> AsyncIterator[GQL]:
    async with served(unplanned_schema()) as gql:
        yield gql


def test_the_planner_is_on_by_default() -> None:
    assert Settings.from_env({}).planner is True
    assert schema.planner is True
    assert Settings.from_env({"LUUKKU_PLANNER": "off"}).planner is False
    assert unplanned_schema().planner is False
    assert unplanned_schema().as_str() == schema.as_str()


def test_an_unknown_planner_value_is_refused() -> None:
    with pytest.raises(SettingsError, match="LUUKKU_PLANNER"):
        Settings.from_env({"LUUKKU_PLANNER": "maybe"})


async def _counts(
    gql: GQL, unplanned: GQL, token: str, query: str, variables: dict[str, Any]
) -> tuple[int, int, dict[str, Any]]:
    planned, result = await _count(gql, token, query, variables)
    loaded, reference = await _count(unplanned, token, query, variables)
    assert result == reference
    return planned, loaded, result


async def test_the_overview_reads_its_subtree_in_one_statement(gql: GQL, unplanned: GQL) -> None:
    police = await make_handler("helsinki-police")
    owner, small = await _project(gql, size=2, messages=1)
    _, large = await _project(gql, size=8, messages=3)
    await make_application(owner, small, PERMITS[5], status=S.APPROVED, handler=police)
    counts = {}
    for size, project_id in (("small", small), ("large", large)):
        counts[size] = await _counts(
            gql, unplanned, police.token, OVERVIEW, {"id": gid("Project", project_id)}
        )
    (small_planned, small_loaded, small_result) = counts["small"]
    (large_planned, large_loaded, large_result) = counts["large"]
    assert len(small_result["data"]["project"]["applications"]["nodes"]) == 3
    assert len(large_result["data"]["project"]["applications"]["nodes"]) == 8
    assert small_planned == large_planned, (small_planned, large_planned)
    assert small_loaded == large_loaded, (small_loaded, large_loaded)
    # the plan's one statement instead of the project, its applications and statements,
    # threads, messages, status history, decisions and people, one statement each
    assert large_planned == 1, (large_planned, large_loaded)
    assert large_loaded >= 6, large_loaded


async def test_a_hidden_project_costs_what_a_missing_one_does(gql: GQL) -> None:
    customer = await make_customer()
    hidden = await make_project(customer)
    stranger = await make_customer()
    hidden_count, hidden_result = await _count(
        gql, stranger.token, OVERVIEW, {"id": gid("Project", hidden)}
    )
    missing_count, missing_result = await _count(
        gql, stranger.token, OVERVIEW, {"id": gid("Project", hidden + 1000)}
    )
    assert hidden_result == missing_result == {"data": {"project": None}}
    assert hidden_count == missing_count == 1


async def test_the_projects_list_reads_its_page_and_one_plan(gql: GQL, unplanned: GQL) -> None:
    few, many = await make_customer(), await make_customer()
    for owner, count in ((few, 1), (many, 5)):
        for _ in range(count):
            project_id = await make_project(owner)
            await make_application(owner, project_id, status=S.IN_PROGRESS)
            await make_application(owner, project_id, "helsinki-rescue-plan")
    few_planned, few_loaded, _ = await _counts(gql, unplanned, few.token, PROJECTS, {})
    many_planned, many_loaded, result = await _counts(gql, unplanned, many.token, PROJECTS, {})
    assert result["data"]["projects"]["totalCount"] == 5
    assert few_planned == many_planned, (few_planned, many_planned)
    assert few_loaded == many_loaded, (few_loaded, many_loaded)
    # the page, its count and the plan (applications, statements and history) in one
    assert many_planned == 1, (many_planned, many_loaded)
    assert many_planned < many_loaded


async def test_a_projects_list_of_names_reads_no_plan(gql: GQL) -> None:
    customer = await make_customer()
    await make_project(customer)
    count, result = await _count(gql, customer.token, "{ projects { nodes { name } } }", {})
    assert result["data"]["projects"]["nodes"] == [{"name": "Kesäfestivaali"}]
    assert count == 1


FRAGMENTS = """query($id: ID!) { project(id: $id) { ...P } }
fragment P on Project { name applications { nodes { ... on Application { ...A } } } }
fragment A on Application { status statusHistory { nodes { toStatus actor { name } } }
                            decision { outcome } thread { messages { nodes { body } } } }"""


async def test_the_plan_follows_fragments(gql: GQL, unplanned: GQL) -> None:
    police = await make_handler("helsinki-police")
    owner, project_id = await _project(gql, size=3, messages=2)
    await make_application(owner, project_id, PERMITS[5], status=S.APPROVED, handler=police)
    planned, loaded, result = await _counts(
        gql, unplanned, police.token, FRAGMENTS, {"id": gid("Project", project_id)}
    )
    assert len(result["data"]["project"]["applications"]["nodes"]) == 4
    assert planned == 1, (planned, loaded)
    assert loaded > 1


@pytest.mark.parametrize("executor", ["compiled", "graphql-core"])
async def test_the_setting_holds_with_either_executor(gql: GQL, executor: str) -> None:
    police = await make_handler("helsinki-police")
    _, project_id = await _project(gql, size=2, messages=1)
    variables = {"id": gid("Project", project_id)}
    counts = {}
    for planner in (True, False):
        async with served(built(executor, planner)) as client:
            counts[planner], _ = await _count(client, police.token, OVERVIEW, variables)
    assert counts[True] == 1, counts
    assert counts[False] > 1, counts


PAGES = """query($after: String) { projects(first: 2, after: $after) {
  totalCount pageInfo { hasNextPage endCursor startCursor hasPreviousPage }
  edges { cursor node { name applications(first: 1) { totalCount pageInfo { hasNextPage }
    edges { cursor node { status statusHistory { pageInfo { endCursor } nodes { toStatus } } } } } } }
} }"""


async def test_the_projects_pages_read_one_statement_each(gql: GQL, unplanned: GQL) -> None:
    owner = await make_customer()
    for _ in range(5):
        project_id = await make_project(owner)
        await make_application(owner, project_id, status=S.IN_PROGRESS)
        await make_application(owner, project_id, "helsinki-rescue-plan")
    after = None
    names: list[str] = []
    while True:
        count, loaded, result = await _counts(gql, unplanned, owner.token, PAGES, {"after": after})
        page = result["data"]["projects"]
        assert page["totalCount"] == 5
        assert count == 1, (count, loaded)
        names += [edge["node"]["name"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert len(names) == 5
    # beyond the last page: no rows, the same count
    count, _, result = await _counts(gql, unplanned, owner.token, PAGES, {"after": after})
    assert result["data"]["projects"]["edges"] == []
    assert result["data"]["projects"]["totalCount"] == 5
    assert result["data"]["projects"]["pageInfo"]["endCursor"] is None
    assert count == 1
