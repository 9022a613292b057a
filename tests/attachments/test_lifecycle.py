"""Removing a draft's file deletes it; the retention purge removes abandoned drafts' files and
failed uploads' objects; adding and removing are live events for those who may see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from actions import applications as app_actions
from actions.attachments import attachment_add, attachment_remove, purge
from actions.storage import get_storage
from models import Application, Attachment
from models.errors import DomainError
from notifications.events import project_channel
from tests.attachments.helpers import REMOVE, draft, stored_objects
from tests.factories import GQL, gid, make_application, make_customer, make_handler, make_project
from tests.files import pdf, spec
from tests.subscriptions.wsclient import connect, wait_subscribed, ws_client

EVENTS = """subscription($id: ID!) { projectActivity(projectId: $id) {
  __typename kind
  ... on AttachmentEvent { attachmentId attachment { name scanStatus } application { id } }
} }"""


async def test_removing_a_drafts_file_deletes_it_and_keeps_who_removed_it(gql: GQL) -> None:
    customer = await make_customer()
    app_id = await draft(customer)
    (attachment_id,) = await attachment_add(customer.viewer, app_id, [spec("a.pdf", pdf())])
    row = await Attachment.get(id=attachment_id)
    assert row.storage_key is not None and await get_storage().exists(row.storage_key)
    result = await gql(
        REMOVE, {"input": {"id": gid("Attachment", attachment_id)}}, token=customer.token
    )
    assert result["data"]["attachmentRemove"] == {
        "application": {"attachments": []},
        "userErrors": [],
    }
    assert not await get_storage().exists(row.storage_key)
    assert await stored_objects() == 0
    removed = await Attachment.get(id=attachment_id)
    assert removed.removed_at is not None and removed.removed_by_label == customer.name
    assert removed.storage_key is None
    again = await gql(
        REMOVE, {"input": {"id": gid("Attachment", attachment_id)}}, token=customer.token
    )
    assert [e["code"] for e in again["data"]["attachmentRemove"]["userErrors"]] == ["NOT_FOUND"]


async def test_a_submitted_applications_files_stay_as_they_were_sent(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, "helsinki-rescue-plan")
    await app_actions.application_submit(customer.viewer, app_id, 2)
    attachment = await Attachment.get(application_id=app_id)
    result = await gql(
        REMOVE, {"input": {"id": gid("Attachment", attachment.id)}}, token=customer.token
    )
    assert [e["code"] for e in result["data"]["attachmentRemove"]["userErrors"]] == [
        "INVALID_STATUS_TRANSITION"
    ]
    with pytest.raises(DomainError):
        await attachment_add(customer.viewer, app_id, [spec("b.pdf", pdf())])
    assert await Attachment.filter(removed_at=None).count() == 1


async def test_the_retention_purge_removes_abandoned_drafts_files_and_failed_uploads(
    db: str,
) -> None:
    customer = await make_customer()
    abandoned, active = await draft(customer), await draft(customer)
    (old,) = await attachment_add(customer.viewer, abandoned, [spec("old.pdf", pdf())])
    (kept,) = await attachment_add(customer.viewer, active, [spec("new.pdf", pdf())])
    await Application.filter(id=abandoned).update(
        updated_at=datetime.now(UTC) - timedelta(days=200)
    )
    orphan = await get_storage().create()  # an upload whose row never committed
    await orphan.write(b"%PDF-1.4 left behind")
    await orphan.commit()
    assert await stored_objects() == 3

    report = await purge(180, orphan_grace=0)
    assert (report.drafts_files, report.orphans) == (1, 1)
    assert (await Attachment.get(id=old)).removed_by_label == "retention purge"
    kept_row = await Attachment.get(id=kept)
    assert kept_row.removed_at is None and kept_row.storage_key is not None
    assert await get_storage().exists(kept_row.storage_key)
    assert await stored_objects() == 1


async def test_adding_and_removing_are_live_events_for_those_who_may_see_them(db: str) -> None:
    async with ws_client() as client:
        customer = await make_customer()
        project_id = await make_project(customer)
        await make_application(
            customer, project_id, "helsinki-rescue-plan"
        )  # a draft, with its map
        police_app = await make_application(customer, project_id)
        await app_actions.application_submit(customer.viewer, police_app, 2)  # police involved
        app_id = await draft(customer, "helsinki-noise-notification", project_id)
        police = await make_handler("helsinki-police")
        async with connect(client, customer.token) as c, connect(client, police.token) as p:
            for socket in (c, p):
                await socket.subscribe(EVENTS, {"id": gid("Project", project_id)})
            await wait_subscribed(project_channel(project_id), 2)
            (attachment_id,) = await attachment_add(
                customer.viewer, app_id, [spec("melu.pdf", pdf())]
            )
            added = (await c.next())["payload"]["data"]["projectActivity"]
            assert added == {
                "__typename": "AttachmentAddedEvent",
                "kind": "ATTACHMENT_ADDED",
                "attachmentId": gid("Attachment", attachment_id),
                "attachment": {"name": "melu.pdf", "scanStatus": "NOT_SCANNED"},
                "application": {"id": gid("Application", app_id)},
            }
            await attachment_remove(customer.viewer, attachment_id)
            removed = (await c.next())["payload"]["data"]["projectActivity"]
            assert (removed["kind"], removed["attachment"]) == ("ATTACHMENT_REMOVED", None)
            # the police see the project, but not this unshared draft's files
            await p.nothing()
