"""`node(id)` resolves every type that implements Node (issue 10, item 4), under the same
rules as everywhere else: whoever may see the object gets it, others get null.

The types are read from the schema, so a new Node type without a row here fails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from actions import authority as authority_actions
from actions import statements as statement_actions
from actions.identity import person_create
from models import (
    Attachment,
    Organisation,
    OutboxItem,
    PermitKind,
    PermitType,
    ServiceBundle,
    Thread,
)
from models.statuses import ApplicationStatus
from schema.root import schema
from tests.factories import (
    GQL,
    Actor,
    _actor,
    gid,
    make_application,
    make_company,
    make_customer,
    make_handler,
    make_project,
    make_representative,
)
from tests.files import pdf, spec

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


@dataclass
class Case:
    db_id: int
    #: who may see it (the first role that may)
    seer: str
    #: whether anyone at all (anonymous) gets it: the public catalogue
    public: bool = False


async def _world() -> tuple[dict[str, Case], dict[str, Actor]]:
    company = await make_company()
    owner = await make_representative(company)
    police = await make_handler("helsinki-police")
    operator = await _actor(
        await person_create("Operaattori", "operaattori@test.luukku.example", is_operator=True)
    )
    project_id = await make_project(owner, organisation=company)
    app_id = await make_application(
        owner, project_id, status=ApplicationStatus.NOT_STARTED, handler=police
    )
    thread = await Thread.get(application_id=app_id)
    message_id = await authority_actions.message_post(
        owner.viewer, thread.id, "Hei.", [spec("liite.pdf", pdf("A"))]
    )
    building = await Organisation.get(code="helsinki-building-control")
    statement_id = await statement_actions.statement_request(
        police.viewer, app_id, building.id, "Lausunto?", date.today() + timedelta(days=9)
    )
    attachment = await Attachment.filter(owner_kind="MESSAGE", owner_id=message_id).first()
    assert attachment is not None
    outbox = await OutboxItem.filter(application_id=app_id).first()
    assert outbox is not None
    permit_type = await PermitType.get(code="helsinki-police-event-notification")
    cases = {
        "Application": Case(app_id, "owner"),
        "Attachment": Case(attachment.id, "owner"),
        "Authority": Case(permit_type.authority_id, "owner", public=True),
        "Message": Case(message_id, "owner"),
        "Organisation": Case(company.id, "owner"),
        "OutboxItem": Case(outbox.id, "operator"),
        "PermitKind": Case((await PermitKind.first()).id, "owner", public=True),  # type: ignore[union-attr]
        "PermitType": Case(permit_type.id, "owner", public=True),
        "Person": Case(owner.viewer.person_id or 0, "owner"),
        "Project": Case(project_id, "owner"),
        "ServiceBundle": Case((await ServiceBundle.first()).id, "owner", public=True),  # type: ignore[union-attr]
        "StatementRequest": Case(statement_id, "owner"),
        "Thread": Case(thread.id, "owner"),
    }
    actors = {"owner": owner, "operator": operator, "stranger": await make_customer()}
    return cases, actors


def _node_types() -> set[str]:
    node = schema._schema.get_type("Node")
    return {t.name for t in schema._schema.get_possible_types(node)}  # type: ignore[arg-type]


async def test_every_node_type_resolves_for_who_may_see_it(gql: GQL) -> None:
    cases, actors = await _world()
    assert set(cases) == _node_types(), "a Node type without a case here"
    for type_name, case in cases.items():
        node_id = gid(type_name, case.db_id)
        seen = await gql(NODE, {"id": node_id}, token=actors[case.seer].token)
        assert seen["data"]["node"] == {"__typename": type_name, "id": node_id}, type_name
        hidden = await gql(NODE, {"id": node_id}, token=actors["stranger"].token)
        anonymous = await gql(NODE, {"id": node_id})
        expected: Any = seen["data"]["node"] if case.public else None
        assert hidden["data"]["node"] == expected, type_name
        assert anonymous["data"]["node"] == expected, type_name
        missing = await gql(NODE, {"id": gid(type_name, 2**31 - 1)}, token=actors[case.seer].token)
        assert missing["data"]["node"] is None, type_name


async def test_threads_and_messages_follow_the_thread_rule(gql: GQL) -> None:
    """An uninvolved authority's handler does not read the discussion through node; the
    addressed authority's does."""
    cases, _ = await _world()
    rescue = await make_handler("helsinki-rescue")
    for type_name in ("Thread", "Message"):
        node_id = gid(type_name, cases[type_name].db_id)
        result = await gql(NODE, {"id": node_id}, token=rescue.token)
        assert result["data"]["node"] is None, type_name
    police = await make_handler("helsinki-police")
    for type_name in ("Thread", "Message"):
        node_id = gid(type_name, cases[type_name].db_id)
        result = await gql(NODE, {"id": node_id}, token=police.token)
        assert result["data"]["node"] == {"__typename": type_name, "id": node_id}
