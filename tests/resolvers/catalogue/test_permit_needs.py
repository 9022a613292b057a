from __future__ import annotations

from models import ServiceBundle
from tests.factories import GQL, gid

PERMIT_NEEDS = """
query($input: PermitNeedsInput!) {
  permitNeeds(input: $input) {
    suggestions {
      certainty reasons { fi sv en } leadTimeDays latestApplicationDate recommendedApplicationDate
      permitKind { code name { fi } }
      permitType { code channel }
      authority { code name { fi sv en } }
      channel
    }
    userErrors { code field message }
  }
}
"""

EVENT = {
    "attendees": {"number": 3000},
    "fireworks": {"boolean": True},
    "alcohol_served": {"boolean": True},
    "food_sold": {"boolean": True},
    "amplified_sound_outdoors": {"boolean": True},
    "uses_public_area": {"boolean": True},
    "traffic_arrangements": {"boolean": True},
    "security_staff": {"boolean": True},
    "temporary_structures": {"boolean": True},
}


async def _input(
    bundle: str, answers: dict, municipality: str = "091", starts_on: str | None = "2027-07-01"
) -> dict:
    bundle_id = gid("ServiceBundle", (await ServiceBundle.get(code=bundle)).id)
    return {
        "input": {
            "serviceBundleId": bundle_id,
            "municipalityCode": municipality,
            "startsOn": starts_on,
            "answers": [{"questionId": k, "value": v} for k, v in answers.items()],
        }
    }


async def test_event_in_helsinki_needs_the_competent_local_and_national_authorities(
    gql: GQL,
) -> None:
    result = await gql(PERMIT_NEEDS, await _input("public-event", EVENT))  # no sign-in needed
    data = result["data"]["permitNeeds"]
    assert data["userErrors"] == []
    by_kind = {s["permitKind"]["code"]: s for s in data["suggestions"]}
    police = by_kind["police-event-notification"]
    assert police["certainty"] == "CERTAIN"
    assert police["authority"]["code"] == "helsinki-police"
    assert police["channel"] == "LIGHT"
    assert police["leadTimeDays"] == 14  # traffic controllers and security staff
    assert police["latestApplicationDate"] == "2027-06-17"
    assert len(police["reasons"]) >= 2
    assert by_kind["rescue-plan"]["authority"]["code"] == "helsinki-rescue"
    assert by_kind["rescue-plan"]["latestApplicationDate"] == "2027-06-17"
    assert by_kind["alcohol-serving-licence"]["authority"]["code"] == "lvv"
    assert by_kind["temporary-food-premises-notification"]["leadTimeDays"] == 28
    certainties = [s["certainty"] for s in data["suggestions"]]
    assert certainties == sorted(certainties, key=lambda c: c != "CERTAIN")


async def test_same_event_in_tampere_and_kalajoki_names_their_authorities(gql: GQL) -> None:
    for municipality, police in (("837", "inland-finland-police"), ("208", "oulu-police")):
        result = await gql(PERMIT_NEEDS, await _input("public-event", EVENT, municipality))
        by_kind = {s["permitKind"]["code"]: s for s in result["data"]["permitNeeds"]["suggestions"]}
        assert by_kind["police-event-notification"]["authority"]["code"] == police


async def test_wind_farm_in_kalajoki(gql: GQL) -> None:
    answers = {
        "energy_type": {"choice": "WIND"},
        "capacity_kw": {"number": 60000},
        "turbine_count": {"number": 12},
        "total_height_m": {"number": 250},
        "has_detailed_plan": {"boolean": False},
        "has_general_plan_for_wind": {"boolean": True},
        "conflicts_with_plan": {"boolean": False},
        "repowering": {"boolean": False},
        "affects_waters": {"boolean": False},
        "heritage_sites_nearby": {"boolean": True},
    }
    result = await gql(PERMIT_NEEDS, await _input("renewable-energy", answers, "208", None))
    data = result["data"]["permitNeeds"]
    assert data["userErrors"] == []
    by_kind = {s["permitKind"]["code"]: s for s in data["suggestions"]}
    assert by_kind["eia-procedure"]["certainty"] == "CERTAIN"
    assert by_kind["eia-procedure"]["authority"]["code"] == "lvv"
    assert by_kind["aviation-obstacle-permit"]["authority"]["code"] == "traficom"
    assert by_kind["building-permit"]["authority"]["code"] == "kalajoki-building-control"
    assert by_kind["defence-forces-wind-statement"]["certainty"] == "CERTAIN"
    assert by_kind["heritage-statement"]["certainty"] == "POSSIBLE"
    assert "planning-need-decision" not in by_kind  # general plan allows wind power
    assert by_kind["building-permit"]["latestApplicationDate"] is None  # no start date given


async def test_national_permits_are_not_offered_in_aland(gql: GQL) -> None:
    result = await gql(PERMIT_NEEDS, await _input("public-event", EVENT, "478"))
    by_kind = {s["permitKind"]["code"]: s for s in result["data"]["permitNeeds"]["suggestions"]}
    assert by_kind["alcohol-serving-licence"]["permitType"] is None
    assert by_kind["alcohol-serving-licence"]["authority"] is None


async def test_unknown_question_wrong_type_and_missing_answers_are_user_errors(gql: GQL) -> None:
    answers = {**EVENT, "attendees": {"boolean": True}, "no_such_question": {"boolean": True}}
    result = await gql(PERMIT_NEEDS, await _input("public-event", answers))
    errors = result["data"]["permitNeeds"]["userErrors"]
    assert {e["code"] for e in errors} == {"WRONG_ANSWER_TYPE", "UNKNOWN_QUESTION"}
    assert ["input", "answers", "0"] in [e["field"] for e in errors]
    partial = {k: v for k, v in EVENT.items() if k != "fireworks"}
    missing = await gql(PERMIT_NEEDS, await _input("public-event", partial))
    error = missing["data"]["permitNeeds"]["userErrors"][0]
    assert error["code"] == "MISSING_ANSWER"
    assert "Käytetäänkö ilotulitteita" in error["message"]  # the question's text, not its id


async def test_invalid_municipality_and_bundle(gql: GQL) -> None:
    result = await gql(PERMIT_NEEDS, await _input("public-event", EVENT, "999"))
    assert result["data"]["permitNeeds"]["userErrors"][0]["code"] == "INVALID_MUNICIPALITY"
    variables = await _input("public-event", EVENT)
    variables["input"]["serviceBundleId"] = "garbage"
    result = await gql(PERMIT_NEEDS, variables)
    assert result["data"]["permitNeeds"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_answer_with_two_values_is_rejected_by_one_of(gql: GQL) -> None:
    variables = await _input("public-event", {**EVENT, "fireworks": {"boolean": True, "number": 1}})
    result = await gql(PERMIT_NEEDS, variables, errors=True)
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
