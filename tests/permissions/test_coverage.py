"""The matrix's rows for the rest of the schema (matrix.MORE_FIELDS, VIEWER, GROUPS, ROOTS):
the viewer, people, organisations, authorities and their staff, the audit log, the outbox,
kept mails, the permit plan, the public catalogue, every Query root field and `node` for
every Node type."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
)

from models import Application, Organisation, OutboxItem, PermitType, Project, ServiceBundle
from models.ids import decode_global_id
from schema.root import schema
from tests.factories import GQL, gid
from tests.permissions.matrix import (
    GROUPS,
    MEMBERSHIPS,
    MORE_FIELDS,
    ROOTS,
    SEES,
    TOLD,
    VIEWER,
    Row,
)
from tests.permissions.world import Role, State, World, build_world


def _fields(rows: dict[str, Row]) -> str:
    return " ".join(f"{name} {row.selection}".strip() for name, row in rows.items())


def _present(value: Any) -> bool:
    return value is not None and value != []


def _rows_wrong(
    label: str, rows: dict[str, Row], parent: Any, role: Role, state: State
) -> list[str]:
    """Each row's field of `parent` has a value exactly when the matrix says so."""
    wrong = []
    for name, row in rows.items():
        value = None if parent is None else parent.get(name)
        readable = role in SEES[row.sees][state]
        if row.flag is not None:
            expected: Any = (role in SEES[row.flag][state]) if readable else None
            if value != expected:
                wrong.append(f"{label}.{name}: expected {expected}, got {value!r}")
        elif _present(value) != (readable and state in row.present):
            wrong.append(
                f"{label}.{name}: expected {'a value' if readable and state in row.present else 'nothing'}, got {value!r}"
            )
    return wrong


def _code(result: dict[str, Any]) -> str | None:
    errors = result.get("errors") or [{}]
    return errors[0].get("extensions", {}).get("code")


def _gate_wrong(label: str, result: dict[str, Any], allowed: bool, role: Role) -> list[str]:
    """An allowed role gets data; anonymous UNAUTHENTICATED; other roles FORBIDDEN."""
    code = _code(result)
    if allowed:
        return [] if code is None else [f"{label}: expected data, got {code}"]
    expected = "UNAUTHENTICATED" if role is Role.ANONYMOUS else "FORBIDDEN"
    return [] if code == expected else [f"{label}: expected {expected}, got {code or 'data'}"]


# --- the viewer, people, organisations, authorities and the plan --------------------------------

OBJECTS = f"""
query($self: ID!, $owner: ID!, $company: ID!, $police: ID!, $project: ID!, $statement: ID!,
      $bundle: ID!, $permitType: ID!) {{
  viewer {{ {_fields(VIEWER)} }}
  me: node(id: $self) {{ ... on Person {{ {_fields(MORE_FIELDS["Person"])} }} }}
  owner: node(id: $owner) {{ ... on Person {{ id }} }}
  company: node(id: $company) {{ ... on Organisation {{ {_fields(MORE_FIELDS["Organisation"])} }} }}
  police: node(id: $police) {{ ... on Authority {{ {_fields(MORE_FIELDS["Authority"])} }} }}
  statement: node(id: $statement) {{ ... on StatementRequest {{ id }} }}
  bundle: node(id: $bundle) {{ id }}
  permitType: node(id: $permitType) {{ id ... on PermitType {{ kind {{ id }} }} }}
  project(id: $project) {{
    plan {{ {_fields(MORE_FIELDS["ProjectPlan"])}
            entries {{ {_fields(MORE_FIELDS["PlanEntry"])} }} }}
  }}
}}
"""


