"""Statement requests between authorities, through the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from actions import authority as authority_actions
from models import Application, Organisation, OutboxItem, StatementRequest
from models.statuses import ApplicationStatus as S
from notifications.events import authority_channel
from tests.factories import (
    GQL,
    Actor,
    gid,
    make_application,
    make_customer,
    make_handler,
    make_project,
)
from tests.subscriptions.wsclient import connect, wait_subscribed, ws_client

REQUEST = """mutation($input: StatementRequestInput!) { statementRequest(input: $input) {
  statementRequest { id status question dueDate isOverdue askedAuthority { code }
                     requestingAuthority { code } viewerCanAnswer viewerCanShare }
  userErrors { code field } } }"""
ANSWER = """mutation($input: StatementAnswerInput!) { statementAnswer(input: $input) {
  statementRequest { status answer answeredAt } userErrors { code } } }"""
DECLINE = """mutation($input: StatementDeclineInput!) { statementDecline(input: $input) {
  statementRequest { status declineReason } userErrors { code } } }"""
SHARE = """mutation($input: StatementShareInput!) { statementShare(input: $input) {
  statementRequest { isSharedWithCustomer } userErrors { code } } }"""
SEEN = """query($id: ID!, $project: ID!) {
  application(id: $id) {
    content { formData redactedFields }
    thread { id }
    statementRequests { status question answer answeredAt askedAuthority { code } }
  }
  project(id: $project) { plan { computedOn } thread { id } applications { totalCount } }
}"""


async def _world() -> dict[str, Any]:
    customer = await make_customer()
    project = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project, status=S.IN_PROGRESS, handler=police)
    await make_application(customer, project, "helsinki-rescue-plan", status=S.NOT_STARTED)
    return {
        "customer": customer,
        "project": project,
        "police": police,
        "app": app_id,
        "asked": await make_handler("helsinki-building-control"),
        "other": await make_handler("helsinki-environmental-services"),
    }


async def _request(gql: GQL, w: dict[str, Any], due: date | None = None) -> str:
    building = await Organisation.get(code="helsinki-building-control")
    result = await gql(
        REQUEST,
        {
            "input": {
                "id": gid("Application", w["app"]),
                "askedAuthorityId": gid("Authority", building.id),
                "question": "Onko esiintymislava rakennuslupa-asia?",
                "dueDate": (due or date.today() + timedelta(days=10)).isoformat(),
            }
        },
        token=w["police"].token,
    )
    payload = result["data"]["statementRequest"]
    assert payload["userErrors"] == [], payload
    return str(payload["statementRequest"]["id"])


async def _seen(gql: GQL, w: dict[str, Any], actor: Actor) -> dict[str, Any]:
    variables = {"id": gid("Application", w["app"]), "project": gid("Project", w["project"])}
    return (await gql(SEEN, variables, token=actor.token))["data"]  # type: ignore[no-any-return]


async def test_the_asked_authority_reads_the_content_without_confidential_fields_while_open(
    gql: GQL,
) -> None:
    w = await _world()
    before = await _seen(gql, w, w["asked"])
    assert before["application"] is None and before["project"] is None
    statement_id = await _request(gql, w)
    seen = await _seen(gql, w, w["asked"])
    content = seen["application"]["content"]
    assert "security_plan" not in content["formData"] and "event_name" in content["formData"]
    assert content["redactedFields"] == ["security_plan"]
    assert seen["application"]["thread"] is None  # not a party to the discussion
    assert seen["project"]["plan"] is None and seen["project"]["thread"] is None
    assert seen["project"]["applications"]["totalCount"] == 1  # only the one asked about
    (request,) = seen["application"]["statementRequests"]
    assert request["question"].startswith("Onko")
    # the handling authority and the customer see the confidential field
    for actor in (w["police"], w["customer"]):
        mine = await _seen(gql, w, actor)
        assert "security_plan" in mine["application"]["content"]["formData"]
        assert mine["application"]["content"]["redactedFields"] == []
    # a co-authority does not
    rescue = await make_handler("helsinki-rescue")
    theirs = await _seen(gql, w, rescue)
    assert "security_plan" not in theirs["application"]["content"]["formData"]
    # once answered, the purpose is fulfilled: the content is no longer readable
    answered = await gql(
        ANSWER, {"input": {"id": statement_id, "answer": "Ei vaadi lupaa."}}, token=w["asked"].token
    )
    assert answered["data"]["statementAnswer"]["statementRequest"]["status"] == "ANSWERED"
    after = await _seen(gql, w, w["asked"])
    assert after["application"]["content"] is None
    assert after["application"]["statementRequests"][0]["answer"] == "Ei vaadi lupaa."


async def test_the_customer_sees_that_a_statement_came_and_its_text_once_shared(gql: GQL) -> None:
    w = await _world()
    statement_id = await _request(gql, w)
    await gql(
        ANSWER, {"input": {"id": statement_id, "answer": "Puollamme."}}, token=w["asked"].token
    )
    (seen,) = (await _seen(gql, w, w["customer"]))["application"]["statementRequests"]
    assert seen["status"] == "ANSWERED" and seen["answeredAt"] is not None
    assert seen["question"] is None and seen["answer"] is None
    assert seen["askedAuthority"]["code"] == "helsinki-building-control"
    shared = await gql(
        SHARE, {"input": {"id": statement_id, "shared": True}}, token=w["police"].token
    )
    assert shared["data"]["statementShare"]["statementRequest"]["isSharedWithCustomer"] is True
    (seen,) = (await _seen(gql, w, w["customer"]))["application"]["statementRequests"]
    assert seen["answer"] == "Puollamme." and seen["question"].startswith("Onko")
    # only the handling authority shares
    refused = await gql(
        SHARE, {"input": {"id": statement_id, "shared": False}}, token=w["asked"].token
    )
    assert refused["data"]["statementShare"]["userErrors"] == [{"code": "FORBIDDEN"}]


async def test_only_the_asked_authority_answers_or_declines_and_only_once(gql: GQL) -> None:
    w = await _world()
    statement_id = await _request(gql, w)
    for actor in (w["other"], w["customer"]):
        result = await gql(
            ANSWER, {"input": {"id": statement_id, "answer": "x"}}, token=actor.token, errors=True
        )
        codes = (
            [e["extensions"]["code"] for e in result["errors"]]
            if result.get("errors")
            else [e["code"] for e in result["data"]["statementAnswer"]["userErrors"]]
        )
        assert codes in (["NOT_FOUND"], ["FORBIDDEN"]), codes
    police = await gql(
        ANSWER, {"input": {"id": statement_id, "answer": "x"}}, token=w["police"].token
    )
    assert police["data"]["statementAnswer"]["userErrors"] == [{"code": "FORBIDDEN"}]
    declined = await gql(
        DECLINE,
        {"input": {"id": statement_id, "reason": "Ei toimialaamme."}},
        token=w["asked"].token,
    )
    assert declined["data"]["statementDecline"]["statementRequest"] == {
        "status": "DECLINED",
        "declineReason": "Ei toimialaamme.",
    }
    again = await gql(
        ANSWER, {"input": {"id": statement_id, "answer": "x"}}, token=w["asked"].token
    )
    assert again["data"]["statementAnswer"]["userErrors"] == [{"code": "STATEMENT_CLOSED"}]


async def test_bad_requests_get_user_errors_and_write_nothing(gql: GQL) -> None:
    w = await _world()
    police_authority = await Organisation.get(code="helsinki-police")
    result = await gql(
        REQUEST,
        {
            "input": {
                "id": gid("Application", w["app"]),
                "askedAuthorityId": gid("Authority", police_authority.id),
                "question": " ",
                "dueDate": (date.today() - timedelta(days=1)).isoformat(),
            }
        },
        token=w["police"].token,
    )
    codes = {e["code"] for e in result["data"]["statementRequest"]["userErrors"]}
    assert codes == {"REQUIRED", "INVALID_VALUE"}
    assert await StatementRequest.all().count() == 0
    await _request(gql, w)
    assert await StatementRequest.all().count() == 1
    building = await Organisation.get(code="helsinki-building-control")
    duplicate = await gql(
        REQUEST,
        {
            "input": {
                "id": gid("Application", w["app"]),
                "askedAuthorityId": gid("Authority", building.id),
                "question": "Uudestaan?",
                "dueDate": date.today().isoformat(),
            }
        },
        token=w["police"].token,
    )
    assert duplicate["data"]["statementRequest"]["userErrors"] == [
        {"code": "DUPLICATE", "field": ["input", "askedAuthorityId"]}
    ]
    texts = await gql(
        "mutation($input: StatementRequestInput!) { statementRequest(input: $input) "
        "{ userErrors { code message } } }",
        {
            "input": {
                "id": gid("Application", w["app"]),
                "askedAuthorityId": gid("Authority", building.id),
                "question": "Uudestaan?",
                "dueDate": date.today().isoformat(),
            }
        },
        token=w["police"].token,
    )
    (error,) = texts["data"]["statementRequest"]["userErrors"]
    assert "{" not in error["message"] and building.name["fi"] in error["message"]
    rescue = await make_handler("helsinki-rescue")  # a co-authority does not handle it
    refused = await gql(
        REQUEST,
        {
            "input": {
                "id": gid("Application", w["app"]),
                "askedAuthorityId": gid("Authority", building.id),
                "question": "?",
                "dueDate": date.today().isoformat(),
            }
        },
        token=rescue.token,
    )
    assert refused["data"]["statementRequest"]["userErrors"][0]["code"] == "WRONG_AUTHORITY"


async def test_overdue_requests_are_flagged_and_listed(gql: GQL) -> None:
    w = await _world()
    await _request(gql, w)
    await StatementRequest.all().update(due_date=date.today() - timedelta(days=1))
    query = """query($overdue: Boolean, $asked: Boolean) {
      statementRequests(filter: {isOverdue: $overdue, asked: $asked}) {
        totalCount nodes { isOverdue status application { id } } } }"""
    for actor, asked in ((w["asked"], True), (w["police"], False)):
        result = await gql(query, {"overdue": True, "asked": asked}, token=actor.token)
        listing = result["data"]["statementRequests"]
        assert listing["totalCount"] == 1 and listing["nodes"][0]["isOverdue"] is True
    other = await gql(query, {"overdue": None, "asked": None}, token=w["other"].token)
    assert other["data"]["statementRequests"]["totalCount"] == 0


async def test_notices_and_a_decision_cancels_what_is_still_open(gql: GQL) -> None:
    w = await _world()
    statement_id = await _request(gql, w)
    mail = await OutboxItem.get(topic="authority.statement_requested")
    assert mail.payload["to"] == "kirjaamo.helsinki-building-control@demo.luukku.example"
    assert "Lausuntopyyntö" in mail.payload["subject"]
    assert "security" not in str(mail.payload).lower()  # notices never carry content
    version = (await Application.get(id=w["app"])).version
    await authority_actions.decision_record(
        w["police"].viewer, w["app"], version, S.APPROVED, date.today(), "OK", None, True
    )
    seen = await gql(
        """query($id: ID!) { node(id: $id) { ... on StatementRequest { status viewerCanAnswer } } }""",
        {"id": statement_id},
        token=w["asked"].token,
    )
    assert seen["data"]["node"] == {"status": "CANCELLED", "viewerCanAnswer": False}


async def test_both_authorities_get_the_statement_live(gql: GQL) -> None:
    w = await _world()
    building = await Organisation.get(code="helsinki-building-control")
    police = await Organisation.get(code="helsinki-police")
    inbox = """subscription { inboxActivity { kind
      ... on StatementEvent { statementRequest { status answer } application { id } } } }"""
    async with (
        ws_client() as client,
        connect(client, w["asked"].token) as asked,
        connect(client, w["police"].token) as handling,
    ):
        await asked.subscribe(inbox)
        await handling.subscribe(inbox)
        await wait_subscribed(authority_channel(building.id))
        await wait_subscribed(authority_channel(police.id))
        statement_id = await _request(gql, w)
        event = (await asked.next())["payload"]["data"]["inboxActivity"]
        assert event["kind"] == "STATEMENT_REQUESTED"
        assert event["statementRequest"]["status"] == "OPEN"
        await gql(
            ANSWER, {"input": {"id": statement_id, "answer": "Puollamme."}}, token=w["asked"].token
        )
        event = (await handling.next())["payload"]["data"]["inboxActivity"]
        assert event["kind"] == "STATEMENT_ANSWERED"
        assert event["statementRequest"] == {"status": "ANSWERED", "answer": "Puollamme."}
        await asked.nothing()
