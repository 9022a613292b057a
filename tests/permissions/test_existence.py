"""Issue 10, item 5: a hidden object and a missing one are indistinguishable. Not only the
answer (null, NOT_FOUND) but the work: the same SQL statements run for both (counted with
tests/sqlcount.py), so that timing does not tell them apart either (bench/existence.py
measures the medians)."""

from __future__ import annotations

import re
from typing import Any

from models import Message, OutboxItem, StatementRequest, Thread
from models.ids import MAX_DB_ID
from models.statuses import ApplicationStatus
from tests.factories import GQL, gid, make_application, make_customer, make_handler, make_project
from tests.sqlcount import count_queries

S = ApplicationStatus
MISSING = MAX_DB_ID


async def _statements(gql: GQL, token: str, query: str, variables: dict[str, Any]) -> list[str]:
    with count_queries() as counter:
        body = await gql(query, variables, token=token, errors=True)
    assert "INTERNAL_SERVER_ERROR" not in str(body)
    return [_shape(s) for s in counter.statements]


def _shape(statement: str) -> str:
    """The statement without its parameters and columns: what runs on which table."""
    text = re.sub(r"SELECT .*? FROM", "SELECT FROM", statement.split(": [")[0], flags=re.S)
    return re.sub(r"\s+", " ", text)[:200]


async def _world() -> dict[str, Any]:
    from datetime import date, timedelta

    from actions import authority as authority_actions
    from actions import statements as statement_actions
    from models import Organisation

    owner = await make_customer()
    project_id = await make_project(owner)
    police = await make_handler("helsinki-police")
    app_id = await make_application(owner, project_id, status=S.NOT_STARTED, handler=police)
    thread = await Thread.get(application_id=app_id)
    message_id = await authority_actions.message_post(owner.viewer, thread.id, "Hei.")
    building = await Organisation.get(code="helsinki-building-control")
    statement_id = await statement_actions.statement_request(
        police.viewer, app_id, building.id, "?", date.today() + timedelta(days=5)
    )
    assert await Message.exists(id=message_id) and await StatementRequest.exists(id=statement_id)
    assert await OutboxItem.exists(application_id=app_id)
    return {
        "stranger": await make_customer(),
        "Project": project_id,
        "Application": app_id,
        "Thread": thread.id,
        "Message": message_id,
        "StatementRequest": statement_id,
    }


QUERIES = {
    "project": ("query($id: ID!) { project(id: $id) { id name } }", "Project"),
    "application": ("query($id: ID!) { application(id: $id) { id status } }", "Application"),
}
NODE = "query($id: ID!) { node(id: $id) { id } }"
UPDATE = """mutation($input: ApplicationUpdateInput!) { applicationUpdate(input: $input) {
  userErrors { code } } }"""
POST = (
    """mutation($input: MessagePostInput!) { messagePost(input: $input) { userErrors { code } } }"""
)


async def test_hidden_and_missing_run_the_same_statements(gql: GQL) -> None:
    world = await _world()
    token = world["stranger"].token
    cases: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []
    for name, (query, type_name) in QUERIES.items():
        cases.append(
            (name, query, {"id": gid(type_name, world[type_name])}, {"id": gid(type_name, MISSING)})
        )
    for type_name in ("Project", "Application", "Thread", "Message", "StatementRequest"):
        cases.append(
            (
                f"node({type_name})",
                NODE,
                {"id": gid(type_name, world[type_name])},
                {"id": gid(type_name, MISSING)},
            )
        )

    def update(db_id: int) -> dict[str, Any]:
        return {"input": {"id": gid("Application", db_id), "expectedVersion": 1, "content": {}}}

    def post(db_id: int) -> dict[str, Any]:
        return {"input": {"threadId": gid("Thread", db_id), "body": "x"}}

    cases.append(("applicationUpdate", UPDATE, update(world["Application"]), update(MISSING)))
    cases.append(("messagePost", POST, post(world["Thread"]), post(MISSING)))
    await gql("{ viewer { isAuthenticated } }", token=token)  # the token's viewer, cached
    counts = {}
    for name, query, hidden, missing in cases:
        for_hidden = await _statements(gql, token, query, hidden)
        for_missing = await _statements(gql, token, query, missing)
        assert for_hidden == for_missing, (name, for_hidden, for_missing)
        counts[name] = len(for_hidden)
    print("statements, hidden = missing:", counts)