async def _ids(world: World, role: Role) -> dict[str, str]:
    actor, owner = world.actors[role], world.actors[Role.OWNER_REP]
    assert owner is not None and owner.person_id is not None
    project = await Project.get(id=world.project_id)
    police = await Organisation.get(code="helsinki-police")
    bundle = await ServiceBundle.get(code="public-event")
    own_id = actor.person_id if actor is not None and actor.person_id is not None else 0
    return {
        "self": gid("Person", own_id or 999_999),
        "owner": gid("Person", owner.person_id),
        "company": gid("Organisation", project.owner_organisation_id or 0),
        "police": gid("Authority", police.id),
        "project": gid("Project", world.project_id),
        "statement": gid("StatementRequest", world.statement_id or 999_999),
        "bundle": gid("ServiceBundle", bundle.id),
        "permitType": gid("PermitType", (await _permit_type(world)).permit_type_id),
    }


async def _permit_type(world: World) -> Any:
    from models import Application

    return await Application.get(id=world.application_id)


async def objects_wrong(gql: GQL, world: World, role: Role) -> list[str]:
    state = world.state
    ids = await _ids(world, role)
    result = await gql(OBJECTS, ids, token=world.token(role), errors=True)
    if result.get("errors") or not result.get("data"):
        return [f"objects: error {_code(result)}"]
    data = result["data"]
    wrong = _rows_wrong("Viewer", VIEWER, data["viewer"], role, state)
    actor = world.actors[role]
    person = data["viewer"]["person"]
    if person is not None and (
        actor is None or person["id"] != gid("Person", actor.person_id or 0)
    ):
        wrong.append(f"Viewer.person: someone else, {person}")
    membership = MEMBERSHIPS[role]
    if membership is not None:
        (got,) = data["viewer"]["memberships"] or [None]
        target = (got or {}).get("authority") or {}
        expected_target = membership[1]
        if (
            got is None
            or got["role"] != membership[0]
            or (expected_target != "company" and target.get("code") != expected_target)
        ):
            wrong.append(f"Viewer.memberships: expected {membership}, got {got}")
        if expected_target == "company" and got and got["organisation"]["id"] != ids["company"]:
            wrong.append(f"Viewer.memberships: another organisation, {got}")
    wrong += _rows_wrong("Person", MORE_FIELDS["Person"], data["me"], role, state)
    if (data["owner"] is not None) is not (role is Role.OWNER_REP):
        wrong.append(
            f"node(the owner's Person): expected {'it' if role is Role.OWNER_REP else 'null'}"
        )
    wrong += _rows_wrong("Organisation", MORE_FIELDS["Organisation"], data["company"], role, state)
    wrong += _rows_wrong("Authority", MORE_FIELDS["Authority"], data["police"], role, state)
    sees_statement = role in SEES["statement"][state]
    if (data["statement"] is not None) is not sees_statement:
        wrong.append(f"node(StatementRequest): expected {'it' if sees_statement else 'null'}")
    if data["bundle"] is None or data["permitType"] is None or data["permitType"]["kind"] is None:
        wrong.append("node(ServiceBundle/PermitType/PermitKind): the catalogue is public")
    plan = (data["project"] or {}).get("plan")
    wrong += _rows_wrong("ProjectPlan", MORE_FIELDS["ProjectPlan"], plan, role, state)
    entries = (plan or {}).get("entries") or []
    entry = next(
        (e for e in entries if e["application"]["id"] == gid("Application", world.application_id)),
        None,
    )
    wrong += _rows_wrong("PlanEntry", MORE_FIELDS["PlanEntry"], entry, role, state)
    return wrong


# --- the audit log, the outbox, kept mails, statement requests ---------------------------------

AUDIT = f"""query($police: ID!) {{
  auditLog(authorityId: $police, first: 1) {{ nodes {{ {_fields(MORE_FIELDS["AuditEntry"])} }} }}
}}"""
OTHER_AUDIT = "query($rescue: ID!) { auditLog(authorityId: $rescue, first: 1) { totalCount } }"
# (newest first: with more than a page, what is older than the page is not judged)
OUTBOX = f"""{{ outboxItems(first: 100) {{ pageInfo {{ hasNextPage }}
  nodes {{ {_fields(MORE_FIELDS["OutboxItem"])} }} }} }}"""
KEPT = f"""{{ keptMails(first: 100) {{ pageInfo {{ hasNextPage }}
  nodes {{ {_fields(MORE_FIELDS["KeptMail"])} }} }} }}"""
