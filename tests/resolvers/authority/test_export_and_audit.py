from __future__ import annotations

from models import AuditEntry
from models.enums import Role
from models.statuses import ApplicationStatus
from tests.factories import GQL, gid, make_application, make_customer, make_handler, make_project
from tests.resolvers.authority.operations import APPLICATION, AUDIT, EXPORT, MESSAGE

S = ApplicationStatus


async def test_export_is_the_whole_application_and_is_audited(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(
        customer, project_id, status=S.INFORMATION_REQUESTED, handler=police
    )
    thread = (await gql(APPLICATION, {"id": gid("Application", app_id)}, token=customer.token))[
        "data"
    ]["application"]["thread"]["id"]
    await gql(MESSAGE, {"input": {"threadId": thread, "body": "Kysymys"}}, token=customer.token)
    result = await gql(EXPORT, {"input": {"id": gid("Application", app_id)}}, token=police.token)
    document = result["data"]["applicationExport"]["document"]
    assert document["format"] == "luukku.application.export/1"
    assert document["customer"]["name"] == customer.name
    assert document["project"]["sharedData"]["contact"]
    assert document["application"]["formData"]["event_name"]
    assert [h["to_status"] for h in document["history"]] == [
        "DRAFT",
        "NOT_STARTED",
        "IN_PROGRESS",
        "INFORMATION_REQUESTED",
    ]
    assert document["supplements"][0]["message"] == "Lisää kartta."
    assert document["messages"][0]["body"] == "Kysymys"
    assert await AuditEntry.filter(action="EXPORT", object_id=app_id).count() == 1


async def test_only_the_addressed_authority_exports(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED)
    await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
    rescue = await make_handler("helsinki-rescue")
    result = await gql(EXPORT, {"input": {"id": gid("Application", app_id)}}, token=rescue.token)
    assert result["data"]["applicationExport"]["userErrors"][0]["code"] == "WRONG_AUTHORITY"
    assert result["data"]["applicationExport"]["document"] is None
    assert await AuditEntry.filter(action="EXPORT").count() == 0


async def test_content_reads_by_authorities_are_audited_and_admins_read_the_log(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED)
    police = await make_handler("helsinki-police")
    await gql(APPLICATION, {"id": gid("Application", app_id)}, token=customer.token)
    assert await AuditEntry.all().count() == 0  # the customer's own reads are not audited
    await gql(
        APPLICATION,
        {"id": gid("Application", app_id)},
        token=police.token,
        headers={
            "X-Road-Client": "FI/GOV/0245437-2/poliisi",
            "X-Road-Id": "abc",
            "X-Road-UserId": "FI010101",
        },
    )
    await gql(
        "query($id: ID!) { application(id: $id) { status } }",
        {"id": gid("Application", app_id)},
        token=police.token,
    )
    assert (
        await AuditEntry.filter(action="CONTENT_READ").count() == 1
    )  # metadata reads are not content reads

    admin = await make_handler("helsinki-police", Role.AUTHORITY_ADMIN)
    authority_id = (await AuditEntry.first()).authority_id  # type: ignore[union-attr]
    log = await gql(AUDIT, {"id": gid("Authority", authority_id)}, token=admin.token)
    entry = log["data"]["auditLog"]["nodes"][0]
    assert entry["action"] == "CONTENT_READ"
    assert entry["objectId"] == gid("Application", app_id)
    assert entry["actorName"] == police.name
    assert entry["actingForName"]["fi"] == "Helsingin poliisilaitos"
    assert (entry["xroadClient"], entry["xroadId"], entry["xroadUserId"]) == (
        "FI/GOV/0245437-2/poliisi",
        "abc",
        "FI010101",
    )

    denied = await gql(
        AUDIT, {"id": gid("Authority", authority_id)}, token=police.token, errors=True
    )
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_messages_on_threads(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED)
    draft_id = await make_application(customer, project_id, "helsinki-noise-notification")
    police = await make_handler("helsinki-police")
    outsider = await make_handler("tampere-building-control")
    query = "query($id: ID!) { project(id: $id) { thread { id } applications { nodes { id thread { id } } } } }"
    project = (await gql(query, {"id": gid("Project", project_id)}, token=customer.token))["data"][
        "project"
    ]
    project_thread = project["thread"]["id"]
    threads = {n["id"]: n["thread"]["id"] for n in project["applications"]["nodes"]}
    police_thread = threads[gid("Application", app_id)]
    draft_thread = threads[gid("Application", draft_id)]

    posted = await gql(
        MESSAGE, {"input": {"threadId": police_thread, "body": "Hei poliisi"}}, token=customer.token
    )
    assert posted["data"]["messagePost"]["message"]["body"] == "Hei poliisi"
    reply = await gql(
        MESSAGE, {"input": {"threadId": police_thread, "body": "Hei"}}, token=police.token
    )
    assert (
        reply["data"]["messagePost"]["message"]["actingForName"]["fi"] == "Helsingin poliisilaitos"
    )
    to_project = await gql(
        MESSAGE, {"input": {"threadId": project_thread, "body": "Kaikille"}}, token=police.token
    )
    assert to_project["data"]["messagePost"]["userErrors"] == []

    for thread, token, code in [
        (draft_thread, police.token, "NOT_FOUND"),  # a thread the viewer cannot see
        (police_thread, outsider.token, "NOT_FOUND"),
        (police_thread, police.token, "REQUIRED"),
    ]:
        result = await gql(MESSAGE, {"input": {"threadId": thread, "body": "  "}}, token=token)
        assert result["data"]["messagePost"]["userErrors"][0]["code"] == code
    huge = await gql(
        MESSAGE, {"input": {"threadId": police_thread, "body": "x" * 10_001}}, token=customer.token
    )
    assert huge["data"]["messagePost"]["userErrors"][0]["code"] == "TOO_LONG"
