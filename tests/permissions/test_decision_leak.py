"""Issue 10, item 1: a decision recorded with shareWithAuthorities false is the deciding
authority's and the customer's. Its summary also rides on the comment of the status change
that recorded it: that comment follows the decision's rule in every channel (the field via
`application`, `project.applications` and `node`, live events, the export and deliveries,
notices), by the one rule in permissions/classification.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from actions import authority as authority_actions
from models import Application, KeptMail, OutboxItem
from models.statuses import ApplicationStatus
from notifications.events import project_channel
from tests.factories import (
    GQL,
    Actor,
    gid,
    make_application,
    make_customer,
    make_handler,
    make_project,
)
from tests.subscriptions.wsclient import connect, wait_subscribed, ws_client

S = ApplicationStatus
SUMMARY = "Salainen päätösperuste 7731"

HISTORY = "statusHistory { nodes { toStatus comment } } decision { summary }"
VIA_APPLICATION = f"query($id: ID!) {{ application(id: $id) {{ {HISTORY} }} }}"
VIA_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Application {{ {HISTORY} }} }} }}"
VIA_PROJECT = f"""query($id: ID!) {{ project(id: $id) {{ applications {{ nodes {{
  id {HISTORY} }} }} }} }}"""


async def _version(app_id: int) -> int:
    return (await Application.get(id=app_id)).version


async def _world(shared: bool) -> dict[str, Any]:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.IN_PROGRESS, handler=police)
    await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
    rescue = await make_handler("helsinki-rescue")
    return {
        "customer": customer,
        "police": police,
        "rescue": rescue,
        "project": project_id,
        "app": app_id,
        "shared": shared,
    }


async def _decide(world: dict[str, Any]) -> None:
    police: Actor = world["police"]
    await authority_actions.decision_record(
        police.viewer,
        world["app"],
        await _version(world["app"]),
        S.APPROVED,
        date.today(),
        SUMMARY,
        None,
        world["shared"],
    )


def _histories(data: Any) -> list[dict[str, Any]]:
    """Every application object with a statusHistory in a response."""
    found: list[dict[str, Any]] = []
    if isinstance(data, dict):
        if "statusHistory" in data:
            found.append(data)
        for value in data.values():
            found += _histories(value)
    elif isinstance(data, list):
        for value in data:
            found += _histories(value)
    return found


def _sees_summary(app: dict[str, Any]) -> bool:
    comments = [c["comment"] for c in app["statusHistory"]["nodes"]]
    in_history = SUMMARY in comments
    in_decision = app["decision"] is not None and app["decision"]["summary"] == SUMMARY
    assert in_history == in_decision, app  # the comment follows the decision, both ways
    return in_history


async def _query_all(gql: GQL, world: dict[str, Any], actor: Actor) -> list[dict[str, Any]]:
    app_id = gid("Application", world["app"])
    found = []
    for query, variables in (
        (VIA_APPLICATION, {"id": app_id}),
        (VIA_NODE, {"id": app_id}),
        (VIA_PROJECT, {"id": gid("Project", world["project"])}),
    ):
        body = await gql(query, variables, token=actor.token)
        apps = [a for a in _histories(body["data"]) if a.get("id", app_id) == app_id]
        assert apps, (query, body)
        found += apps
    return found


@pytest.mark.parametrize("shared", [False, True])
async def test_the_decision_summary_in_the_history_follows_the_decision(
    gql: GQL, shared: bool
) -> None:
    world = await _world(shared)
    await _decide(world)
    for role, expected in (("customer", True), ("police", True), ("rescue", shared)):
        for app in await _query_all(gql, world, world[role]):
            assert _sees_summary(app) is expected, (role, app)


async def test_other_comments_stay_metadata(gql: GQL) -> None:
    """A co-authority still reads the comments of other changes (they are metadata)."""
    world = await _world(False)
    await _decide(world)
    apps = await _query_all(gql, world, world["rescue"])
    for app in apps:
        comments = {c["toStatus"]: c["comment"] for c in app["statusHistory"]["nodes"]}
        assert comments["IN_PROGRESS"] == "aloitettu"
        assert comments["APPROVED"] == ""


LIVE = """subscription($id: ID!) { projectActivity(projectId: $id) {
  kind ... on ApplicationEvent { application {
    statusHistory { nodes { toStatus comment } } decision { summary } } } } }"""
LIVE_STATUS = """subscription($id: ID!) { applicationStatusChanged(applicationId: $id) {
  toStatus application { statusHistory { nodes { toStatus comment } } decision { summary } } } }"""


@pytest.mark.parametrize("shared", [False, True])
async def test_live_events_carry_the_summary_only_to_who_may_see_the_decision(
    db: str, shared: bool
) -> None:
    world = await _world(shared)
    async with ws_client() as client:
        async with (
            connect(client, world["customer"].token) as c,
            connect(client, world["rescue"].token) as r,
            connect(client, world["police"].token) as p,
            connect(client, world["rescue"].token) as r2,
        ):
            for socket in (c, r, p):
                await socket.subscribe(LIVE, {"id": gid("Project", world["project"])})
            await r2.subscribe(LIVE_STATUS, {"id": gid("Application", world["app"])})
            await wait_subscribed(project_channel(world["project"]), 4)
            await _decide(world)
            for socket, expected in ((c, True), (p, True), (r, shared), (r2, shared)):
                message = await socket.next()
                assert message["type"] == "next", message
                data = message["payload"]["data"]
                event = data.get("projectActivity") or data["applicationStatusChanged"]
                assert _sees_summary(event["application"]) is expected, event


async def test_the_export_and_deliveries_follow_the_rule(gql: GQL) -> None:
    """The deciding authority's export has the summary (in the decision and the history); a
    co-authority cannot export; no notice or delivery to anyone but the deciding authority
    carries the summary."""
    world = await _world(False)
    await _decide(world)
    export = """mutation($input: ApplicationExportInput!) { applicationExport(input: $input) {
      document userErrors { code } } }"""
    variables = {"input": {"id": gid("Application", world["app"])}}
    own = await gql(export, variables, token=world["police"].token)
    document = own["data"]["applicationExport"]["document"]
    assert document["decision"]["summary"] == SUMMARY
    assert SUMMARY in [h["comment"] for h in document["history"]]
    other = await gql(export, variables, token=world["rescue"].token)
    assert other["data"]["applicationExport"]["userErrors"][0]["code"] in {
        "WRONG_AUTHORITY",
        "FORBIDDEN",
        "NOT_FOUND",
    }
    police_authority = (await Application.get(id=world["app"])).authority_id
    for item in await OutboxItem.all():
        if SUMMARY in str(item.payload):
            assert item.kind == "DELIVERY" and item.authority_id == police_authority, item
    for mail in await KeptMail.all():
        assert SUMMARY not in mail.text + mail.html + mail.subject


async def test_the_export_for_a_reader_without_the_decision_has_neither(db: str) -> None:
    """export_document applies the same rule for any reader it is made for."""
    from actions.access import access_application
    from actions.base import atomic
    from actions.export import export_document

    world = await _world(False)
    await _decide(world)
    async with atomic() as tx:
        locked = await access_application(tx, world["rescue"].viewer, world["app"])
        document = await export_document(tx, locked, world["rescue"].viewer)
    assert document["decision"] is None
    assert SUMMARY not in str(document)


def test_notices_carry_only_names_and_links() -> None:
    """Every notice template's parameters are in classification.NOTICE_PARAMETERS."""
    import string

    from notifications import mail
    from permissions.classification import NOTICE_PARAMETERS

    used: set[str] = set()
    for languages in mail.TEXTS.values():
        for subject, body in languages.values():
            for text in (subject, body):
                used |= {f for _, f, _, _ in string.Formatter().parse(text) if f}
    for text in mail.FOOTER.values():
        used |= {f for _, f, _, _ in string.Formatter().parse(str(text)) if f}
    assert used <= NOTICE_PARAMETERS, used - NOTICE_PARAMETERS
