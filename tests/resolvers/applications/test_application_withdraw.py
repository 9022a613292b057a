from __future__ import annotations

from models import Application
from models.statuses import ApplicationStatus
from tests.factories import GQL, gid, make_application, make_customer, make_project
from tests.resolvers.applications.operations import APPLICATION_WITHDRAW


async def test_customer_withdraws_a_submitted_application(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, status=ApplicationStatus.NOT_STARTED)
    result = await gql(
        APPLICATION_WITHDRAW,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 3,
                "comment": "Tapahtuma peruttu",
            }
        },
        token=customer.token,
    )
    app = result["data"]["applicationWithdraw"]["application"]
    assert app["status"] == "WITHDRAWN"
    assert app["processedAt"] is not None
    assert app["statusHistory"]["nodes"][-1]["comment"] == "Tapahtuma peruttu"


async def test_final_application_cannot_be_withdrawn(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, status=ApplicationStatus.WITHDRAWN)
    version = (await Application.get(id=app_id)).version
    result = await gql(
        APPLICATION_WITHDRAW,
        {"input": {"id": gid("Application", app_id), "expectedVersion": version}},
        token=customer.token,
    )
    assert result["data"]["applicationWithdraw"]["userErrors"][0]["code"] == "ALREADY_FINAL"


async def test_over_long_comment_is_refused(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id)
    result = await gql(
        APPLICATION_WITHDRAW,
        {"input": {"id": gid("Application", app_id), "expectedVersion": 2, "comment": "z" * 5001}},
        token=customer.token,
    )
    error = result["data"]["applicationWithdraw"]["userErrors"][0]
    assert (error["code"], error["field"]) == ("TOO_LONG", ["input", "comment"])
    assert (await Application.get(id=app_id)).status == ApplicationStatus.DRAFT
