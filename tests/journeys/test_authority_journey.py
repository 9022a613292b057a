"""The authorities issue's 'done when': police and rescue on one event project."""

from __future__ import annotations

from datetime import date, timedelta

from models import Application
from models.statuses import ApplicationStatus
from tests.factories import GQL, gid, make_application, make_customer, make_handler, make_project
from tests.resolvers.authority.operations import (
    ASSIGN,
    DECISION,
    STATUS,
    SUPPLEMENT_REQUEST,
    SUPPLEMENT_SUBMIT,
)

S = ApplicationStatus

COMMON_VIEW = """query($id: ID!) { project(id: $id) { name applications { nodes {
  id status authority { code } content { formData } decision { outcome summary isSharedWithAuthorities } } } } }"""


async def test_police_and_rescue_share_the_common_view(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    police_app = await make_application(customer, project_id, status=S.NOT_STARTED)
    await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
    draft = await make_application(
        customer, project_id, "helsinki-noise-notification"
    )  # a third authority
    police, rescue = await make_handler("helsinki-police"), await make_handler("helsinki-rescue")
    app = gid("Application", police_app)

    async def current() -> int:
        return (await Application.get(id=police_app)).version

    for viewer in (police, rescue):
        view = await gql(COMMON_VIEW, {"id": gid("Project", project_id)}, token=viewer.token)
        assert len(view["data"]["project"]["applications"]["nodes"]) == 3

    taken = await gql(
        ASSIGN, {"input": {"id": app, "expectedVersion": await current()}}, token=police.token
    )
    assert taken["data"]["applicationAssign"]["userErrors"] == []
    await gql(
        STATUS,
        {"input": {"id": app, "expectedVersion": await current(), "status": "IN_PROGRESS"}},
        token=police.token,
    )
    due = (date.today() + timedelta(days=7)).isoformat()
    asked = await gql(
        SUPPLEMENT_REQUEST,
        {
            "input": {
                "id": app,
                "expectedVersion": await current(),
                "message": "Liitä turvallisuussuunnitelma.",
                "dueDate": due,
            }
        },
        token=police.token,
    )
    assert asked["data"]["supplementRequest"]["application"]["status"] == "INFORMATION_REQUESTED"
    answered = await gql(
        SUPPLEMENT_SUBMIT,
        {
            "input": {
                "id": app,
                "expectedVersion": await current(),
                "message": "Suunnitelma liitetty.",
            }
        },
        token=customer.token,
    )
    assert answered["data"]["supplementSubmit"]["application"]["status"] == "IN_PROGRESS"
    decided = await gql(
        DECISION,
        {
            "input": {
                "id": app,
                "expectedVersion": await current(),
                "outcome": "APPROVED",
                "decidedOn": date.today().isoformat(),
                "summary": "Yleisötilaisuusilmoitus käsitelty, ei huomautettavaa.",
            }
        },
        token=police.token,
    )
    assert decided["data"]["decisionRecord"]["application"]["status"] == "APPROVED"

    view = await gql(COMMON_VIEW, {"id": gid("Project", project_id)}, token=rescue.token)
    by_id = {n["id"]: n for n in view["data"]["project"]["applications"]["nodes"]}
    assert by_id[app]["decision"]["outcome"] == "APPROVED"
    assert by_id[app]["decision"]["isSharedWithAuthorities"] is True
    for viewer in (police, rescue):
        view = await gql(COMMON_VIEW, {"id": gid("Project", project_id)}, token=viewer.token)
        hidden = {n["id"]: n for n in view["data"]["project"]["applications"]["nodes"]}[
            gid("Application", draft)
        ]
        assert hidden["status"] == "DRAFT" and hidden["content"] is None
