"""Project.plan: the permit plan through the API, for the customer and involved authorities."""

from __future__ import annotations

from datetime import date, timedelta

from actions import authority as authority_actions
from models import Application
from models.statuses import ApplicationStatus as S
from notifications.events import project_channel
from tests.factories import (
    GQL,
    gid,
    make_application,
    make_customer,
    make_handler,
    make_project,
)
from tests.sqlcount import count_queries
from tests.subscriptions.wsclient import connect, wait_subscribed, ws_client

PLAN = """query($id: ID!) { project(id: $id) { plan {
  startsOn computedOn expectedReadyOn isStartAtRisk
  criticalPath { permitType { code } }
  warnings { code date neededBy message { fi sv en } application { id } }
  entries { application { id permitType { code } status } latestApplicationDate
            recommendedApplicationDate expectedDecisionDate expectedProcessingDays basis
            decisionNeededBy slackDays isCritical requires { id } warnings { code } }
} } }"""


async def _plan(gql: GQL, project_id: int, token: str) -> dict:  # type: ignore[type-arg]
    result = await gql(PLAN, {"id": gid("Project", project_id)}, token=token)
    return result["data"]["project"]["plan"]  # type: ignore[no-any-return]


async def test_the_customer_sees_dates_dependencies_and_the_critical_path(gql: GQL) -> None:
    customer = await make_customer()
    start = date.today() + timedelta(days=60)
    project = await make_project(customer, starts_on=start)
    police = await make_application(customer, project, status=S.NOT_STARTED)
    area = await make_application(customer, project, "helsinki-public-area-use")
    plan = await _plan(gql, project, customer.token)
    entries = {e["application"]["permitType"]["code"]: e for e in plan["entries"]}
    police_entry = entries["helsinki-police-event-notification"]
    area_entry = entries["helsinki-public-area-use"]
    assert plan["startsOn"] == start.isoformat()
    assert police_entry["latestApplicationDate"] == (start - timedelta(days=5)).isoformat()
    assert police_entry["requires"] == [{"id": gid("Application", area)}]
    assert police_entry["basis"] == "CATALOGUE" and police_entry["expectedProcessingDays"] == 5
    # the area permit is needed by the police notification's decision (already submitted)
    assert area_entry["decisionNeededBy"] == start.isoformat()
    assert area_entry["recommendedApplicationDate"] == (start - timedelta(days=14)).isoformat()
    expected_area = date.today() + timedelta(days=14)
    assert area_entry["expectedDecisionDate"] == expected_area.isoformat()
    assert police_entry["expectedDecisionDate"] == expected_area.isoformat()
    assert [p["permitType"]["code"] for p in plan["criticalPath"]] == [
        "helsinki-public-area-use",
        "helsinki-police-event-notification",
    ]
    assert plan["warnings"] == [] and plan["isStartAtRisk"] is False
    assert police != area


async def test_a_supplement_request_is_a_warning_in_every_language(gql: GQL) -> None:
    customer = await make_customer()
    project = await make_project(customer, starts_on=date.today() + timedelta(days=60))
    await make_application(customer, project, status=S.INFORMATION_REQUESTED)
    rescue = await make_handler("helsinki-rescue")
    await make_application(customer, project, "helsinki-rescue-plan", status=S.NOT_STARTED)
    due = date.today() + timedelta(days=14)
    for token in (customer.token, rescue.token):  # the customer and a co-authority
        plan = await _plan(gql, project, token)
        (warning,) = plan["warnings"]
        assert warning["code"] == "WAITING_FOR_CUSTOMER" and warning["date"] == due.isoformat()
        shown = f"{due.day}.{due.month}.{due.year}"
        assert all(shown in warning["message"][lang] for lang in ("fi", "sv", "en"))


async def test_others_get_no_plan(gql: GQL) -> None:
    customer = await make_customer()
    project = await make_project(customer)
    await make_application(customer, project, status=S.NOT_STARTED)
    outsider = await make_customer()
    result = await gql(PLAN, {"id": gid("Project", project)}, token=outsider.token)
    assert result["data"]["project"] is None


async def test_the_plan_costs_the_same_statements_however_many_applications(gql: GQL) -> None:
    async def statements(codes: list[str]) -> int:
        customer = await make_customer()
        project = await make_project(customer)
        for code in codes:
            await make_application(customer, project, code, status=S.IN_PROGRESS)
        await _plan(gql, project, customer.token)  # warm: the catalogue and statistics
        with count_queries() as counter:
            await _plan(gql, project, customer.token)
        return counter.count

    one = await statements(["helsinki-police-event-notification"])
    four = await statements(
        [
            "helsinki-police-event-notification",
            "helsinki-rescue-plan",
            "helsinki-noise-notification",
            "helsinki-public-area-use",
        ]
    )
    assert one == four, (one, four)
    assert four <= 8


async def test_subscribers_see_the_plan_change_when_a_supplement_is_requested(db: str) -> None:
    customer = await make_customer()
    project = await make_project(customer, starts_on=date.today() + timedelta(days=60))
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project, status=S.IN_PROGRESS, handler=police)
    query = """subscription($id: ID!) { projectActivity(projectId: $id) {
      kind project { plan { warnings { code } entries { expectedDecisionDate } } } } }"""
    async with ws_client() as client, connect(client, customer.token) as socket:
        await socket.subscribe(query, {"id": gid("Project", project)})
        await wait_subscribed(project_channel(project))
        version = (await Application.get(id=app_id)).version
        await authority_actions.supplement_request(
            police.viewer, app_id, version, "Lisää kartta.", date.today() + timedelta(days=10)
        )
        message = await socket.next()
        event = message["payload"]["data"]["projectActivity"]
        assert event["kind"] == "SUPPLEMENT_REQUESTED"
        assert event["project"]["plan"]["warnings"] == [{"code": "WAITING_FOR_CUSTOMER"}]
        await authority_actions.application_status_update(
            police.viewer, app_id, version + 1, S.IN_PROGRESS, "Puhelimitse."
        )
        event = (await socket.next())["payload"]["data"]["projectActivity"]
        assert event["kind"] == "STATUS_CHANGED"
        assert event["project"]["plan"]["warnings"] == []
