"""The issue's journey: the customer uploads the rescue plan's site map, submits, and the
rescue department's handler downloads it; a co-authority cannot download an unshared draft's
file; deliveries and the export list the attachments."""

from __future__ import annotations

import hashlib

import httpx

from actions.attachment_links import with_links
from actions.outbox import delivery_event
from models import Application, AuditEntry, OutboxItem
from tests.attachments.helpers import ADD, ATTACHMENTS, SUBMIT, add_variables, draft, fetch
from tests.factories import GQL, gid, make_customer, make_handler, make_project
from tests.files import pdf


async def test_site_map_uploaded_submitted_and_downloaded_by_the_rescue_handler(
    gql: GQL, client: httpx.AsyncClient
) -> None:
    customer = await make_customer()
    app_id = await draft(customer)
    application = gid("Application", app_id)

    missing = await gql(
        SUBMIT, {"input": {"id": application, "expectedVersion": 2}}, token=customer.token
    )
    errors = missing["data"]["applicationSubmit"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("ATTACHMENT_REQUIRED", ["input", "attachments", "site-map"])
    ]
    assert "Tapahtuma-alueen kartta" in errors[0]["message"]

    content = pdf("Asemapiirros", pages=3)
    added = await gql.upload(
        ADD,
        add_variables(application, kinds=["site-map"]),
        {"input.files.0.file": ("asemapiirros.pdf", content, "application/pdf")},
        token=customer.token,
    )
    payload = added["data"]["attachmentAdd"]
    assert payload["userErrors"] == []
    (attachment,) = payload["attachments"]
    assert attachment["name"] == "asemapiirros.pdf"
    assert attachment["contentType"] == "application/pdf"
    assert attachment["size"] == len(content)
    assert attachment["sha256"] == hashlib.sha256(content).hexdigest()
    assert attachment["kind"] == "site-map"
    assert attachment["scanStatus"] == "NOT_SCANNED"  # ATTACHMENT_SCANNER=none in this test
    assert attachment["viewerCanRemove"] is True

    own = await fetch(client, attachment["downloadUrl"])
    assert own.status_code == 200 and own.content == content

    submitted = await gql(
        SUBMIT, {"input": {"id": application, "expectedVersion": 2}}, token=customer.token
    )
    assert submitted["data"]["applicationSubmit"]["userErrors"] == []

    rescue = await make_handler("helsinki-rescue")
    seen = await gql(ATTACHMENTS, {"id": application}, token=rescue.token)
    (listed,) = seen["data"]["application"]["attachments"]
    response = await fetch(client, listed["downloadUrl"])
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="asemapiirros.pdf"'
    )
    assert response.headers["etag"] == f'"{attachment["sha256"]}"'
    entry = await AuditEntry.get(action="ATTACHMENT_READ")
    assert (
        entry.actor_id == rescue.person_id
        and entry.authority_id == (await Application.get(id=app_id)).authority_id
    )

    ranged = await fetch(client, listed["downloadUrl"], Range="bytes=5-14")
    assert ranged.status_code == 206
    assert ranged.content == content[5:15]
    assert ranged.headers["content-range"] == f"bytes 5-14/{len(content)}"
    tail = await fetch(client, listed["downloadUrl"], Range="bytes=-7")
    assert tail.status_code == 206 and tail.content == content[-7:]
    outside = await fetch(client, listed["downloadUrl"], Range=f"bytes={len(content)}-")
    assert outside.status_code == 416

    # the signed link is the rescue handler's own: a bearer token works too, for API clients
    by_token = await client.get(
        f"/attachments/{listed['id']}", headers={"Authorization": f"Bearer {rescue.token}"}
    )
    assert by_token.status_code == 200 and by_token.content == content
    forged = listed["downloadUrl"].replace("sig=", "sig=x")
    assert (await fetch(client, forged)).status_code == 403


async def test_a_co_authority_cannot_download_an_unshared_drafts_file(
    gql: GQL, client: httpx.AsyncClient
) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    submitted = await draft(customer, "helsinki-police-event-notification", project_id)
    from actions import applications as app_actions

    await app_actions.application_submit(customer.viewer, submitted, 2)  # police is involved
    unshared = await draft(customer, project_id=project_id)
    added = await gql.upload(
        ADD,
        add_variables(gid("Application", unshared), kinds=["site-map"]),
        {"input.files.0.file": ("kartta.pdf", pdf(), "application/pdf")},
        token=customer.token,
    )
    attachment = added["data"]["attachmentAdd"]["attachments"][0]
    police = await make_handler("helsinki-police")
    seen = await gql(ATTACHMENTS, {"id": gid("Application", unshared)}, token=police.token)
    assert seen["data"]["application"]["attachments"] == []
    direct = await client.get(
        f"/attachments/{attachment['id']}", headers={"Authorization": f"Bearer {police.token}"}
    )
    assert direct.status_code == 404
    # the customer's own link does not work for anyone else either: it names the customer,
    # and is rechecked against the customer's rights, which do not include the police's
    assert (await fetch(client, attachment["downloadUrl"])).status_code == 200


async def test_deliveries_and_the_export_list_each_attachment_with_a_link_for_the_system(
    gql: GQL, client: httpx.AsyncClient
) -> None:
    customer = await make_customer()
    app_id = await draft(customer, "helsinki-public-area-use")
    content = pdf("Alue")
    await gql.upload(
        ADD,
        add_variables(gid("Application", app_id), kinds=["area-map"]),
        {"input.files.0.file": ("alue.pdf", content, "application/pdf")},
        token=customer.token,
    )
    from actions import applications as app_actions

    await app_actions.application_submit(customer.viewer, app_id, 2)
    item = await OutboxItem.get(kind="DELIVERY", application_id=app_id)
    (listed,) = item.payload["data"]["attachments"]
    assert {k: listed[k] for k in ("name", "contentType", "size", "sha256", "kind")} == {
        "name": "alue.pdf",
        "contentType": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "kind": "area-map",
    }
    assert "downloadUrl" not in listed  # made when sending, never kept in the outbox
    event = await with_links(delivery_event(item), item.authority_id)
    url = event["data"]["attachments"][0]["downloadUrl"]
    response = await fetch(client, url)
    assert response.status_code == 200 and response.content == content
    # a link for another authority's system does not open it
    other = await with_links(delivery_event(item), item.authority_id + 1000)
    assert (await fetch(client, other["data"]["attachments"][0]["downloadUrl"])).status_code == 403

    handler = await make_handler("helsinki-public-areas")
    exported = await gql(
        "mutation($i: ApplicationExportInput!) { applicationExport(input: $i) { document userErrors { code } } }",
        {"i": {"id": gid("Application", app_id)}},
        token=handler.token,
    )
    document = exported["data"]["applicationExport"]["document"]
    assert [a["sha256"] for a in document["attachments"]] == [hashlib.sha256(content).hexdigest()]
