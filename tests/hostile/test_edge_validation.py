"""Every argument and input field is checked at the API edge: user errors or coded
top-level errors, never an exception from the ORM, nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from models import Application, Project, ServiceBundle
from tests.conftest import orm_validation_errors
from tests.factories import (
    GQL,
    full_shared_data,
    gid,
    make_application,
    make_customer,
    make_project,
)

PROJECT_CREATE = """mutation($input: ProjectCreateInput!) {
  projectCreate(input: $input) { project { id } userErrors { code field } } }"""
PROJECT_UPDATE = """mutation($input: ProjectUpdateInput!) {
  projectUpdate(input: $input) { project { id } userErrors { code field } } }"""
APPLICATION_UPDATE = """mutation($input: ApplicationUpdateInput!) {
  applicationUpdate(input: $input) { application { id } userErrors { code field } } }"""


async def _bundle() -> str:
    return gid("ServiceBundle", (await ServiceBundle.get(code="public-event")).id)


async def _create(gql: GQL, token: str, **fields: Any) -> dict[str, Any]:
    """projectCreate with a valid input but for `fields`."""
    payload = {"serviceBundleId": await _bundle(), "name": "P", "municipalityCode": "091"}
    return await gql(PROJECT_CREATE, {"input": {**payload, **fields}}, token=token, errors=True)


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors", [])]


@pytest.mark.parametrize("code", ["0912", "12345", "x" * 300, "9\x00", ""])
async def test_municipality_codes_of_any_length_are_refused_cleanly(gql: GQL, code: str) -> None:
    customer = await make_customer()
    queries = [
        ("query($c: String) { authorities(municipalityCode: $c) { totalCount } }", {"c": code}),
        (
            "query($c: String) { permitTypes(filter: {municipalityCode: $c}) { totalCount } }",
            {"c": code},
        ),
    ]
    for query, variables in queries:
        result = await gql(query, variables, errors=True)
        assert _codes(result) == ["BAD_USER_INPUT"], result
    needs = await gql(
        """query($i: PermitNeedsInput!) { permitNeeds(input: $i) { userErrors { code field } } }""",
        {"i": {"serviceBundleId": await _bundle(), "municipalityCode": code, "answers": []}},
    )
    assert needs["data"]["permitNeeds"]["userErrors"][0] == {
        "code": "INVALID_MUNICIPALITY",
        "field": ["input", "municipalityCode"],
    }
    created = await gql(
        PROJECT_CREATE,
        {"input": {"serviceBundleId": await _bundle(), "name": "P", "municipalityCode": code}},
        token=customer.token,
    )
    assert created["data"]["projectCreate"]["userErrors"][0]["code"] == "INVALID_MUNICIPALITY"
    project_id = await make_project(customer)
    updated = await gql(
        PROJECT_UPDATE,
        {
            "input": {
                "id": gid("Project", project_id),
                "expectedVersion": 1,
                "municipalityCode": code,
            }
        },
        token=customer.token,
    )
    assert updated["data"]["projectUpdate"]["userErrors"][0]["code"] == "INVALID_MUNICIPALITY"
    assert await Project.all().count() == 1


@pytest.mark.parametrize(
    "address",
    [
        "a@b",
        "x@example.org\r\nBcc: victim@example.org",
        "x@example.org\nBcc: victim@example.org",
        "x\x00@example.org",
        "x@exa mple.org",
        "<x@example.org>",
        "x@example.org.",
        "x@-example.org",
        "x@example.123",
        "a" * 250 + "@example.org",
    ],
)
async def test_mail_addresses_in_shared_data_are_addresses(gql: GQL, address: str) -> None:
    customer = await make_customer()
    shared = full_shared_data()
    shared["contact"]["email"] = address
    result = await _create(gql, customer.token, sharedData=shared)
    errors = result["data"]["projectCreate"]["userErrors"]
    assert errors and errors[0]["field"] == ["input", "sharedData", "contact", "email"], errors
    assert await Project.all().count() == 0


@pytest.mark.parametrize(
    "value", ["a\x00b", "bell\x07", "esc\x1b[31m", "del\x7f", "c1\x85", "bidi\u0000"]
)
async def test_content_strings_refuse_control_characters(gql: GQL, value: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id)
    before = (await Application.get(id=app_id)).content
    result = await gql(
        APPLICATION_UPDATE,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 2,
                "content": {**before, "extra": value},
            }
        },
        token=customer.token,
    )
    errors = result["data"]["applicationUpdate"]["userErrors"]
    assert errors == [{"code": "INVALID_VALUE", "field": ["input", "content", "extra"]}], errors
    assert (await Application.get(id=app_id)).content == before


async def test_a_lone_surrogate_is_refused(gql: GQL) -> None:
    body = b'{"query": "query($n: String!) { authorities(municipalityCode: $n) { totalCount } }", "variables": {"n": "\\ud800"}}'
    response = await gql.client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500
    assert all(
        e["extensions"]["code"] != "INTERNAL_SERVER_ERROR" for e in response.json()["errors"]
    )


async def test_deeply_nested_content_is_a_user_error(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id)
    deep: Any = "x"
    for _ in range(400):  # deeper than orjson's 254 levels: an exception before
        deep = {"a": deep}
    result = await gql(
        APPLICATION_UPDATE,
        {"input": {"id": gid("Application", app_id), "expectedVersion": 2, "content": deep}},
        token=customer.token,
        errors=True,
    )
    assert "errors" not in result, result
    assert result["data"]["applicationUpdate"]["userErrors"][0]["code"] == "INVALID_VALUE"


@pytest.mark.parametrize(
    "day", ["2027-W01", "2027-W01-1", "20270101", "2027-001", "2027-02-30", "2027-1-1"]
)
async def test_dates_are_calendar_dates(gql: GQL, day: str) -> None:
    customer = await make_customer()
    result = await _create(gql, customer.token, startsOn=day)
    assert _codes(result) == ["GRAPHQL_VALIDATION_FAILED"], result
    assert await Project.all().count() == 0
    literal = await gql(
        f'mutation {{ projectCreate(input: {{serviceBundleId: "{await _bundle()}", name: "P", '
        f'municipalityCode: "091", startsOn: "{day}"}}) {{ userErrors {{ code }} }} }}',
        token=customer.token,
        errors=True,
    )
    assert _codes(literal) == ["GRAPHQL_VALIDATION_FAILED"], literal


@pytest.mark.parametrize("name", ["tab\tname", "line\nbreak", "bell\x07", "\u2028"])
async def test_single_line_texts_refuse_control_characters(gql: GQL, name: str) -> None:
    customer = await make_customer()
    result = await gql(
        PROJECT_CREATE,
        {"input": {"serviceBundleId": await _bundle(), "name": name, "municipalityCode": "091"}},
        token=customer.token,
    )
    assert result["data"]["projectCreate"]["userErrors"] == [
        {"code": "INVALID_VALUE", "field": ["input", "name"]}
    ]


async def test_the_net_catches_an_orm_validation_error_reaching_a_resolver(
    gql: GQL, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tests/conftest.py fails every test whose request ran into the ORM's field validation
    (as each municipality filter did before it was checked): shown with that old check."""
    from resolvers.catalogue import queries

    monkeypatch.setattr(queries, "is_municipality_code", lambda value: True)
    await gql('{ authorities(municipalityCode: "0912") { totalCount } }', errors=True)
    leaked = orm_validation_errors(caplog.records)
    assert [str(e) for e in leaked] == ["code: Length of '0912' 4 > 3"]
    caplog.clear()  # the autouse check would fail this test otherwise: it works
