from __future__ import annotations

from models import Project
from models.ids import legacy_global_id
from models.statuses import ApplicationStatus
from tests.factories import (
    GQL,
    gid,
    make_application,
    make_company,
    make_customer,
    make_handler,
    make_project,
    make_representative,
)

PROJECT_UPDATE = """
mutation($input: ProjectUpdateInput!) {
  projectUpdate(input: $input) {
    project { name description version startsOn location { latitude } sharedData municipality { code } }
    userErrors { code field message }
  }
}
"""


async def test_absent_fields_stay_and_null_clears(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    await Project.filter(id=project_id).update(latitude=60.1, longitude=24.9)
    result = await gql(
        PROJECT_UPDATE,
        {
            "input": {
                "id": gid("Project", project_id),
                "expectedVersion": 1,
                "description": "Uusi kuvaus",
                "location": None,
            }
        },
        token=customer.token,
    )
    project = result["data"]["projectUpdate"]["project"]
    assert project["name"] == "Kesäfestivaali"
    assert project["description"] == "Uusi kuvaus"
    assert project["location"] is None
    assert project["version"] == 2


async def test_stale_version_is_a_user_error_and_writes_nothing(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    first = await gql(
        PROJECT_UPDATE,
        {"input": {"id": gid("Project", project_id), "expectedVersion": 1, "name": "Tab one"}},
        token=customer.token,
    )
    assert first["data"]["projectUpdate"]["userErrors"] == []
    second = await gql(
        PROJECT_UPDATE,
        {"input": {"id": gid("Project", project_id), "expectedVersion": 1, "name": "Tab two"}},
        token=customer.token,
    )
    errors = second["data"]["projectUpdate"]["userErrors"]
    assert errors[0]["code"] == "STALE_VERSION"
    assert errors[0]["field"] == ["input", "expectedVersion"]
    assert (await Project.get(id=project_id)).name == "Tab one"


async def test_every_representative_of_the_owner_may_edit(gql: GQL) -> None:
    company = await make_company()
    rep1, rep2 = await make_representative(company), await make_representative(company)
    project_id = await make_project(rep1, organisation=company)
    result = await gql(
        PROJECT_UPDATE,
        {"input": {"id": gid("Project", project_id), "expectedVersion": 1, "name": "Yhteinen"}},
        token=rep2.token,
    )
    assert result["data"]["projectUpdate"]["project"]["name"] == "Yhteinen"


async def test_other_customer_gets_not_found(gql: GQL) -> None:
    owner, other = await make_customer(), await make_customer()
    project_id = await make_project(owner)
    result = await gql(
        PROJECT_UPDATE,
        {"input": {"id": gid("Project", project_id), "expectedVersion": 1, "name": "Hijack"}},
        token=other.token,
    )
    payload = result["data"]["projectUpdate"]
    assert payload == {"project": None, "userErrors": [payload["userErrors"][0]]}
    assert payload["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await Project.get(id=project_id)).name == "Kesäfestivaali"


async def test_unknown_and_malformed_ids_are_not_found(gql: GQL) -> None:
    customer = await make_customer()
    for bad in [
        gid("Project", 999999),
        gid("Application", 1),
        "not-an-id",
        legacy_global_id("Project", 2**40),
        legacy_global_id("Project", 1),
        "",
    ]:
        result = await gql(
            PROJECT_UPDATE, {"input": {"id": bad, "expectedVersion": 1}}, token=customer.token
        )
        assert result["data"]["projectUpdate"]["userErrors"][0]["code"] == "NOT_FOUND", bad


async def test_involved_authority_sees_but_cannot_edit(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    await make_application(customer, project_id, status=ApplicationStatus.NOT_STARTED)
    police = await make_handler("helsinki-police")
    result = await gql(
        PROJECT_UPDATE,
        {
            "input": {
                "id": gid("Project", project_id),
                "expectedVersion": 1,
                "name": "Poliisin nimi",
            }
        },
        token=police.token,
    )
    assert result["data"]["projectUpdate"]["userErrors"][0]["code"] == "FORBIDDEN"


async def test_municipality_cannot_change_after_submission(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    await make_application(customer, project_id, status=ApplicationStatus.NOT_STARTED)
    result = await gql(
        PROJECT_UPDATE,
        {
            "input": {
                "id": gid("Project", project_id),
                "expectedVersion": 1,
                "municipalityCode": "837",
            }
        },
        token=customer.token,
    )
    assert result["data"]["projectUpdate"]["userErrors"][0]["code"] == "INVALID_VALUE"
    assert (await Project.get(id=project_id)).municipality_id == "091"


async def test_municipality_change_checks_draft_permits_are_offered(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    await make_application(customer, project_id, "helsinki-noise-notification")
    moved = await gql(
        PROJECT_UPDATE,
        {
            "input": {
                "id": gid("Project", project_id),
                "expectedVersion": 1,
                "municipalityCode": "837",
            }
        },
        token=customer.token,
    )
    assert moved["data"]["projectUpdate"]["userErrors"][0]["code"] == "NOT_OFFERED_IN_MUNICIPALITY"


async def test_shared_data_is_validated_and_replaced(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer, shared_data={})
    bad = await gql(
        PROJECT_UPDATE,
        {
            "input": {
                "id": gid("Project", project_id),
                "expectedVersion": 1,
                "sharedData": {"address": {"postalCode": "123"}},
            }
        },
        token=customer.token,
    )
    error = bad["data"]["projectUpdate"]["userErrors"][0]
    assert error["code"] == "SCHEMA_VIOLATION"
    assert error["field"] == ["input", "sharedData", "address", "postalCode"]
    good = await gql(
        PROJECT_UPDATE,
        {
            "input": {
                "id": gid("Project", project_id),
                "expectedVersion": 1,
                "sharedData": {"address": {"postalCode": "00100"}},
            }
        },
        token=customer.token,
    )
    assert good["data"]["projectUpdate"]["project"]["sharedData"] == {
        "address": {"postalCode": "00100"}
    }


async def test_business_ids_in_shared_data_must_have_a_valid_check_digit(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer, shared_data={})
    result = await gql(
        PROJECT_UPDATE,
        {
            "input": {
                "id": gid("Project", project_id),
                "expectedVersion": 1,
                "sharedData": {"organiser": {"name": "Virhe Oy", "businessId": "1234567-2"}},
            }
        },
        token=customer.token,
    )
    error = result["data"]["projectUpdate"]["userErrors"][0]
    assert error["code"] == "INVALID_BUSINESS_ID"
    assert error["field"] == ["input", "sharedData", "organiser", "businessId"]
    assert (await Project.get(id=project_id)).shared_data == {}
