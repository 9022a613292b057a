"""The demo's event project shows a permit plan with real dates and a warning, live."""

from __future__ import annotations

from datetime import date, timedelta

from actions.demo import seed_demo
from models import Application, PermitType
from notifications.events import project_channel
from schema.node import parse_global_id
from tests.factories import GQL
from tests.subscriptions.wsclient import connect, wait_subscribed, ws_client

PLAN = """{ projects { nodes { id name startsOn plan {
  isStartAtRisk expectedReadyOn
  warnings { code date message { fi sv en } application { permitType { code } } }
  entries { application { permitType { code } status } latestApplicationDate
            recommendedApplicationDate expectedDecisionDate decisionNeededBy basis }
  criticalPath { permitType { code } } } } } }"""


async def test_the_demo_event_project_has_a_plan_with_a_warning_that_changes_live(
    gql: GQL,
) -> None:
    tokens = {t.key: t.token for t in await seed_demo()}
    aino = tokens["company-rep-1"]
    (project,) = [
        p for p in (await gql(PLAN, token=aino))["data"]["projects"]["nodes"] if p["plan"]
    ]
    plan = project["plan"]
    start = date.fromisoformat(project["startsOn"])
    assert start == date.today() + timedelta(days=120)
    entries = {e["application"]["permitType"]["code"]: e for e in plan["entries"]}
    noise = entries["helsinki-noise-notification"]
    assert noise["latestApplicationDate"] == (start - timedelta(days=30)).isoformat()
    assert noise["recommendedApplicationDate"] == noise["latestApplicationDate"]
    area = entries["helsinki-public-area-use"]
    assert area["decisionNeededBy"] == start.isoformat()  # the police notification needs it
    police = entries["helsinki-police-event-notification"]
    # the police decision waits for the public-area permit it needs
    assert police["expectedDecisionDate"] == area["expectedDecisionDate"]
    # the rescue plan waits for the customer's supplement: the latest expected decision
    assert [p["permitType"]["code"] for p in plan["criticalPath"]] == ["helsinki-rescue-plan"]
    (warning,) = plan["warnings"]
    assert warning["code"] == "WAITING_FOR_CUSTOMER"
    assert warning["application"]["permitType"]["code"] == "helsinki-rescue-plan"
    assert warning["date"] == (date.today() + timedelta(days=10)).isoformat()

    rescue_type = await PermitType.get(code="helsinki-rescue-plan")
    project_id = parse_global_id(project["id"], "Project")
    assert project_id is not None
    rescue = await Application.get(project_id=project_id, permit_type_id=rescue_type.id)
    live = """subscription($id: ID!) { projectActivity(projectId: $id) {
      kind project { plan { warnings { code } } } } }"""
    async with ws_client() as client, connect(client, aino) as socket:
        await socket.subscribe(live, {"id": project["id"]})
        await wait_subscribed(project_channel(project_id))
        answer = await gql(
            """mutation($i: SupplementSubmitInput!) { supplementSubmit(input: $i) {
                 application { status } userErrors { code } } }""",
            {
                "i": {
                    "id": _gid(rescue.id),
                    "expectedVersion": rescue.version,
                    "message": "Liitteenä.",
                }
            },
            token=aino,
        )
        assert answer["data"]["supplementSubmit"]["userErrors"] == []
        event = (await socket.next())["payload"]["data"]["projectActivity"]
        assert event["kind"] == "SUPPLEMENT_SUBMITTED"
        assert event["project"]["plan"]["warnings"] == []


def _gid(db_id: int) -> str:
    from tests.factories import gid

    return gid("Application", db_id)
