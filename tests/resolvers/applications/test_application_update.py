from __future__ import annotations

from models import Application
from models.statuses import ApplicationStatus
from tests.factories import GQL, gid, make_application, make_customer, make_project
from tests.resolvers.applications.operations import APPLICATION_UPDATE


async def _draft() -> tuple[object, int]:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, content={})
    return customer, app_id


async def test_draft_may_be_incomplete_but_what_is_there_must_be_valid(gql: GQL) -> None:
    customer, app_id = await _draft()
    result = await gql(
        APPLICATION_UPDATE,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 2,
                "content": {"event_name": "Festari"},
            }
        },
        token=customer.token,  # type: ignore[attr-defined]
    )
    app = result["data"]["applicationUpdate"]["application"]
    assert app["content"]["formData"] == {"event_name": "Festari"}
    assert app["version"] == 3


async def test_schema_errors_carry_field_paths_and_write_nothing(gql: GQL) -> None:
    customer, app_id = await _draft()
    result = await gql(
        APPLICATION_UPDATE,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 2,
                "content": {"event_name": "x" * 201, "expected_attendees": -5, "unknown_field": 1},
            }
        },
        token=customer.token,  # type: ignore[attr-defined]
    )
    errors = result["data"]["applicationUpdate"]["userErrors"]
    fields = {tuple(e["field"]) for e in errors}
    assert ("input", "content", "event_name") in fields
    assert ("input", "content", "expected_attendees") in fields
    assert ("input", "content", "unknown_field") in fields  # at its own path
    assert {e["code"] for e in errors} == {"SCHEMA_VIOLATION"}
    app = await Application.get(id=app_id)
    assert app.content == {} and app.version == 2


async def test_content_must_be_an_object(gql: GQL) -> None:
    customer, app_id = await _draft()
    for bad in ([1, 2], "text", 5, None):
        result = await gql(
            APPLICATION_UPDATE,
            {"input": {"id": gid("Application", app_id), "expectedVersion": 2, "content": bad}},
            token=customer.token,  # type: ignore[attr-defined]
            errors=True,
        )
        if "errors" in result:  # null for a non-null JSON is rejected by GraphQL itself
            assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        else:
            assert result["data"]["applicationUpdate"]["userErrors"][0]["code"] == "INVALID_VALUE"


async def test_oversized_content_is_refused(gql: GQL) -> None:
    customer, app_id = await _draft()
    result = await gql(
        APPLICATION_UPDATE,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 2,
                "content": {"security_plan": "y" * 300_000},
            }
        },
        token=customer.token,  # type: ignore[attr-defined]
    )
    assert result["data"]["applicationUpdate"]["userErrors"][0]["code"] == "TOO_LONG"


async def test_stale_version_is_refused(gql: GQL) -> None:
    customer, app_id = await _draft()
    result = await gql(
        APPLICATION_UPDATE,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 1,
                "content": {"event_name": "Old tab"},
            }
        },
        token=customer.token,  # type: ignore[attr-defined]
    )
    error = result["data"]["applicationUpdate"]["userErrors"][0]
    assert error["code"] == "STALE_VERSION"
    assert "2" in error["message"]
    assert (await Application.get(id=app_id)).content == {}


async def test_submitted_application_cannot_be_edited_as_a_draft(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, status=ApplicationStatus.NOT_STARTED)
    version = (await Application.get(id=app_id)).version
    result = await gql(
        APPLICATION_UPDATE,
        {"input": {"id": gid("Application", app_id), "expectedVersion": version, "content": {}}},
        token=customer.token,
    )
    assert (
        result["data"]["applicationUpdate"]["userErrors"][0]["code"] == "INVALID_STATUS_TRANSITION"
    )


async def test_messages_follow_the_request_language(gql: GQL) -> None:
    customer, app_id = await _draft()
    variables = {"input": {"id": gid("Application", app_id), "expectedVersion": 1, "content": {}}}
    for language, word in (("fi", "versio"), ("sv", "version"), ("en", "version")):
        result = await gql(
            APPLICATION_UPDATE,
            variables,
            token=customer.token,  # type: ignore[attr-defined]
            headers={"Accept-Language": f"{language};q=0.9"},
        )
        message = result["data"]["applicationUpdate"]["userErrors"][0]["message"]
        assert word in message.lower(), (language, message)
    sv = await gql(
        APPLICATION_UPDATE, variables, token=customer.token, headers={"Accept-Language": "sv-FI"}
    )  # type: ignore[attr-defined]
    assert "Uppgifterna" in sv["data"]["applicationUpdate"]["userErrors"][0]["message"]
