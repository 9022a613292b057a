"""Operations and small helpers of the attachment tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from actions import applications as app_actions
from actions.storage import LocalStorage, get_storage
from models import Attachment, PermitType
from tests.factories import Actor, make_project, valid_content

ADD = """mutation($input: AttachmentAddInput!) { attachmentAdd(input: $input) {
  attachments { id name contentType size sha256 kind scanStatus downloadUrl viewerCanDownload
                viewerCanRemove belongsTo }
  application { id attachments { id } }
  userErrors { code field message } } }"""

REMOVE = """mutation($input: AttachmentRemoveInput!) { attachmentRemove(input: $input) {
  application { attachments { id } } userErrors { code field message } } }"""

SUBMIT = """mutation($input: ApplicationSubmitInput!) { applicationSubmit(input: $input) {
  application { status } userErrors { code field message } } }"""

ATTACHMENTS = """query($id: ID!) { application(id: $id) { attachments {
  id name contentType size sha256 scanStatus downloadUrl viewerCanDownload } } }"""


def add_variables(
    application: str, count: int = 1, kinds: list[str | None] | None = None
) -> dict[str, Any]:
    kinds = kinds or [None] * count
    return {
        "input": {
            "applicationId": application,
            "files": [{"file": None, "kind": kind} for kind in kinds],
        }
    }


async def draft(
    customer: Actor, code: str = "helsinki-rescue-plan", project_id: int | None = None
) -> int:
    """A draft with valid content and no attachments."""
    project_id = project_id or await make_project(customer)
    permit_type = await PermitType.get(code=code)
    app_id = await app_actions.application_create(customer.viewer, project_id, permit_type.id)
    await app_actions.application_update(customer.viewer, app_id, 1, await valid_content(code))
    return app_id


async def stored_objects() -> int:
    """How many objects the attachment store holds."""
    store = get_storage()
    if isinstance(store, LocalStorage):
        return sum(1 for p in Path(store.root).rglob("*") if p.is_file())  # noqa: ASYNC240
    return int(await store.pool.fetchval("SELECT count(*) FROM luukku_blob"))  # type: ignore[attr-defined]


async def nothing_written() -> tuple[int, int]:
    return await Attachment.all().count(), await stored_objects()


async def fetch(client: httpx.AsyncClient, url: str, **headers: str) -> httpx.Response:
    parts = urlsplit(url)
    return await client.get(
        parts.path + ("?" + parts.query if parts.query else ""), headers=headers
    )
