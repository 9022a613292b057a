"""The cross-permit overview: one request, and a number of SQL statements independent of size."""

from __future__ import annotations

from typing import Any

from models import Application
from models.statuses import ApplicationStatus
from tests.factories import (
    GQL,
    Actor,
    gid,
    make_application,
    make_customer,
    make_handler,
    make_project,
)
from tests.resolvers.authority.operations import MESSAGE
from tests.sqlcount import count_queries

S = ApplicationStatus

OVERVIEW = """
query($id: ID!) {
  project(id: $id) {
    id name municipality { code name { fi } } owner { __typename }
    thread { messages { totalCount nodes { body authorName } } }
    applications(first: 100) {
      totalCount
      nodes {
        id status statusLabel { fi } submittedAt
        permitType { code name { fi } } authority { code name { fi } }
        assignedTo { name }
        statusHistory(first: 100) { nodes { fromStatus toStatus actorName actor { name } createdAt } }
        decision { outcome decidedOn summary }
        content { formData }
        thread { messages(first: 100) { nodes { body authorName actingForName { fi } } } }
      }
    }
  }
}
"""

PERMITS = [
    "helsinki-police-event-notification",
    "helsinki-rescue-plan",
    "helsinki-temporary-food-premises",
    "helsinki-noise-notification",
    "helsinki-public-area-use",
    "helsinki-police-fireworks-notification",
    "lvv-alcohol-serving-licence",
    "helsinki-action-permit",
]
STATES = [S.NOT_STARTED, S.IN_PROGRESS, S.APPROVED, S.INFORMATION_REQUESTED, S.DRAFT]


async def _project(gql: GQL, size: int, messages: int) -> tuple[Actor, int]:
    customer = await make_customer()
    project_id = await make_project(customer)
    for i, permit in enumerate(PERMITS[:size]):
        app_id = await make_application(
            customer, project_id, permit, status=STATES[i % len(STATES)]
        )
        thread = await gql(
            "query($id: ID!) { application(id: $id) { thread { id } } }",
            {"id": gid("Application", app_id)},
            token=customer.token,
        )
        for n in range(messages):
            await gql(
                MESSAGE,
                {
                    "input": {
                        "threadId": thread["data"]["application"]["thread"]["id"],
                        "body": f"viesti {n}",
                    }
                },
                token=customer.token,
            )
    return customer, project_id


async def _count(
    gql: GQL, token: str, query: str, variables: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    await gql(query, variables, token=token)  # warm the viewer and catalogue caches
    with count_queries() as counter:
        result = await gql(query, variables, token=token)
    return counter.count, result


async def test_overview_statement_count_does_not_grow(gql: GQL) -> None:
    police = await make_handler("helsinki-police")
    _, small = await _project(gql, size=2, messages=1)
    _, large = await _project(gql, size=8, messages=3)
    small_count, small_result = await _count(
        gql, police.token, OVERVIEW, {"id": gid("Project", small)}
    )
    large_count, large_result = await _count(
        gql, police.token, OVERVIEW, {"id": gid("Project", large)}
    )
    assert len(small_result["data"]["project"]["applications"]["nodes"]) == 2
    assert len(large_result["data"]["project"]["applications"]["nodes"]) == 8
    assert small_count == large_count, (small_count, large_count)
    assert large_count <= 20


async def test_customers_projects_list_statement_count_does_not_grow(gql: GQL) -> None:
    query = """{ projects(first: 50) { totalCount nodes { name applications { nodes { status permitType { code }
                 authority { code } statusHistory { nodes { toStatus } } } } } } }"""
    few, many = await make_customer(), await make_customer()
    for owner, count in ((few, 1), (many, 5)):
        for _ in range(count):
            project_id = await make_project(owner)
            await make_application(owner, project_id, status=S.NOT_STARTED)
            await make_application(owner, project_id, "helsinki-rescue-plan")
    few_count, _ = await _count(gql, few.token, query, {})
    many_count, result = await _count(gql, many.token, query, {})
    assert result["data"]["projects"]["totalCount"] == 5
    assert few_count == many_count, (few_count, many_count)


async def test_inbox_statement_count_does_not_grow(gql: GQL) -> None:
    query = """{ inbox(first: 50) { totalCount nodes { status authority { code } permitType { code }
                 project { name municipality { code } } assignedTo { name } } } }"""
    police = await make_handler("helsinki-police")
    customer = await make_customer()
    project_id = await make_project(customer)
    await make_application(customer, project_id, status=S.NOT_STARTED)
    small_count, _ = await _count(gql, police.token, query, {})
    for _ in range(4):
        other = await make_project(customer)
        await make_application(customer, other, status=S.IN_PROGRESS, handler=police)
    large_count, result = await _count(gql, police.token, query, {})
    assert result["data"]["inbox"]["totalCount"] == 5
    assert small_count == large_count, (small_count, large_count)


async def test_overview_without_the_viewer_seeing_unshared_drafts(gql: GQL) -> None:
    _, project_id = await _project(gql, size=5, messages=0)
    rescue = await make_handler("helsinki-rescue")
    result = await gql(OVERVIEW, {"id": gid("Project", project_id)}, token=rescue.token)
    nodes = result["data"]["project"]["applications"]["nodes"]
    drafts = [n for n in nodes if n["status"] == "DRAFT"]
    assert drafts and all(n["content"] is None and n["thread"] is None for n in drafts)
    submitted = [n for n in nodes if n["submittedAt"] is not None]
    assert all(n["content"] is not None for n in submitted)
    assert await Application.filter(project_id=project_id).count() == 5