STATEMENTS = "{ statementRequests(first: 100) { pageInfo { hasNextPage } nodes { id } } }"


async def _world_items(world: World) -> dict[int, tuple[int | None, int | None]]:
    """The world's outbox items: id -> (authority, application)."""
    rows = await OutboxItem.filter(
        application_id__in=[world.application_id, world.other_application_id]
    ).values_list("id", "authority_id", "application_id")
    return {i: (authority, application) for i, authority, application in rows}


async def work_wrong(gql: GQL, world: World, role: Role) -> list[str]:
    state, token = world.state, world.token(role)
    police = await Organisation.get(code="helsinki-police")
    rescue = await Organisation.get(code="helsinki-rescue")
    wrong: list[str] = []

    audit = await gql(AUDIT, {"police": gid("Authority", police.id)}, token=token, errors=True)
    wrong += _gate_wrong("auditLog(police)", audit, role in SEES["audit"][state], role)
    if "errors" not in audit:
        nodes = audit["data"]["auditLog"]["nodes"]
        if state not in (State.DRAFT, State.SHARED_DRAFT) and not nodes:
            wrong.append("auditLog(police): empty, though the police have handled A")
        if nodes:
            wrong += _rows_wrong("AuditEntry", MORE_FIELDS["AuditEntry"], nodes[0], role, state)
    other = await gql(
        OTHER_AUDIT, {"rescue": gid("Authority", rescue.id)}, token=token, errors=True
    )
    wrong += _gate_wrong("auditLog(rescue)", other, False, role)

    outbox = await gql(OUTBOX, token=token, errors=True)
    wrong += _gate_wrong("outboxItems", outbox, role in SEES["outbox"][state], role)
    if "errors" not in outbox:
        items = await _world_items(world)
        page = outbox["data"]["outboxItems"]
        listed = {int(_local(n["id"])): n for n in page["nodes"]}
        oldest = min(listed, default=0) if page["pageInfo"]["hasNextPage"] else 0
        for item_id, (authority, application) in items.items():
            if item_id < oldest:
                continue
            # the police's items (about A while the police may not see A: the test below)
            if role is Role.ADMIN and application == world.application_id:
                if role not in SEES["project"][state]:
                    continue
            ours = role is Role.OPERATOR or authority == police.id
            if (item_id in listed) is not ours:
                wrong.append(
                    f"outboxItems: item {item_id} of authority {authority}: {'missing' if ours else 'shown'}"
                )
            node = listed.get(item_id)
            if node is not None:
                wrong += _rows_wrong(
                    "OutboxItem",
                    MORE_FIELDS["OutboxItem"],
                    node | {"application": None},
                    role,
                    state,
                )
                sees = (
                    role in SEES["project"][state]
                    if application == world.application_id
                    else role in SEES["project"][State.SUBMITTED]
                )
                if (node["application"] is not None) is not sees:
                    wrong.append(f"OutboxItem.application: expected {'it' if sees else 'null'}")

    kept = await gql(KEPT, token=token, errors=True)
    wrong += _gate_wrong("keptMails", kept, role in SEES["kept"][state], role)
    if "errors" not in kept:
        page = kept["data"]["keptMails"]
        mine = [m for m in page["nodes"] if m["to"] == world.kept_mail_to]
        if not mine and not page["pageInfo"]["hasNextPage"]:
            wrong.append("keptMails: the world's kept mail is missing")
        elif mine:
            wrong += _rows_wrong("KeptMail", MORE_FIELDS["KeptMail"], mine[0], role, state)

    statements = await gql(STATEMENTS, token=token, errors=True)
    wrong += _gate_wrong(
        "statementRequests", statements, role in SEES["authority_users"][state], role
    )
    if "errors" not in statements:
        page = statements["data"]["statementRequests"]
        ids = [n["id"] for n in page["nodes"]]
        listed_it = (
            world.statement_id is not None and gid("StatementRequest", world.statement_id) in ids
        )
        unjudged = page["pageInfo"]["hasNextPage"] and not listed_it  # older than the page
        if listed_it is not (role in SEES["statement_parties"][state]) and not unjudged:
            wrong.append(
                f"statementRequests: the request on A {'listed' if listed_it else 'missing'}"
            )
    return wrong


