from __future__ import annotations

from models import Application, PermitType, StatusChange
from tests.factories import GQL, gid, make_customer, make_project
from tests.resolvers.applications.operations import APPLICATION_CREATE

EVENT_ANSWERS = [
    {"questionId": "attendees", "value": {"number": 1500}},
    {"questionId": "fireworks", "value": {"boolean": False}},
    {"questionId": "alcohol_served", "value": {"boolean": False}},
    {"questionId": "food_sold", "value": {"boolean": True}},
    {"questionId": "amplified_sound_outdoors", "value": {"boolean": True}},
    {"questionId": "uses_public_area", "value": {"boolean": False}},
    {"questionId": "traffic_arrangements", "value": {"boolean": False}},
    {"questionId": "security_staff", "value": {"boolean": True}},
    {"questionId": "temporary_structures", "value": {"boolean": False}},
]


async def _permit(code: str) -> str:
    return gid("PermitType", (await PermitType.get(code=code)).id)


async def test_customer_adds_permit_by_hand(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    result = await gql(
        APPLICATION_CREATE,
        {
            "input": {
                "projectId": gid("Project", project_id),
                "permitTypeId": await _permit("helsinki-rescue-plan"),
            }
        },
        token=customer.token,
    )
    app = result["data"]["applicationCreate"]["application"]
    assert app["status"] == "DRAFT"
    assert app["origin"] == "MANUAL"
    assert app["authority"]["code"] == "helsinki-rescue"
    assert app["statusHistory"]["nodes"] == [
        {"fromStatus": None, "toStatus": "DRAFT", "comment": "", "actorName": customer.name}
    ]


async def test_customer_adds_permit_from_survey_suggestions(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    result = await gql(
        APPLICATION_CREATE,
        {
            "input": {
                "projectId": gid("Project", project_id),
                "permitTypeId": await _permit("helsinki-police-event-notification"),
                "surveyAnswers": EVENT_ANSWERS,
            }
        },
        token=customer.token,
    )
    app = result["data"]["applicationCreate"]["application"]
    assert (app["origin"], app["certainty"]) == ("SURVEY", "CERTAIN")


async def test_permit_the_answers_do_not_call_for_is_refused(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    result = await gql(
        APPLICATION_CREATE,
        {
            "input": {
                "projectId": gid("Project", project_id),
                "permitTypeId": await _permit("lvv-alcohol-serving-licence"),
                "surveyAnswers": EVENT_ANSWERS,
            }
        },
        token=customer.token,
    )
    errors = result["data"]["applicationCreate"]["userErrors"]
    assert errors[0]["code"] == "INVALID_VALUE"
    assert errors[0]["field"] == ["input", "surveyAnswers"]
    assert await Application.all().count() == 0


async def test_permit_not_offered_in_the_municipality_is_refused(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer, municipality="091")
    result = await gql(
        APPLICATION_CREATE,
        {
            "input": {
                "projectId": gid("Project", project_id),
                "permitTypeId": await _permit("oulu-police-event-notification"),
            }
        },
        token=customer.token,
    )
    assert (
        result["data"]["applicationCreate"]["userErrors"][0]["code"]
        == "NOT_OFFERED_IN_MUNICIPALITY"
    )
    assert await Application.all().count() == 0
    assert await StatusChange.all().count() == 0


async def test_second_open_application_for_the_same_permit_is_a_duplicate(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    variables = {
        "input": {
            "projectId": gid("Project", project_id),
            "permitTypeId": await _permit("helsinki-rescue-plan"),
        }
    }
    await gql(APPLICATION_CREATE, variables, token=customer.token)
    again = await gql(APPLICATION_CREATE, variables, token=customer.token)
    assert again["data"]["applicationCreate"]["userErrors"][0]["code"] == "DUPLICATE"
    assert await Application.all().count() == 1


async def test_other_customers_project_is_not_found(gql: GQL) -> None:
    owner, other = await make_customer(), await make_customer()
    project_id = await make_project(owner)
    result = await gql(
        APPLICATION_CREATE,
        {
            "input": {
                "projectId": gid("Project", project_id),
                "permitTypeId": await _permit("helsinki-rescue-plan"),
            }
        },
        token=other.token,
    )
    error = result["data"]["applicationCreate"]["userErrors"][0]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["input", "projectId"])


async def test_unknown_permit_type_is_not_found(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    result = await gql(
        APPLICATION_CREATE,
        {
            "input": {
                "projectId": gid("Project", project_id),
                "permitTypeId": gid("PermitType", 99999),
            }
        },
        token=customer.token,
    )
    error = result["data"]["applicationCreate"]["userErrors"][0]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["input", "permitTypeId"])
