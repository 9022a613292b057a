"""permissions/filters.py is the SQL of the policies: on every project of a varied world,
for every kind of viewer, the `projects` filter selects exactly the projects
policies.can_see_project allows, the inbox and outbox filters what theirs allow, and the
inbox's kept counts what is_in_inbox counts (run on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from actions import applications as app_actions
from actions import statements as statement_actions
from models import Application, Organisation, Project
from models.statuses import ApplicationStatus
from permissions import filters, policies
from permissions.facts import ANONYMOUS, ApplicationFacts, Viewer
from resolvers.loaders import Loaders
from tests.factories import (
    GQL,
    Actor,
    make_application,
    make_company,
    make_customer,
    make_handler,
    make_project,
    make_representative,
    make_system,
)

S = ApplicationStatus
RESCUE = "helsinki-rescue-plan"


async def _version(app_id: int) -> int:
    return (await Application.get(id=app_id)).version


async def _world() -> list[Viewer]:
    """Projects with applications in every state that matters to involvement: none, a draft,
    a shared draft, a shared draft hidden again, a withdrawn shared draft, submitted,
    withdrawn after submission, decided; one with a statement request; personal and
    organisation owners. Returns the viewers to try."""
    person = await make_customer()
    company = await make_company()
    rep, other_rep = await make_representative(company), await make_representative(company)
    police = await make_handler("helsinki-police")
    cases: list[tuple[Actor, bool]] = [(person, False), (rep, True)]
    for owner, for_company in cases:
        org = company if for_company else None
        await make_project(owner, organisation=org)  # no applications
        draft = await make_project(owner, organisation=org)
        await make_application(owner, draft, RESCUE)
        shared = await make_project(owner, organisation=org)
        await make_application(owner, shared, RESCUE, shared=True)
        hidden = await make_project(owner, organisation=org)
        app_id = await make_application(owner, hidden, RESCUE, shared=True)
        await app_actions.application_share(owner.viewer, app_id, await _version(app_id), False)
        withdrawn_draft = await make_project(owner, organisation=org)
        app_id = await make_application(owner, withdrawn_draft, RESCUE, shared=True)
        await app_actions.application_withdraw(owner.viewer, app_id, await _version(app_id), "")
        submitted = await make_project(owner, organisation=org)
        await make_application(owner, submitted, RESCUE, status=S.NOT_STARTED)
        withdrawn = await make_project(owner, organisation=org)
        await make_application(owner, withdrawn, RESCUE, status=S.WITHDRAWN)
        decided = await make_project(owner, organisation=org)
        await make_application(
            owner, decided, status=S.APPROVED, handler=police, share_decision=False
        )
        asked = await make_project(owner, organisation=org)
        app_id = await make_application(owner, asked, status=S.NOT_STARTED, handler=police)
        building = await Organisation.get(code="helsinki-building-control")
        await statement_actions.statement_request(
            police.viewer, app_id, building.id, "?", date.today() + timedelta(days=5)
        )
    actors = [
        person,
        rep,
        other_rep,
        police,
        await make_customer(),
        await make_handler("helsinki-rescue"),
        await make_handler("helsinki-building-control"),
        await make_handler("helsinki-environmental-services"),
        await make_system("helsinki-rescue"),
        await make_system("helsinki-building-control"),
    ]
    viewers = [a.viewer for a in actors] + [ANONYMOUS]
    # a viewer of several authorities at once
    both = police.viewer.handler_of | (await make_handler("helsinki-rescue")).viewer.handler_of
    viewers.append(Viewer(person_id=police.viewer.person_id, handler_of=both))
    return viewers


async def test_the_projects_filter_is_can_see_project(db: str) -> None:
    viewers = await _world()
    loaders = Loaders()
    project_ids = [p.id for p in await Project.all()]
    facts = {pid: await loaders.project_facts(pid) for pid in project_ids}
    for viewer in viewers:
        by_sql = set(
            await Project.filter(filters.visible_projects(viewer)).values_list("id", flat=True)
        )
        by_policy = {
            pid for pid, f in facts.items() if f is not None and policies.can_see_project(viewer, f)
        }
        assert by_sql == by_policy, viewer
    # the world is varied: some viewer sees some but not all projects, some see none
    seen = [
        {pid for pid, f in facts.items() if f and policies.can_see_project(v, f)} for v in viewers
    ]
    assert any(0 < len(s) < len(project_ids) for s in seen)
    assert any(not s for s in seen)


async def test_the_projects_list_uses_the_filter(gql: GQL) -> None:
    """The `projects` query answers the policy's projects (its totalCount too)."""
    customer = await make_customer()
    mine = await make_project(customer)
    await make_project(await make_customer())
    body = await gql("{ projects { totalCount nodes { name } } }", token=customer.token)
    assert body["data"]["projects"]["totalCount"] == 1
    assert mine


