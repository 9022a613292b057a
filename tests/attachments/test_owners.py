"""Files come with a supplement answer, a message and a decision too, through the same
multipart requests; each is visible by the rule of what it belongs to."""

from __future__ import annotations

from datetime import date

import httpx

from models import Attachment, Thread
from models.statuses import ApplicationStatus
from tests.attachments.helpers import fetch
from tests.factories import GQL, gid, make_application, make_customer, make_handler, make_project
from tests.files import pdf

S = ApplicationStatus

SUPPLEMENT = """mutation($input: SupplementSubmitInput!) { supplementSubmit(input: $input) {
  application { supplementRequests { answerAttachments { name belongsTo downloadUrl } } }
  userErrors { code field message } } }"""
MESSAGE = """mutation($input: MessagePostInput!) { messagePost(input: $input) {
  message { attachments { name belongsTo } } userErrors { code field message } } }"""
DECISION = """mutation($input: DecisionRecordInput!) { decisionRecord(input: $input) {
  application { decision { attachments { name belongsTo downloadUrl } } }
  userErrors { code field message } } }"""
DECISION_FILES = """query($id: ID!) { application(id: $id) { decision { attachments { id } } } }"""


async def test_a_supplement_answer_carries_the_file_the_authority_asked_for(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(
        customer, project_id, status=S.INFORMATION_REQUESTED, handler=police
    )
    result = await gql.upload(
        SUPPLEMENT,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 5,
                "attachments": [{"file": None}],
            }
        },
        {"input.attachments.0.file": ("kartta.pdf", pdf(), "application/pdf")},
        token=customer.token,
    )
    payload = result["data"]["supplementSubmit"]
    assert payload["userErrors"] == []
    (answer,) = payload["application"]["supplementRequests"][0]["answerAttachments"]
    assert (answer["name"], answer["belongsTo"]) == ("kartta.pdf", "SUPPLEMENT")


async def test_a_message_carries_files_and_a_bad_one_posts_nothing(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    thread = await Thread.get(project_id=project_id, application_id=None)
    variables = {
        "input": {
            "threadId": gid("Thread", thread.id),
            "body": "Liitteenä kartta.",
            "attachments": [{"file": None}],
        }
    }
    result = await gql.upload(
        MESSAGE,
        variables,
        {"input.attachments.0.file": ("kartta.pdf", pdf(), "application/pdf")},
        token=customer.token,
    )
    assert result["data"]["messagePost"] == {
        "message": {"attachments": [{"name": "kartta.pdf", "belongsTo": "MESSAGE"}]},
        "userErrors": [],
    }
    refused = await gql.upload(
        MESSAGE,
        variables,
        {"input.attachments.0.file": ("ohjelma.exe", b"MZ\x90\x00", "application/pdf")},
        token=customer.token,
    )
    assert [e["code"] for e in refused["data"]["messagePost"]["userErrors"]] == [
        "FILE_TYPE_MISMATCH"
    ]
    from models import Message

    assert await Message.filter(thread_id=thread.id).count() == 1
    assert await Attachment.all().count() == 1


async def test_a_decisions_file_follows_the_decisions_sharing(
    gql: GQL, client: httpx.AsyncClient
) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.IN_PROGRESS, handler=police)
    await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
    document = pdf("Päätös")
    result = await gql.upload(
        DECISION,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 4,
                "outcome": "APPROVED",
                "decidedOn": date.today().isoformat(),
                "summary": "Hyväksytty.",
                "shareWithAuthorities": False,
                "attachments": [{"file": None}],
            }
        },
        {"input.attachments.0.file": ("paatos.pdf", document, "application/pdf")},
        token=police.token,
    )
    payload = result["data"]["decisionRecord"]
    assert payload["userErrors"] == []
    (own,) = payload["application"]["decision"]["attachments"]
    assert own["belongsTo"] == "DECISION"
    seen = await gql(DECISION_FILES, {"id": gid("Application", app_id)}, token=customer.token)
    assert len(seen["data"]["application"]["decision"]["attachments"]) == 1
    rescue = await make_handler("helsinki-rescue")
    hidden = await gql(DECISION_FILES, {"id": gid("Application", app_id)}, token=rescue.token)
    assert hidden["data"]["application"]["decision"] is None  # not shared with co-authorities
    attachment = await Attachment.get(owner_kind="DECISION")
    refused = await client.get(
        f"/attachments/{gid('Attachment', attachment.id)}",
        headers={"Authorization": f"Bearer {rescue.token}"},
    )
    assert refused.status_code == 404
    served = await fetch(client, own["downloadUrl"])
    assert served.status_code == 200 and served.content == document