def _local(global_id: str) -> str:
    decoded = decode_global_id(global_id)
    assert decoded is not None, global_id
    return str(decoded[1])


@pytest.mark.parametrize("state", list(State))
async def test_who_reads_the_rest(gql: GQL, state: State) -> None:
    """One world per state, every role (these reads change nothing the rows depend on)."""
    world = await build_world(state)
    wrong = []
    for role in Role:
        wrong += [f"{role}: {w}" for w in await objects_wrong(gql, world, role)]
        wrong += [f"{role}: {w}" for w in await work_wrong(gql, world, role)]
    assert wrong == [], f"in {state}:\n  " + "\n  ".join(wrong)


OUTBOX_OF_A = "{ outboxItems(first: 100) { nodes { id topic recipient application { id } } } }"


@pytest.mark.parametrize(
    "state",
    [
        State.DRAFT,
        State.SHARED_DRAFT,
        State.FINAL,
    ],
)
async def test_the_outbox_shows_an_admin_nothing_of_what_its_authority_does_not_see(
    gql: GQL, state: State
) -> None:
    """An authority admin lists its authority's items, but never one about an application
    its authority may not see (a draft nobody showed it): the operator sees them all."""
    world = await build_world(state)
    items = await _world_items(world)
    of_a = {i for i, (_, application) in items.items() if application == world.application_id}
    data = (await gql(OUTBOX_OF_A, token=world.token(Role.ADMIN)))["data"]
    listed = {int(_local(n["id"])) for n in data["outboxItems"]["nodes"]}
    sees_a = Role.ADMIN in SEES["project"][state]
    shown = sorted(of_a & listed)
    assert sees_a or not shown, f"items about A shown to the police admin: {shown}"


# --- every Query root field: who may ask it -----------------------------------------------------

ROOT_QUERIES: dict[str, str] = {
    "viewer": "{ viewer { isAuthenticated } }",
    "node": '{ node(id: "UHJvamVjdDox") { id } }',
    "serviceBundles": "{ serviceBundles { code } }",
    "sharedDataSchema": "{ sharedDataSchema }",
    "municipalities": "{ municipalities { code } }",
    "authorities": "{ authorities(first: 1) { totalCount } }",
    "permitTypes": "{ permitTypes(first: 1) { totalCount } }",
    "permitNeeds": "query($i: PermitNeedsInput!) { permitNeeds(input: $i) { userErrors { code } } }",
    "processingStatistics": "{ processingStatistics { windowStart } }",
    "project": '{ project(id: "UHJvamVjdDox") { id } }',
    "application": '{ application(id: "QXBwbGljYXRpb246MQ==") { id } }',
    "projects": "{ projects(first: 1) { totalCount } }",
    "inbox": "{ inbox(first: 1) { totalCount } }",
    "statementRequests": "{ statementRequests(first: 1) { totalCount } }",
    "auditLog": "query($a: ID!) { auditLog(authorityId: $a, first: 1) { totalCount } }",
    "outboxItems": "{ outboxItems(first: 1) { totalCount } }",
    "keptMails": "{ keptMails(first: 1) { totalCount } }",
}


async def roots_wrong(gql: GQL, world: World, role: Role) -> list[str]:
    police = await Organisation.get(code="helsinki-police")
    bundle = await ServiceBundle.get(code="public-event")
    variables = {
        "a": gid("Authority", police.id),
        "i": {
            "serviceBundleId": gid("ServiceBundle", bundle.id),
            "municipalityCode": "091",
            "answers": [],
        },
    }
    wrong = []
    for name, who in ROOTS.items():
        query = ROOT_QUERIES[name]
        used = {k: v for k, v in variables.items() if f"${k}" in query}
        result = await gql(query, used, token=world.token(role), errors=True)
        wrong += _gate_wrong(name, result, role in SEES[who][world.state], role)
    return wrong


