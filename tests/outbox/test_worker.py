"""The worker sends through a real SMTP server and to a real HTTP endpoint, signed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from actions.outbox import configure_authority_system
from app.worker import OutboxWorker
from models import KeptMail, OutboxItem
from models.settings import Settings
from models.statuses import ApplicationStatus
from notifications.webhooks import verify
from tests.factories import make_application, make_customer, make_project
from tests.outbox.servers import MailSink, Receiver, http_endpoint, smtp_server

S = ApplicationStatus


async def test_mails_go_through_smtp_as_plain_text_and_html(
    db: str, configure: Callable[..., Settings]
) -> None:
    sink = MailSink()
    with smtp_server(sink) as port:
        settings = configure(smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
        customer = await make_customer()
        project_id = await make_project(customer)
        await make_application(customer, project_id, status=S.NOT_STARTED)
        await OutboxWorker(settings).drain()
    (message,) = sink.messages
    assert sink.envelopes[0].rcpt_tos == ["helsinki-police@demo.luukku.example"]
    assert message["Subject"].startswith("Uusi hakemus")
    assert message["Content-Language"] == "fi"
    item = await OutboxItem.get(topic="authority.submitted")
    assert item.event_id in message["Message-ID"]  # stable across retries
    parts = {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }
    assert "Avaa hakemus" in parts["text/plain"] and "<a href=" in parts["text/html"]
    assert item.status == "DELIVERED" and item.attempts == 1


async def test_without_smtp_mails_are_kept_and_readable(
    db: str, configure: Callable[..., Settings]
) -> None:
    settings = configure(smtp_host="")
    customer = await make_customer()
    project_id = await make_project(customer)
    await make_application(customer, project_id, status=S.NOT_STARTED)
    await OutboxWorker(settings).drain()
    kept = await KeptMail.get(to="helsinki-police@demo.luukku.example")
    assert kept.subject.startswith("Uusi hakemus") and "Avaa hakemus" in kept.text


async def test_deliveries_are_signed_cloud_events_with_x_road_headers(
    db: str, configure: Callable[..., Settings]
) -> None:
    settings = configure(xroad_client="FI/COM/1234567-1/luukku")
    customer = await make_customer()
    project_id = await make_project(customer)
    await make_application(customer, project_id, "helsinki-public-area-use", status=S.NOT_STARTED)
    _, secret = await configure_authority_system("helsinki-public-areas", None, rotate_secret=True)
    assert secret is not None
    receiver = Receiver(secret)
    async with http_endpoint(receiver) as url:
        await configure_authority_system("helsinki-public-areas", url, rotate_secret=False)
        await OutboxWorker(settings).drain()
    (event,) = receiver.received
    headers = receiver.headers[0]
    item = await OutboxItem.get(kind="DELIVERY")
    assert event["specversion"] == "1.0" and event["type"] == "fi.luukku.application.submitted"
    assert event["id"] == item.event_id == headers["webhook-id"]
    assert event["data"]["application"]["formData"]
    assert headers["content-type"].startswith("application/cloudevents+json")
    assert headers["x-road-client"] == "FI/COM/1234567-1/luukku" and headers["x-road-id"]
    assert item.status == "DELIVERED"


async def test_a_rotated_secret_still_verifies_while_both_are_active(
    db: str, configure: Callable[..., Settings]
) -> None:
    settings = configure()
    customer = await make_customer()
    project_id = await make_project(customer)
    await make_application(customer, project_id, "helsinki-public-area-use", status=S.NOT_STARTED)
    _, old = await configure_authority_system("helsinki-public-areas", None, rotate_secret=True)
    _, new = await configure_authority_system("helsinki-public-areas", None, rotate_secret=True)
    assert old and new and old != new
    receiver = Receiver(old)  # the receiver has not switched yet
    async with http_endpoint(receiver) as url:
        await configure_authority_system("helsinki-public-areas", url, rotate_secret=False)
        await OutboxWorker(settings).drain()
    assert len(receiver.received) == 1 and receiver.bad_signatures == 0
    signatures = receiver.headers[0]["webhook-signature"].split()
    assert len(signatures) == 2
    body_headers: dict[str, Any] = dict(receiver.headers[0])
    assert not verify("whsec_" + "A" * 32, body_headers, b"tampered")


async def test_items_waiting_for_a_retry_are_not_claimed_early(
    db: str, configure: Callable[..., Settings]
) -> None:
    from datetime import UTC, datetime, timedelta

    from actions.outbox import claim

    configure()
    soon = datetime.now(UTC) + timedelta(seconds=30)
    await OutboxItem.create(
        kind="EMAIL", event_id="later", topic="t", payload={}, next_attempt_at=soon
    )
    await OutboxItem.create(
        kind="EMAIL", event_id="now", topic="t", payload={}, next_attempt_at=datetime.now(UTC)
    )
    claimed = await claim("w", 10, 60)
    assert [i.event_id for i in claimed] == ["now"]
    assert await claim("other", 10, 60) == []  # leased to "w"


async def test_a_separate_worker_sends_the_source_the_api_recorded_not_its_own_default(
    db: str, configure: Callable[..., Settings]
) -> None:
    """The API runs behind https://luukku.example.fi; a `luukku worker` started without
    PUBLIC_BASE_URL (defaulting to http://127.0.0.1:8000) still sends the API's address."""
    api = configure(public_base_url="https://luukku.example.fi")
    customer = await make_customer()
    project_id = await make_project(customer)
    await make_application(customer, project_id, "helsinki-public-area-use", status=S.NOT_STARTED)
    _, secret = await configure_authority_system("helsinki-public-areas", None, rotate_secret=True)
    receiver = Receiver(secret or "")
    worker_settings = configure(public_base_url="http://127.0.0.1:8000")
    assert api.public_base_url != worker_settings.public_base_url
    async with http_endpoint(receiver) as url:
        await configure_authority_system("helsinki-public-areas", url, rotate_secret=False)
        await OutboxWorker(worker_settings).drain()
    (event,) = receiver.received
    assert event["source"] == "https://luukku.example.fi/graphql"
