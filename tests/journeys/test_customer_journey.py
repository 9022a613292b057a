"""The core issue's 'done when', in process: project, survey, suggested permits, draft, share, submit."""

from __future__ import annotations

from typing import Any

from tests.factories import GQL, example_for, make_customer, make_handler
from tests.flows import event_journey


async def test_customer_journey_for_an_event_in_helsinki(gql: GQL) -> None:
    customer = await make_customer()

    async def send(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return await gql(query, variables, token=customer.token)

    result = await event_journey(send, example_for)
    codes = set(result["applications"])
    assert {
        "helsinki-police-event-notification",
        "helsinki-rescue-plan",
        "helsinki-public-area-use",
    } <= codes
    assert result["submitted"]["status"] == "NOT_STARTED"
    assert result["submitted"]["authority"]["code"] == "helsinki-police"
    assert result["shared"]["isSharedWithAuthorities"] is True

    rescue = await make_handler("helsinki-rescue")
    seen = await gql(
        "query($id: ID!) { application(id: $id) { status content { formData } } }",
        {"id": result["shared"]["id"]},
        token=rescue.token,
    )
    assert seen["data"]["application"]["status"] == "DRAFT"
    assert seen["data"]["application"]["content"] is not None
