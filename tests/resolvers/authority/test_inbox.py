from __future__ import annotations

from models import Organisation, PermitType
from models.enums import Role
from models.statuses import ApplicationStatus
from tests.factories import (
    GQL,
    gid,
    make_application,
    make_customer,
    make_handler,
    make_person,
    make_project,
)
from tests.resolvers.authority.operations import ASSIGN, INBOX

S = ApplicationStatus


async def _world() -> dict:
    customer = await make_customer()
    helsinki = await make_project(customer, name="Kesäfestivaali")
    tampere = await make_project(customer, name="Tammerfest", municipality="837")
    police = await make_handler("helsinki-police")
    apps = {
        "submitted": await make_application(customer, helsinki, status=S.NOT_STARTED),
        "draft": await make_application(customer, helsinki, "helsinki-rescue-plan", shared=True),
        "tampere": await make_application(
            customer, tampere, "inland-finland-police-event-notification", status=S.IN_PROGRESS
        ),
        "rescue": await make_application(
            customer, tampere, "pirkanmaa-rescue-plan", status=S.NOT_STARTED
        ),
    }
    return {"customer": customer, "police": police, "apps": apps}


async def test_handler_of_two_authorities_sees_both_labelled(gql: GQL) -> None:
    world = await _world()
    from actions.identity import membership_add

    person = await make_person()
    for code in ("helsinki-police", "inland-finland-police"):
        await membership_add(person, await Organisation.get(code=code), Role.AUTHORITY_HANDLER)
    from tests.factories import _actor

    both = await _actor(person)
    result = await gql(INBOX, {}, token=both.token)
    nodes = result["data"]["inbox"]["nodes"]
    assert {n["authority"]["code"] for n in nodes} == {"helsinki-police", "inland-finland-police"}
    assert result["data"]["inbox"]["totalCount"] == 2  # not the draft, not the rescue plan
    only = await gql(
        INBOX,
        {
            "filter": {
                "authorityId": gid(
                    "Authority", (await Organisation.get(code="inland-finland-police")).id
                )
            }
        },
        token=both.token,
    )
    assert [n["id"] for n in only["data"]["inbox"]["nodes"]] == [
        gid("Application", world["apps"]["tampere"])
    ]


async def test_filters(gql: GQL) -> None:
    world = await _world()
    police = world["police"]
    token = police.token
    submitted = gid("Application", world["apps"]["submitted"])

    async def ids(filter: dict) -> list[str]:
        result = await gql(INBOX, {"filter": filter}, token=token)
        return [n["id"] for n in result["data"]["inbox"]["nodes"]]

    assert await ids({}) == [submitted]
    assert await ids({"statuses": ["NOT_STARTED"]}) == [submitted]
    assert await ids({"statuses": ["IN_PROGRESS"]}) == []
    assert await ids({"unassigned": True}) == [submitted]
    assert await ids({"assignedToMe": True}) == []
    await gql(ASSIGN, {"input": {"id": submitted, "expectedVersion": 3}}, token=token)
    assert await ids({"assignedToMe": True}) == [submitted]
    assert await ids({"unassigned": True}) == []
    assert await ids({"municipalityCode": "091"}) == [submitted]
    assert await ids({"municipalityCode": "837"}) == []
    assert await ids({"projectName": "festiv"}) == [submitted]
    assert await ids({"projectName": "nope"}) == []
    police_type = gid(
        "PermitType", (await PermitType.get(code="helsinki-police-event-notification")).id
    )
    assert await ids({"permitTypeId": police_type}) == [submitted]
    assert await ids({"permitTypeId": "garbage"}) == []


async def test_sorted_and_paginated(gql: GQL) -> None:
    customer = await make_customer()
    police = await make_handler("helsinki-police")
    project_ids = [await make_project(customer, name=f"Tapahtuma {i}") for i in range(5)]
    app_ids = [await make_application(customer, p, status=S.NOT_STARTED) for p in project_ids]
    seen: list[str] = []
    after = None
    while True:
        result = await gql(INBOX, {"first": 2, "after": after}, token=police.token)
        page = result["data"]["inbox"]
        seen += [n["id"] for n in page["nodes"]]
        assert page["totalCount"] == 5
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [gid("Application", a) for a in app_ids]  # oldest submission first
    newest = await gql(INBOX, {"order": "SUBMITTED_NEWEST_FIRST", "first": 5}, token=police.token)
    assert [n["id"] for n in newest["data"]["inbox"]["nodes"]] == list(reversed(seen))


async def test_customers_have_no_inbox(gql: GQL) -> None:
    customer = await make_customer()
    result = await gql(INBOX, {}, token=customer.token, errors=True)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await gql(INBOX, {}, errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