async def test_the_inbox_filter_is_is_in_inbox(db: str) -> None:
    viewers = await _world()
    rows = await Application.all().values(
        "id", "project_id", "authority_id", "status", "is_shared", "submitted_at"
    )
    for viewer in viewers:
        authorities = policies.inbox_authorities(viewer)
        by_sql = set(
            await Application.filter(filters.inbox_applications(authorities)).values_list(
                "id", flat=True
            )
        )
        by_policy = {
            r["id"] for r in rows if policies.is_in_inbox(viewer, ApplicationFacts.from_row(r))
        }
        assert by_sql == by_policy, viewer


async def test_the_inbox_counts_are_is_in_inbox(db: str) -> None:
    """The inbox's `totalCount` comes from the kept counts (actions/inbox_counts.py), which
    mirror policies.is_in_inbox by their own SQL: for every kind of viewer, with and without
    a status filter and one of its authorities (`only`), as the actions kept them and as
    `recount` rebuilds them, they equal counting the applications the policy puts there."""
    from actions.inbox_counts import recount, totals

    viewers = await _world()
    rows = await Application.all().values(
        "id", "project_id", "authority_id", "status", "is_shared", "submitted_at"
    )
    facts = [ApplicationFacts.from_row(r) for r in rows]
    filters_to_try: list[list[ApplicationStatus] | None] = [None, [S.NOT_STARTED], [S.APPROVED]]
    counted = []
    for rebuilt in (False, True):
        if rebuilt:
            await recount()
        for viewer in viewers:
            for only in (None, *sorted(viewer.acting_authorities)):
                authorities = policies.inbox_authorities(viewer, only)
                for statuses in filters_to_try:
                    kept = await totals(sorted(authorities), statuses)
                    by_policy = sum(
                        1
                        for f in facts
                        if policies.is_in_inbox(viewer, f, only)
                        and (statuses is None or f.status in statuses)
                    )
                    assert kept == by_policy, (viewer, only, statuses, rebuilt)
                    counted.append(by_policy)
    assert 0 in counted and any(counted)  # the world is varied


async def test_the_outbox_filter_is_can_see_outbox_item(db: str) -> None:
    """The items of two worlds (a draft shown to authorities and one not, submitted
    applications): an authority admin's and an operator's filter select what the policy
    allows."""
    from models import OutboxItem
    from tests.permissions.world import Role, State, build_world

    viewers = [
        w.actors[role].viewer  # type: ignore[union-attr]
        for w in [await build_world(State.DRAFT), await build_world(State.SHARED_DRAFT)]
        for role in (Role.ADMIN, Role.OPERATOR)
    ]
    apps = {
        r["id"]: ApplicationFacts.from_row(r)
        for r in await Application.all().values(
            "id", "project_id", "authority_id", "status", "is_shared", "submitted_at"
        )
    }
    items = await OutboxItem.all().values("id", "authority_id", "application_id")
    assert items
    hidden = 0
    for viewer in viewers:
        scope = policies.outbox_scope(viewer)
        by_sql = set(
            await OutboxItem.filter(filters.outbox_items(scope)).values_list("id", flat=True)
        )
        by_policy = {
            i["id"]
            for i in items
            if policies.can_see_outbox_item(
                viewer, i["authority_id"], apps.get(i["application_id"] or 0)
            )
        }
        assert by_sql == by_policy, viewer
        hidden += len({i["id"] for i in items if i["authority_id"] in viewer.admin_of} - by_sql)
    assert hidden > 0  # a reminder of an unshared draft was among the admin's items
