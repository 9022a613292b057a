from __future__ import annotations

from models import Application, Project, ServiceBundle
from tests.factories import GQL, gid, make_company, make_customer, make_representative

PROJECT_CREATE = """
mutation($input: ProjectCreateInput!) {
  projectCreate(input: $input) {
    project { id name version municipality { code } serviceBundle { code } owner { __typename }
              location { latitude longitude } startsOn applications { totalCount nodes { status permitType { code } } } }
    userErrors { code field message }
  }
}
"""


async def _bundle_id(code: str = "public-event") -> str:
    return gid("ServiceBundle", (await ServiceBundle.get(code=code)).id)


async def test_customer_creates_project_for_an_event(gql: GQL) -> None:
    customer = await make_customer()
    result = await gql(
        PROJECT_CREATE,
        {
            "input": {
                "serviceBundleId": await _bundle_id(),
                "name": "Kesäfestivaali 2027",
                "municipalityCode": "091",
                "location": {"latitude": 60.17, "longitude": 24.94},
                "startsOn": "2027-07-01",
                "endsOn": "2027-07-03",
            }
        },
        token=customer.token,
    )
    payload = result["data"]["projectCreate"]
    assert payload["userErrors"] == []
    project = payload["project"]
    assert project["name"] == "Kesäfestivaali 2027"
    assert project["municipality"]["code"] == "091"
    assert project["owner"]["__typename"] == "Person"
    assert project["version"] == 1


async def test_representative_creates_project_for_their_company(gql: GQL) -> None:
    company = await make_company()
    rep = await make_representative(company)
    result = await gql(
        PROJECT_CREATE,
        {
            "input": {
                "serviceBundleId": await _bundle_id(),
                "name": "Festari",
                "municipalityCode": "837",
                "organisationId": gid("Organisation", company.id),
            }
        },
        token=rep.token,
    )
    assert result["data"]["projectCreate"]["project"]["owner"]["__typename"] == "Organisation"


async def test_project_for_an_organisation_not_represented_is_not_found(gql: GQL) -> None:
    company = await make_company()
    stranger = await make_customer()
    result = await gql(
        PROJECT_CREATE,
        {
            "input": {
                "serviceBundleId": await _bundle_id(),
                "name": "Festari",
                "municipalityCode": "091",
                "organisationId": gid("Organisation", company.id),
            }
        },
        token=stranger.token,
    )
    payload = result["data"]["projectCreate"]
    assert payload["project"] is None
    assert payload["userErrors"][0]["code"] == "NOT_FOUND"
    assert payload["userErrors"][0]["field"] == ["input", "organisationId"]
    assert await Project.all().count() == 0


async def test_invalid_input_gives_every_error_and_writes_nothing(gql: GQL) -> None:
    customer = await make_customer()
    result = await gql(
        PROJECT_CREATE,
        {
            "input": {
                "serviceBundleId": await _bundle_id(),
                "name": "x" * 201,
                "municipalityCode": "999",
                "location": {"latitude": 10.0, "longitude": 24.0},
                "startsOn": "2027-07-03",
                "endsOn": "2027-07-01",
                "sharedData": {"contact": {"email": 5}},
            }
        },
        token=customer.token,
    )
    payload = result["data"]["projectCreate"]
    codes = {(e["code"], tuple(e["field"])) for e in payload["userErrors"]}
    assert ("TOO_LONG", ("input", "name")) in codes
    assert ("INVALID_MUNICIPALITY", ("input", "municipalityCode")) in codes
    assert ("INVALID_VALUE", ("input", "location")) in codes
    assert ("SCHEMA_VIOLATION", ("input", "sharedData", "contact", "email")) in codes
    assert await Project.all().count() == 0


async def test_deep_link_starts_project_with_permit(gql: GQL) -> None:
    from models import PermitType

    customer = await make_customer()
    permit = await PermitType.get(code="helsinki-police-event-notification")
    result = await gql(
        PROJECT_CREATE,
        {
            "input": {
                "serviceBundleId": await _bundle_id(),
                "name": "Festari",
                "municipalityCode": "091",
                "permitTypeIds": [gid("PermitType", permit.id)],
            }
        },
        token=customer.token,
    )
    apps = result["data"]["projectCreate"]["project"]["applications"]
    assert apps["totalCount"] == 1
    assert apps["nodes"][0] == {"status": "DRAFT", "permitType": {"code": permit.code}}


async def test_permit_not_offered_in_municipality_writes_nothing(gql: GQL) -> None:
    from models import PermitType

    customer = await make_customer()
    tampere_only = await PermitType.get(code="tampere-building-permit")
    result = await gql(
        PROJECT_CREATE,
        {
            "input": {
                "serviceBundleId": await _bundle_id(),
                "name": "Festari",
                "municipalityCode": "091",
                "permitTypeIds": [gid("PermitType", tampere_only.id)],
            }
        },
        token=customer.token,
    )
    errors = result["data"]["projectCreate"]["userErrors"]
    assert errors[0]["code"] == "NOT_OFFERED_IN_MUNICIPALITY"
    assert errors[0]["field"] == ["input", "permitTypeIds", "0"]
    assert await Project.all().count() == 0
    assert await Application.all().count() == 0


async def test_anonymous_cannot_create_projects(gql: GQL) -> None:
    result = await gql(
        PROJECT_CREATE,
        {"input": {"serviceBundleId": await _bundle_id(), "name": "x", "municipalityCode": "091"}},
        errors=True,
    )
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
