"""Virus scanning with a real clamd: pending files reach only their uploader, EICAR is
found and quarantined and its uploader told, a clean file is served, a scanner that cannot
answer leaves the file SCAN_FAILED and the outbox retries it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from actions import applications as app_actions
from actions.attachments import scan_attachment
from actions.scanning import ClamdScanner, ScanError, set_scanner
from actions.storage import LocalStorage, get_storage
from app.worker import OutboxWorker
from models import Attachment, KeptMail, OutboxItem
from models.settings import get_settings
from tests.attachments.helpers import ADD, ATTACHMENTS, SUBMIT, add_variables, draft, fetch
from tests.clamd import running_clamd
from tests.factories import GQL, gid, make_customer, make_handler, make_project
from tests.files import EICAR, pdf


@pytest.fixture(scope="session")
def clamd() -> Iterator[tuple[str, int]]:
    with running_clamd() as address:
        yield address


@pytest_asyncio.fixture
async def scanner(clamd: tuple[str, int]) -> AsyncIterator[ClamdScanner]:
    socket_path, _ = clamd
    chosen = ClamdScanner(
        socket_path, timeout=10, max_bytes=get_settings().attachment_max_file_bytes
    )
    set_scanner(chosen)
    yield chosen
    set_scanner(None)


async def _drain() -> None:
    await OutboxWorker(get_settings()).drain()


async def _upload(
    gql: GQL, token: str, app_id: int, name: str, data: bytes, kind: str | None = "site-map"
) -> dict[str, Any]:
    result = await gql.upload(
        ADD,
        add_variables(gid("Application", app_id), kinds=[kind]),
        {"input.files.0.file": (name, data, "application/octet-stream")},
        token=token,
    )
    payload = result["data"]["attachmentAdd"]
    assert payload["userErrors"] == [], payload
    return payload["attachments"][0]  # type: ignore[no-any-return]


async def test_eicar_is_found_quarantined_never_served_and_its_uploader_told(
    gql: GQL, client: httpx.AsyncClient, scanner: ClamdScanner
) -> None:
    customer = await make_customer()
    app_id = await draft(customer)
    # EICAR is plain text: upload it as a text file the permit type accepts
    attachment = await _upload(gql, customer.token, app_id, "muistio.txt", EICAR, kind=None)
    assert attachment["scanStatus"] == "PENDING"
    assert attachment["viewerCanDownload"] is True  # its uploader, while it is scanned
    await app_actions.application_share(customer.viewer, app_id, 2, True)
    rescue = await make_handler("helsinki-rescue")
    seen = await gql(ATTACHMENTS, {"id": gid("Application", app_id)}, token=rescue.token)
    (listed,) = seen["data"]["application"]["attachments"]
    assert listed["scanStatus"] == "PENDING" and listed["downloadUrl"] is None
    refused = await client.get(
        f"/attachments/{listed['id']}", headers={"Authorization": f"Bearer {rescue.token}"}
    )
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_SCANNED"

    await _drain()
    row = await Attachment.get(application_id=app_id)
    assert row.scan_status == "INFECTED"
    assert row.scan_result is not None and row.scan_result.startswith("Eicar-Test-Signature")
    for token in (customer.token, rescue.token):
        gone = await client.get(
            f"/attachments/{listed['id']}", headers={"Authorization": f"Bearer {token}"}
        )
        assert gone.status_code == 410
    store = get_storage()
    assert row.storage_key is not None
    if isinstance(store, LocalStorage):
        assert not store.path(row.storage_key).exists()
        assert store.path(row.storage_key, quarantined=True).exists()
    assert not await store.exists(row.storage_key)
    mail = await KeptMail.get(to=(await customer_email(customer.person_id)))
    assert "muistio.txt" in mail.text and mail.subject.startswith("Lataamasi tiedosto hylättiin")
    assert "X5O!" not in mail.text and "X5O!" not in mail.html  # the file is never attached


async def customer_email(person_id: int | None) -> str:
    from models import Person

    return (await Person.get(id=person_id)).email


async def test_an_infected_required_file_does_not_count_for_submission(
    gql: GQL, scanner: ClamdScanner
) -> None:
    customer = await make_customer()
    app_id = await draft(customer)
    infected_pdf = pdf() + b"\n%" + EICAR  # a real PDF carrying the test virus
    await _upload(gql, customer.token, app_id, "kartta.pdf", infected_pdf)
    await _drain()
    assert (await Attachment.first()).scan_status == "INFECTED"  # type: ignore[union-attr]
    result = await gql(
        SUBMIT,
        {"input": {"id": gid("Application", app_id), "expectedVersion": 2}},
        token=customer.token,
    )
    assert [e["code"] for e in result["data"]["applicationSubmit"]["userErrors"]] == [
        "ATTACHMENT_REQUIRED"
    ]


async def test_a_clean_file_is_served_to_the_authorities_once_scanned(
    gql: GQL, client: httpx.AsyncClient, scanner: ClamdScanner
) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await draft(customer, project_id=project_id)
    content = pdf("Puhdas")
    await _upload(gql, customer.token, app_id, "kartta.pdf", content)
    await app_actions.application_submit(customer.viewer, app_id, 2)
    await _drain()
    rescue = await make_handler("helsinki-rescue")
    seen = await gql(ATTACHMENTS, {"id": gid("Application", app_id)}, token=rescue.token)
    (listed,) = seen["data"]["application"]["attachments"]
    assert listed["scanStatus"] == "CLEAN"
    response = await fetch(client, listed["downloadUrl"])
    assert response.status_code == 200 and response.content == content


async def test_a_scanner_that_cannot_answer_leaves_it_scan_failed_and_the_outbox_retries(
    gql: GQL, client: httpx.AsyncClient, clamd: tuple[str, int]
) -> None:
    set_scanner(ClamdScanner(("127.0.0.1", 9), timeout=2, max_bytes=1 << 30))  # nothing listens
    try:
        customer = await make_customer()
        app_id = await draft(customer)
        attachment = await _upload(gql, customer.token, app_id, "kartta.pdf", pdf())
        await _drain()
        row = await Attachment.get(application_id=app_id)
        assert row.scan_status == "SCAN_FAILED"
        item = await OutboxItem.get(kind="SCAN")
        assert item.status == "PENDING" and item.attempts == 1 and item.last_error
        own = await fetch(client, attachment["downloadUrl"])
        assert own.status_code == 200  # its uploader may still fetch it back
    finally:
        set_scanner(None)
    socket_path, _ = clamd
    set_scanner(ClamdScanner(socket_path, timeout=10, max_bytes=1 << 30))
    try:
        await OutboxItem.filter(id=item.id).update(next_attempt_at=datetime.now(UTC))
        await _drain()
        assert (await Attachment.get(id=row.id)).scan_status == "CLEAN"
        assert (await OutboxItem.get(id=item.id)).status == "DELIVERED"
    finally:
        set_scanner(None)


async def test_over_the_scanners_limit_is_no_verdict(clamd: tuple[str, int]) -> None:
    _, port = clamd
    small = ClamdScanner(("127.0.0.1", port), timeout=5, max_bytes=1000)

    async def chunks() -> AsyncIterator[bytes]:
        yield b"x" * 800
        yield b"x" * 800

    with pytest.raises(ScanError):
        await small.scan(chunks())

    async def eicar() -> AsyncIterator[bytes]:
        for i in range(0, len(EICAR), 7):  # in small pieces, over TCP this time
            yield EICAR[i : i + 7]

    verdict = await small.scan(eicar())
    assert verdict.infected and verdict.detail.startswith("Eicar-Test-Signature")


async def test_scanning_a_removed_attachment_does_nothing(gql: GQL, scanner: ClamdScanner) -> None:
    customer = await make_customer()
    app_id = await draft(customer)
    await _upload(gql, customer.token, app_id, "kartta.pdf", pdf())
    row = await Attachment.get(application_id=app_id)
    from actions.attachments import attachment_remove

    await attachment_remove(customer.viewer, row.id)
    assert await scan_attachment(row.id) is None