async def test_who_may_ask_each_root_field(gql: GQL) -> None:
    world = await build_world(State.SUBMITTED)
    wrong = []
    for role in Role:
        wrong += [f"{role}: {w}" for w in await roots_wrong(gql, world, role)]
    assert wrong == []


# --- the catalogue is public: the same for everyone ----------------------------------------------


def _unwrap(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _selection(type_: Any, depth: int) -> str:
    """Every field of a public type (and of the public types under it), `depth` levels deep."""
    t = _unwrap(type_)
    if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
        return "{ __typename }"
    if not isinstance(t, GraphQLObjectType):
        return ""
    parts = []
    for name, field in t.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) for a in field.args.values()):
            continue
        inner = _unwrap(field.type)
        group = GROUPS.get(inner.name)
        public = inner.name in ("LocalizedText", "PageInfo") or (
            group is not None and group.rule in ("public", "connection")
        )
        if t.name == "Authority" and name == "handlers":
            continue  # its own row (MORE_FIELDS)
        if isinstance(inner, GraphQLObjectType) and inner.name != "Authority" and not public:
            continue
        if isinstance(inner, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            if depth == 0:
                continue
            parts.append(f"{name} {_selection(inner, depth - 1)}")
        else:
            parts.append(name)
    return "{ " + " ".join(parts) + " }"


def _catalogue_query() -> str:
    query = schema._schema.query_type
    assert query is not None
    parts = []
    for name, who in ROOTS.items():
        field = query.fields[name]
        if who != "everyone" or name in ("viewer", "node", "project", "application"):
            continue
        args = "(first: 5)" if "first" in field.args else ""
        if name == "permitNeeds":
            args = "(input: $input)"
        parts.append(f"{name}{args} {_selection(field.type, 3)}".strip())
    return "query($input: PermitNeedsInput!) { " + "\n".join(parts) + " }"


async def test_the_catalogue_is_public(gql: GQL) -> None:
    """Every public root field, every public field under it: anonymous gets it, and every
    role gets exactly what anonymous gets."""
    world = await build_world(State.SUBMITTED)
    bundle = await ServiceBundle.get(code="public-event")
    variables = {
        "input": {
            "serviceBundleId": gid("ServiceBundle", bundle.id),
            "municipalityCode": "091",
            "answers": [
                {"questionId": "attendees", "value": {"number": 800}},
                {"questionId": "security_staff", "value": {"boolean": True}},
            ],
        }
    }
    query = _catalogue_query()
    seen = {
        role: json.dumps(
            (await gql(query, variables, token=world.token(role)))["data"], sort_keys=True
        )
        for role in Role
    }
    assert seen[Role.ANONYMOUS] != "null"
    differ = [role for role, answer in seen.items() if answer != seen[Role.ANONYMOUS]]
    assert differ == [], f"the catalogue differs for {differ}"


# --- node resolves every Node type ---------------------------------------------------------------

NODE_SEES = {
    "Thread": "discussion",
    "Message": "discussion",
    "Attachment": "content",
    "OutboxItem": "outbox",
}


async def _node_id(world: World, type_name: str) -> str:
    from models import Message

    if type_name == "Thread":
        return gid("Thread", world.thread_id)
    if type_name == "Message":
        first = await Message.filter(thread_id=world.thread_id).order_by("id").first()
        assert first is not None
        return gid("Message", first.id)
    if type_name == "Attachment":
        return gid("Attachment", world.attachments["application"])
    items = await _world_items(world)
    police = await Organisation.get(code="helsinki-police")
    return gid("OutboxItem", min(i for i, (a, _) in items.items() if a == police.id))


@pytest.mark.parametrize(
    "type_name",
    list(NODE_SEES),
)
async def test_node_resolves_every_node_type(gql: GQL, type_name: str) -> None:
    """node(id) of a Thread, Message, Attachment or OutboxItem: the object for whoever sees
    it (by the rule of what it belongs to), null for everyone else."""
    wrong = []
    for state in (State.SUBMITTED, State.DRAFT):
        world = await build_world(state)
        node_id = await _node_id(world, type_name)
        for role in Role:
            result = await gql(
                "query($id: ID!) { node(id: $id) { id } }", {"id": node_id}, token=world.token(role)
            )
            sees = role in SEES[NODE_SEES[type_name]][state]
            if type_name == "OutboxItem" and role is Role.ADMIN:
                # the police's item is about A: hidden from its admin while A is (a draft)
                sees = sees and role in SEES["project"][state]
            if (result["data"]["node"] is not None) is not sees:
                wrong.append(f"{role} in {state}: expected {'it' if sees else 'null'}")
    assert wrong == []


# --- who is told of a message (a notice, never the text) ----------------------------------------


async def notices_wrong(gql: GQL, world: World) -> list[str]:
    """The police write on A's thread: its submitter (OWNER_REP) is told; the customer's
    own messages tell no customer; once OWNER_REP no longer represents the company, it is
    not told either. The customer's message on A's thread tells the police (A's authority)
    and not the rescue department (B's); on the project's thread, both. A withdrawal is told
    to the authority that had the application submitted (A's), not to one that only looked
    at a shared draft. Changes the world: run it last, or on a world of its own."""
    from actions import applications as app_actions
    from actions import authority as authority_actions
    from actions.identity import membership_remove
    from models import Person
    from models.enums import Role as MemberRole

    owner, co_rep = world.actors[Role.OWNER_REP], world.actors[Role.CO_REP]
    police = world.actors[Role.ADDRESSED_HANDLER]
    assert owner is not None and co_rep is not None and police is not None
    person = await Person.get(id=owner.person_id)

    async def told() -> int:
        return await OutboxItem.filter(
            topic="customer.message", application_id=world.application_id
        ).count()

    async def authorities_told() -> tuple[int, int]:
        return (
            await OutboxItem.filter(
                topic="authority.message", application_id=world.application_id
            ).count(),
            await OutboxItem.filter(
                topic="authority.message", application_id=world.other_application_id
            ).count(),
        )

    wrong = []
    before = await told()
    police_before, rescue_before = await authorities_told()
    await authority_actions.message_post(co_rep.viewer, world.thread_id, "Asiakkaalta")
    if await told() != before:
        wrong.append("a customer was told of the customer's own message")
    if await authorities_told() != (police_before + 1, rescue_before):
        wrong.append("a customer's message on A's thread: not A's authority alone was told")
    await authority_actions.message_post(co_rep.viewer, world.project_thread_id, "Kaikille")
    if await authorities_told() != (police_before + 2, rescue_before + 1):
        wrong.append("a customer's message on the project's thread: not every authority told")
    await authority_actions.message_post(police.viewer, world.thread_id, "Poliisilta")
    if await told() != before + 1:
        wrong.append("the submitter was not told of the police's message")
    project = await Project.get(id=world.project_id)
    company = await Organisation.get(id=project.owner_organisation_id)
    await membership_remove(person, company, MemberRole.CUSTOMER_REPRESENTATIVE)
    await authority_actions.message_post(police.viewer, world.thread_id, "Poliisilta taas")
    if await told() != before + 1:
        wrong.append("a former representative was told of the police's message")

    fireworks = await PermitType.get(code="helsinki-police-fireworks-notification")
    draft = await app_actions.application_create(co_rep.viewer, world.project_id, fireworks.id)
    await app_actions.application_share(co_rep.viewer, draft, 1, True)
    topics = TOLD["applicationWithdraw"][0]
    for app_id, expected in ((draft, 0), (world.application_id, 1)):
        version = (await Application.get(id=app_id)).version
        await app_actions.application_withdraw(co_rep.viewer, app_id, version, "")
        got = await OutboxItem.filter(application_id=app_id, topic__in=topics).count()
        if got != expected:
            wrong.append(f"application {app_id} withdrawn: its authority told {got} times")
    return wrong


async def test_who_is_told_of_a_message_or_a_withdrawal(gql: GQL) -> None:
    world = await build_world(State.SUBMITTED)
    assert await notices_wrong(gql, world) == []
