"""Planned loading at the `inbox` and `node` roots (and `application`): fewer statements,
as many for a long inbox or a large project as for a short or small one, the same answers
as over the loaders, and the inbox's page exactly the rows Tortoise reads for it."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from actions import authority as authority_actions
from bench.queries import INBOX as BENCH_INBOX
from models import Application, Organisation
from models.statuses import ApplicationStatus as S
from resolvers import planned
from resolvers.loaders import APPLICATION_FIELDS, Loaders
from tests import factories
from tests.factories import GQL, Actor, gid
from tests.resolvers.authority.operations import INBOX
from tests.resolvers.authority.test_overview import PERMITS, _count, _project
from tests.resolvers.projects.test_planned_roots import _counts, unplanned
from tests.resolvers.projects.test_planned_rows import difference, exact, loaded
from tests.sqlcount import count_queries

__all__ = ["unplanned"]


async def _inbox_world(projects: int, police: Actor) -> None:
    """`projects` projects with two applications in the police's inbox each (one taken
    by the handler) and one elsewhere."""
    for i in range(projects):
        owner = await factories.make_customer()
        project_id = await factories.make_project(owner)
        status = S.NOT_STARTED if i % 2 else S.INFORMATION_REQUESTED
        await factories.make_application(owner, project_id, PERMITS[0], status=status)
        taken = await factories.make_application(
            owner, project_id, PERMITS[5], status=S.IN_PROGRESS, handler=police
        )
        version = (await Application.get(id=taken)).version
        await authority_actions.application_assign(police.viewer, taken, version, None)
        await factories.make_application(owner, project_id, PERMITS[1], status=S.NOT_STARTED)


#: what the inbox's applications may also select: the facts (viewerCan*, content...), the
#: status history with its comments and actors, the decision, the discussion, the project's
#: own applications
WIDE = """query($first: Int) { inbox(first: $first) {
  totalCount nodes {
    id status viewerCanHandle viewerCanReadContent latestApplicationDate
    statusHistory { nodes { toStatus comment actor { name } actingForName { fi } } }
    decision { outcome } thread { messages { nodes { body } } }
    project { name owner { __typename } applications { totalCount nodes { status } } }
    assignedTo { name } permitType { code } authority { code }
  } } }"""


@pytest.mark.parametrize("query", [BENCH_INBOX, INBOX, WIDE], ids=["bench", "inbox", "wide"])
async def test_the_inbox_reads_its_page_with_its_plan(gql: GQL, unplanned: GQL, query: str) -> None:
    police = await factories.make_handler("helsinki-police")
    await _inbox_world(1, police)
    few_planned, _, few_result = await _counts(gql, unplanned, police.token, query, {})
    await _inbox_world(4, police)
    many_planned, many_loaded, result = await _counts(gql, unplanned, police.token, query, {})
    assert len(few_result["data"]["inbox"]["nodes"]) == 2
    assert len(result["data"]["inbox"]["nodes"]) == 10
    assert few_planned == many_planned, (few_planned, many_planned)
    # the page with its count, its projects, people and facts
    print("inbox statements, planned / loaders:", many_planned, many_loaded)
    assert many_planned == 1, (many_planned, many_loaded)
    assert many_planned < many_loaded


VARIANTS = {
    "kept count": {"filter": {"statuses": ["NOT_STARTED", "IN_PROGRESS"]}},
    "counted": {"filter": {"assignedToMe": True}},
    "project name": {"filter": {"projectName": "festi"}, "order": "UPDATED_NEWEST_FIRST"},
    "newest": {"order": "SUBMITTED_NEWEST_FIRST", "first": 3},
    "empty": {"filter": {"unassigned": True, "statuses": ["APPROVED"]}},
}


@pytest.mark.parametrize("variables", VARIANTS.values(), ids=VARIANTS.keys())
async def test_the_planned_inbox_answers_as_the_loaders_do(
    gql: GQL, unplanned: GQL, variables: dict[str, Any]
) -> None:
    """Filters, orders, counts (kept or counted) and every page through the cursors."""
    police = await factories.make_handler("helsinki-police")
    await _inbox_world(4, police)
    pages = 0
    while True:
        count, _, result = await _counts(gql, unplanned, police.token, INBOX, variables)
        assert count == 1
        pages += 1
        info = result["data"]["inbox"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        variables = {**variables, "first": 3, "after": info["endCursor"]}
    assert pages == (3 if "first" in variables else 1)
    if info["endCursor"] is not None:  # beyond the last page: no rows, the same count
        beyond = {**variables, "after": info["endCursor"]}
        count, _, result = await _counts(gql, unplanned, police.token, INBOX, beyond)
        assert count == 1
        assert result["data"]["inbox"]["nodes"] == []
        assert result["data"]["inbox"]["totalCount"] > 0


async def test_an_inbox_of_statuses_reads_its_page_alone(gql: GQL) -> None:
    police = await factories.make_handler("helsinki-police")
    await _inbox_world(2, police)
    plans = planned.stats.read
    count, result = await _count(gql, police.token, "{ inbox { nodes { id status } } }", {})
    assert len(result["data"]["inbox"]["nodes"]) == 4
    assert count == 1
    assert planned.stats.read == plans


ORDERS = [
    ("submitted_at", "id"),
    ("-submitted_at", "-id"),
    ("-updated_at", "-id"),
]


@pytest.mark.parametrize("ordering", ORDERS)
async def test_the_planned_page_is_the_rows_tortoise_reads(
    gql: GQL, ordering: tuple[str, ...]
) -> None:
    """The page as the inbox's query reads it, every key and value exactly, in its order,
    with the projects, applications, statements and people the loaders read for it."""
    police = await factories.make_handler("helsinki-police")
    await _inbox_world(3, police)
    authority = await Organisation.get(code="helsinki-police")
    query = Application.filter(submitted_at__not_isnull=True, authority_id__in=[authority.id])
    for size, after in ((4, None), (20, None), (3, 2)):
        page = query.order_by(*ordering).limit(size + 1).offset(after or 0)
        expected = await page.values(*APPLICATION_FIELDS)
        assert len(expected) > 1

        loaders = Loaders()
        names = ["project", *planned.ALWAYS, *planned.WHEN_SELECTED]
        with count_queries() as counter:
            got, _ = await planned.read_inbox(loaders, page, ordering, size, names)
        assert counter.count == 1, counter.statements
        assert exact(got) == exact(expected), difference(exact(got), exact(expected))
        shown = expected[:size]
        project_ids = sorted({r["project_id"] for r in shown})
        reference = await loaded(Loaders(), project_ids)
        with count_queries() as counter:
            primed = await loaded(loaders, project_ids)
            applications = await loaders.application.load_many([r["id"] for r in shown])
        assert counter.statements == []
        assert primed == reference, difference(primed, reference)
        assert exact(applications) == exact(shown)
        # the page's handlers alone (the bench inbox's plan)
        handlers = sorted({r["assigned_to_id"] for r in shown if r["assigned_to_id"]})
        assert handlers
        loaders = Loaders()
        await planned.read_inbox(loaders, page, ordering, size, ["project", "assigned"])
        with count_queries() as counter:
            people = await loaders.person.load_many(handlers)
            projects = await loaders.project.load_many(project_ids)
        assert counter.statements == []
        expected_people = await Loaders().person.load_many(handlers)
        assert exact(people) == exact(expected_people)
        assert exact(projects) == exact(await Loaders().project.load_many(project_ids))


NODE_PROJECT = """query($id: ID!) { node(id: $id) { id ... on Project { name
  applications { nodes { status statusHistory { nodes { toStatus actor { name } } }
                         decision { outcome } thread { messages { nodes { body } } } } } } } }"""
NODE_APPLICATION = """query($id: ID!) { node(id: $id) { id ... on Application { status
  viewerCanHandle statusHistory { nodes { toStatus comment actor { name } } }
  decision { outcome } thread { messages { nodes { body } } } assignedTo { name }
  project { name owner { __typename } applications { nodes { status } } } } } }"""


async def test_node_plans_the_subtree_of_its_type(gql: GQL, unplanned: GQL) -> None:
    police = await factories.make_handler("helsinki-police")
    counts: dict[tuple[int, str], tuple[int, int, dict[str, Any]]] = {}
    for size in (2, 5):
        owner, project_id = await _project(gql, size=size, messages=size // 2)
        app_id = await factories.make_application(
            owner, project_id, PERMITS[5], status=S.IN_PROGRESS, handler=police
        )
        await factories.make_application(owner, project_id, PERMITS[6], status=S.APPROVED)
        for query, id in (
            (NODE_PROJECT, gid("Project", project_id)),
            (NODE_APPLICATION, gid("Application", app_id)),
        ):
            counts[size, query] = await _counts(gql, unplanned, police.token, query, {"id": id})
    for query in (NODE_PROJECT, NODE_APPLICATION):
        (small_planned, small_loaded, small), (large_planned, large_loaded, large) = (
            counts[2, query],
            counts[5, query],
        )
        assert small["data"]["node"] is not None and large["data"]["node"] is not None
        assert small_planned == large_planned == 1, (small_planned, large_planned)
        assert small_loaded == large_loaded, (small_loaded, large_loaded)
        print("node statements, planned / loaders:", large_planned, large_loaded)
        assert large_loaded > 3, large_loaded
    nodes = counts[5, NODE_PROJECT][2]["data"]["node"]["applications"]["nodes"]
    assert len(nodes) == 7


def test_node_leaves_out_fragments_on_other_types() -> None:
    """A fragment on Application under a project's node plans nothing of it."""

    class Resolving:
        def __init__(self, field: Any) -> None:
            self.field_nodes = [field]
            self.fragments: dict[str, Any] = {}

    document = parse(
        "{ node(id: 1) { id ... on Application { statusHistory { nodes { toStatus } } } "
        "... on Project { name thread { id } } ... on Node { id } } }"
    )
    info: Any = Resolving(document.definitions[0].selection_set.selections[0])  # type: ignore[attr-defined]
    assert planned.selected_names(info, "Project") == {"id", "name", "thread"}
    assert "statusHistory" in planned.selected_names(info)


async def test_the_applications_plan_equals_the_loaders_rows(db: str) -> None:
    owner = await factories.make_customer()
    project_id = await factories.make_project(owner)
    app_id = await factories.make_application(owner, project_id, status=S.IN_PROGRESS)
    await factories.make_application(owner, project_id, PERMITS[5], status=S.APPROVED)
    names = ["project", *planned.ALWAYS, *planned.WHEN_SELECTED]
    reference = await loaded(Loaders(), [project_id])
    primed = Loaders()
    with count_queries() as counter:
        rows = await planned.read([app_id], names, of="application")
    assert counter.count == 1
    planned.prime(primed, [project_id], rows)
    with count_queries() as counter:
        got = await loaded(primed, [project_id])
    assert counter.statements == []
    assert got == reference, difference(got, reference)
    assert all(
        part == [] for part in (await planned.read([987_654], names, of="application")).values()
    )
