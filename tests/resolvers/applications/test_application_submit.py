from __future__ import annotations

from models import Application, Project, StatusChange
from tests.factories import GQL, gid, make_application, make_customer, make_handler, make_project
from tests.resolvers.applications.operations import APPLICATION, APPLICATION_SUBMIT


async def test_submit_records_time_authority_and_history(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id)
    result = await gql(
        APPLICATION_SUBMIT,
        {"input": {"id": gid("Application", app_id), "expectedVersion": 2}},
        token=customer.token,
    )
    app = result["data"]["applicationSubmit"]["application"]
    assert app["status"] == "NOT_STARTED"
    assert app["submittedAt"] is not None
    assert app["authority"]["code"] == "helsinki-police"
    assert [n["toStatus"] for n in app["statusHistory"]["nodes"]] == ["DRAFT", "NOT_STARTED"]
    police = await make_handler("helsinki-police")
    seen = await gql(APPLICATION, {"id": gid("Application", app_id)}, token=police.token)
    assert seen["data"]["application"]["content"]["formData"]["event_name"]


async def test_submit_without_required_content_lists_every_missing_field(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer, shared_data={}, starts_on=None)
    app_id = await make_application(customer, project_id, content={"event_name": "Festari"})
    result = await gql(
        APPLICATION_SUBMIT,
        {"input": {"id": gid("Application", app_id), "expectedVersion": 2}},
        token=customer.token,
    )
    errors = result["data"]["applicationSubmit"]["userErrors"]
    fields = {tuple(e["field"]) for e in errors}
    assert ("input", "content", "event_type") in fields
    # at the input fields of projectUpdate that supply them
    assert ("input", "sharedData", "contact") in fields
    assert ("input", "startsOn") in fields
    assert {e["code"] for e in errors} == {"REQUIRED"}
    app = await Application.get(id=app_id)
    assert (app.status, app.submitted_at, app.version) == ("DRAFT", None, 2)
    assert await StatusChange.filter(application_id=app_id).count() == 1


async def test_submit_twice_is_refused(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id)
    await gql(
        APPLICATION_SUBMIT,
        {"input": {"id": gid("Application", app_id), "expectedVersion": 2}},
        token=customer.token,
    )
    again = await gql(
        APPLICATION_SUBMIT,
        {"input": {"id": gid("Application", app_id), "expectedVersion": 3}},
        token=customer.token,
    )
    assert (
        again["data"]["applicationSubmit"]["userErrors"][0]["code"] == "INVALID_STATUS_TRANSITION"
    )


async def test_shared_data_given_once_is_reused_by_every_application(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    first = await make_application(customer, project_id)
    second = await make_application(customer, project_id, "helsinki-rescue-plan")
    for app_id in (first, second):
        result = await gql(
            APPLICATION_SUBMIT,
            {"input": {"id": gid("Application", app_id), "expectedVersion": 2}},
            token=customer.token,
        )
        app = result["data"]["applicationSubmit"]["application"]
        assert app["content"]["sharedData"] == (await Project.get(id=project_id)).shared_data
