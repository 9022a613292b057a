"""The customer's journey of the core issue, as one reusable script over GraphQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Send = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]

BUNDLES = "{ serviceBundles { id code questions { questionId type isRequired } } }"
CREATE = """mutation($input: ProjectCreateInput!) { projectCreate(input: $input) {
  project { id version } userErrors { code field message } } }"""
NEEDS = """query($input: PermitNeedsInput!) { permitNeeds(input: $input) {
  suggestions { certainty permitType { id code formSchema } authority { code } latestApplicationDate }
  userErrors { code field message } } }"""
ADD = """mutation($input: ApplicationCreateInput!) { applicationCreate(input: $input) {
  application { id version permitType { code } } userErrors { code field message } } }"""
UPDATE = """mutation($input: ApplicationUpdateInput!) { applicationUpdate(input: $input) {
  application { id version } userErrors { code field message } } }"""
SHARE = """mutation($input: ApplicationShareInput!) { applicationShare(input: $input) {
  application { id version isSharedWithAuthorities } userErrors { code field message } } }"""
SUBMIT = """mutation($input: ApplicationSubmitInput!) { applicationSubmit(input: $input) {
  application { id status submittedAt authority { code } } userErrors { code field message } } }"""

EVENT_ANSWERS = {
    "attendees": {"number": 800},
    "fireworks": {"boolean": False},
    "alcohol_served": {"boolean": False},
    "food_sold": {"boolean": True},
    "amplified_sound_outdoors": {"boolean": True},
    "uses_public_area": {"boolean": True},
    "traffic_arrangements": {"boolean": False},
    "security_staff": {"boolean": True},
    "temporary_structures": {"boolean": False},
}


def _ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def event_journey(
    send: Send, content_for: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """Create an event project in Helsinki, answer the survey, add the suggested permits,
    fill in the police notification, share the rescue plan draft and submit the first."""
    bundles = (await send(BUNDLES, {}))["data"]["serviceBundles"]
    bundle = next(b for b in bundles if b["code"] == "public-event")
    project = _ok(
        (
            await send(
                CREATE,
                {
                    "input": {
                        "serviceBundleId": bundle["id"],
                        "name": "Kesäkaupunki Festivaali 2027",
                        "description": "Kolmen päivän ulkoilmafestivaali Kaisaniemen puistossa.",
                        "municipalityCode": "091",
                        "location": {"latitude": 60.1746, "longitude": 24.9446},
                        "startsOn": "2027-07-02",
                        "endsOn": "2027-07-04",
                        "sharedData": {
                            "contact": {
                                "name": "Maija Meikäläinen",
                                "email": "maija@demo.luukku.example",
                                "phone": "+358 40 123 4567",
                            },
                            "organiser": {
                                "name": "Maija Meikäläinen",
                                "organiserType": "PRIVATE_PERSON",
                            },
                            "address": {
                                "street": "Kaisaniemenkatu 1",
                                "postalCode": "00100",
                                "city": "Helsinki",
                            },
                            "invoicing": {
                                "name": "Maija Meikäläinen",
                                "street": "Kaisaniemenkatu 1",
                                "postalCode": "00100",
                                "city": "Helsinki",
                            },
                        },
                    }
                },
            )
        )["data"]["projectCreate"]
    )["project"]
    answers = [{"questionId": k, "value": v} for k, v in EVENT_ANSWERS.items()]
    needs = _ok(
        (
            await send(
                NEEDS,
                {
                    "input": {
                        "serviceBundleId": bundle["id"],
                        "municipalityCode": "091",
                        "startsOn": "2027-07-02",
                        "answers": answers,
                    }
                },
            )
        )["data"]["permitNeeds"]
    )
    suggested = [s for s in needs["suggestions"] if s["permitType"] is not None]
    applications = {}
    for suggestion in suggested:
        added = _ok(
            (
                await send(
                    ADD,
                    {
                        "input": {
                            "projectId": project["id"],
                            "permitTypeId": suggestion["permitType"]["id"],
                            "surveyAnswers": answers,
                        }
                    },
                )
            )["data"]["applicationCreate"]
        )["application"]
        applications[added["permitType"]["code"]] = (added, suggestion)
    police, police_suggestion = applications["helsinki-police-event-notification"]
    filled = _ok(
        (
            await send(
                UPDATE,
                {
                    "input": {
                        "id": police["id"],
                        "expectedVersion": police["version"],
                        "content": content_for(police_suggestion["permitType"]["formSchema"]),
                    }
                },
            )
        )["data"]["applicationUpdate"]
    )["application"]
    rescue, _ = applications["helsinki-rescue-plan"]
    shared = _ok(
        (
            await send(
                SHARE,
                {
                    "input": {
                        "id": rescue["id"],
                        "expectedVersion": rescue["version"],
                        "shared": True,
                    }
                },
            )
        )["data"]["applicationShare"]
    )["application"]
    submitted = _ok(
        (await send(SUBMIT, {"input": {"id": filled["id"], "expectedVersion": filled["version"]}}))[
            "data"
        ]["applicationSubmit"]
    )["application"]
    return {
        "project": project,
        "suggestions": needs["suggestions"],
        "applications": applications,
        "submitted": submitted,
        "shared": shared,
    }
