from __future__ import annotations

from models import Application
from models.statuses import ApplicationStatus
from tests.factories import GQL, gid, make_application, make_customer, make_handler, make_project
from tests.resolvers.applications.operations import APPLICATION, APPLICATION_SHARE


async def test_shared_draft_becomes_visible_to_its_authority_and_back(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id)
    police = await make_handler("helsinki-police")
    before = await gql(APPLICATION, {"id": gid("Application", app_id)}, token=police.token)
    assert before["data"]["application"] is None

    shared = await gql(
        APPLICATION_SHARE,
        {"input": {"id": gid("Application", app_id), "expectedVersion": 2, "shared": True}},
        token=customer.token,
    )
    assert shared["data"]["applicationShare"]["application"]["isSharedWithAuthorities"] is True
    seen = await gql(APPLICATION, {"id": gid("Application", app_id)}, token=police.token)
    assert seen["data"]["application"]["content"] is not None
    assert seen["data"]["application"]["viewerCanReadContent"] is True

    await gql(
        APPLICATION_SHARE,
        {"input": {"id": gid("Application", app_id), "expectedVersion": 3, "shared": False}},
        token=customer.token,
    )
    after = await gql(APPLICATION, {"id": gid("Application", app_id)}, token=police.token)
    assert after["data"]["application"] is None


async def test_only_drafts_can_be_shared(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, status=ApplicationStatus.NOT_STARTED)
    version = (await Application.get(id=app_id)).version
    result = await gql(
        APPLICATION_SHARE,
        {"input": {"id": gid("Application", app_id), "expectedVersion": version, "shared": False}},
        token=customer.token,
    )
    assert (
        result["data"]["applicationShare"]["userErrors"][0]["code"] == "INVALID_STATUS_TRANSITION"
    )
