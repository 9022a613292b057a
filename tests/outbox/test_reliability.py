"""Nothing is lost: SMTP and endpoints fail, stall and vanish; workers die; the outbox drains."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from actions import outbox as outbox_actions
from actions.outbox import configure_authority_system
from app.worker import OutboxWorker
from models import OutboxItem
from models.settings import Settings
from models.statuses import ApplicationStatus
from notifications.webhooks import new_secret
from tests import db as test_db
from tests.factories import GQL, gid, make_application, make_customer, make_project
from tests.outbox.servers import MailSink, Receiver, http_endpoint, smtp_server
from tests.servers import LUUKKU, ROOT, free_port

S = ApplicationStatus


async def _settle(worker: OutboxWorker, until: Callable[[], object], rounds: int = 200) -> None:
    """Run worker rounds (with the short test backoff) until the condition holds."""
    async with worker._http():
        for _ in range(rounds):
            if await until():  # type: ignore[misc]
                return
            await worker.run_once()
            await asyncio.sleep(0.02)
    raise AssertionError("the outbox did not settle")


async def _delivered(count: int) -> bool:
    return await OutboxItem.filter(status="DELIVERED").count() >= count


async def test_a_mutation_succeeds_while_smtp_is_down_and_the_mail_follows_later(
    db: str, gql: GQL, configure: Callable[..., Settings]
) -> None:
    port = free_port()  # nothing listens here yet
    settings = configure(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls="none",
        smtp_timeout=2,
        outbox_backoff_seconds=0.01,
    )
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id)
    result = await gql(
        "mutation($i: ApplicationSubmitInput!) { applicationSubmit(input: $i) { application { status } userErrors { code } } }",
        {"i": {"id": gid("Application", app_id), "expectedVersion": 2}},
        token=customer.token,
    )
    assert result["data"]["applicationSubmit"]["application"]["status"] == "NOT_STARTED"
    worker = OutboxWorker(settings)
    async with worker._http():
        await worker.run_once()
    item = await OutboxItem.get(topic="authority.submitted")
    assert (item.status, item.attempts) == ("PENDING", 1)
    assert "Connect" in (item.last_error or "") or "refused" in (item.last_error or "").lower()
    sink = MailSink()
    from aiosmtpd.controller import Controller

    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await _settle(worker, lambda: _delivered(1))
    finally:
        controller.stop()
    assert len(sink.messages) == 1


async def test_smtp_refusing_for_a_while_then_the_outbox_drains(
    db: str, configure: Callable[..., Settings]
) -> None:
    sink = MailSink(failing=True)
    with smtp_server(sink) as port:
        settings = configure(
            smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none", outbox_backoff_seconds=0.01
        )
        customer = await make_customer()
        for _ in range(12):
            project_id = await make_project(customer)
            await make_application(customer, project_id, status=S.NOT_STARTED)
        worker = OutboxWorker(
            settings,
        )
        async with worker._http():
            while await OutboxItem.filter(status="PENDING", attempts=0).exists():
                await worker.run_once()
        assert await OutboxItem.filter(status="PENDING", attempts__gte=1).count() == 12
        sink.failing = False
        await _settle(worker, lambda: _delivered(12))
    assert len(sink.messages) == 12
    assert len({m["Message-ID"] for m in sink.messages}) == 12


async def test_a_mail_sent_again_after_a_worker_died_keeps_its_message_id(
    db: str, configure: Callable[..., Settings]
) -> None:
    """A worker sends, dies before recording it; its lease expires and another worker sends
    the same item again: both copies carry the same Message-ID, derived from the item."""
    sink = MailSink()
    with smtp_server(sink) as port:
        settings = configure(smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
        customer = await make_customer()
        project_id = await make_project(customer)
        await make_application(customer, project_id, status=S.NOT_STARTED)
        dying = OutboxWorker(settings, worker_id="dying")
        (item,) = await outbox_actions.claim(dying.id, 10, 60)
        await dying._deliver(item)  # sent; the worker dies before outbox.complete
        await OutboxItem.filter(id=item.id).update(locked_until=datetime(2000, 1, 1, tzinfo=UTC))
        await OutboxWorker(settings, worker_id="next").drain()
    first, second = sink.messages
    assert first["Message-ID"] == second["Message-ID"] == f"<{item.event_id}@luukku.invalid>"
    assert (await OutboxItem.get(id=item.id)).status == "DELIVERED"


async def _api_item(customer_actor: object | None = None) -> int:
    customer = await make_customer()
    project_id = await make_project(customer)
    return await make_application(
        customer, project_id, "helsinki-public-area-use", status=S.NOT_STARTED
    )


async def test_an_endpoint_failing_then_stalling_then_answering_gets_each_event_once(
    db: str, configure: Callable[..., Settings]
) -> None:
    settings = configure(outbox_backoff_seconds=0.01, webhook_timeout=1)
    await _api_item()
    _, secret = await configure_authority_system("helsinki-public-areas", None, rotate_secret=True)
    receiver = Receiver(secret or "", fail_next=2, status_when_failing=503)
    async with http_endpoint(receiver) as url:
        await configure_authority_system("helsinki-public-areas", url, rotate_secret=False)
        worker = OutboxWorker(settings)
        await _settle(worker, lambda: _delivered(1))
        item = await OutboxItem.get(kind="DELIVERY")
        assert item.attempts == 3
    assert len(receiver.applied) == 1

    await _api_item()
    receiver.stall_seconds = (
        2  # longer than the 1 s timeout: Luukku gives up, the receiver keeps it
    )
    async with http_endpoint(receiver, port=int(url.rsplit(":", 1)[1].split("/")[0])):
        async with worker._http():
            await worker.run_once()  # times out after 1 s; the receiver still gets it
        receiver.stall_seconds = 0
        await _settle(worker, lambda: _delivered(2))
    assert len(receiver.applied) == 2  # the stalled one arrived twice, applied once
    assert len(receiver.received) == 3


async def test_a_vanished_endpoint_makes_items_dead_and_a_retry_delivers_them(
    db: str, gql: GQL, configure: Callable[..., Settings]
) -> None:
    settings = configure(outbox_backoff_seconds=0.01, outbox_max_attempts=3)
    await _api_item()
    _, secret = await configure_authority_system(
        "helsinki-public-areas", f"http://127.0.0.1:{free_port()}/events", rotate_secret=True
    )
    worker = OutboxWorker(settings)

    async def dead() -> bool:
        return await OutboxItem.filter(status="DEAD").count() == 1

    await _settle(worker, dead)
    item = await OutboxItem.get(kind="DELIVERY")
    assert item.attempts == 3 and item.last_error

    from actions.identity import person_create, token_issue

    operator = await person_create("Olli Operaattori", "olli@test.luukku.example", is_operator=True)
    token = await token_issue(label="operator", person=operator)
    listed = await gql(
        "{ outboxItems(status: DEAD) { totalCount nodes { id topic attempts lastError } } }",
        token=token,
    )
    node = listed["data"]["outboxItems"]["nodes"][0]
    assert listed["data"]["outboxItems"]["totalCount"] == 1 and node["attempts"] == 3
    receiver = Receiver(secret or "")
    async with http_endpoint(receiver) as url:
        await configure_authority_system("helsinki-public-areas", url, rotate_secret=False)
        retried = await gql(
            "mutation($i: OutboxRetryInput!) { outboxRetry(input: $i) { retried userErrors { code } } }",
            {"i": {"ids": [node["id"]]}},
            token=token,
        )
        assert retried["data"]["outboxRetry"]["retried"] == 1
        await _settle(worker, lambda: _delivered(1))
    assert len(receiver.applied) == 1


async def test_several_workers_never_send_the_same_item_twice(
    db: str, configure: Callable[..., Settings]
) -> None:
    settings = configure(outbox_batch_size=7)
    for _ in range(40):
        await _api_item()
    _, secret = await configure_authority_system("helsinki-public-areas", None, rotate_secret=True)
    receiver = Receiver(secret or "")
    async with http_endpoint(receiver) as url:
        await configure_authority_system("helsinki-public-areas", url, rotate_secret=False)
        workers = [OutboxWorker(settings) for _ in range(4)]
        await asyncio.gather(*(w.drain() for w in workers))
    assert len(receiver.received) == 40  # each once: no item was leased to two workers
    assert len(receiver.applied) == 40
    assert sum(w.sent for w in workers) == 40 and sum(1 for w in workers if w.sent) >= 2


# --- a worker process killed mid-send -----------------------------------------------------


@pytest_asyncio.fixture
async def own_database(tmp_path: Path) -> AsyncIterator[str]:
    async with test_db.process_database(tmp_path, "worker") as url:
        yield url


async def _sql(url: str, statement: str, *args: object) -> None:
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as conn:
            conn.execute(
                statement.replace("$1", "?")
                .replace("$2", "?")
                .replace("$3", "?")
                .replace("$4", "?"),
                args,
            )
        return
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(statement, *args)
    finally:
        await conn.close()


@pytest.mark.slow
async def test_a_worker_killed_mid_send_resumes_after_restart(own_database: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": own_database,
        "OUTBOX_LEASE_SECONDS": "2",
        "OUTBOX_POLL_MS": "100",
    }
    for args in (["migrate"], ["catalogue", "load"]):
        subprocess.run(
            [LUUKKU, *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
        )
    secret = new_secret()
    receiver = Receiver(secret, stall_seconds=30)
    async with http_endpoint(receiver) as url:
        await _sql(
            own_database,
            "UPDATE organisation SET system_endpoint = $1, system_secrets = $2 WHERE code = 'helsinki-public-areas'",
            url,
            json.dumps([secret]),
        )
        now = datetime.now(UTC)
        await _sql(
            own_database,
            "INSERT INTO outbox_item (kind, status, event_id, topic, authority_id, payload, attempts, "
            "next_attempt_at, created_at) SELECT 'DELIVERY', 'PENDING', $1, 'application.submitted', id, $2, 0, $3, $4 "
            "FROM organisation WHERE code = 'helsinki-public-areas'",
            uuid.uuid4().hex,
            json.dumps({"data": {"note": "killed mid-send"}, "subject": "QXBwbGljYXRpb246MQ=="}),
            now if own_database.startswith("postgres") else str(now),  # as Tortoise stores it
            now if own_database.startswith("postgres") else str(now),
        )
        first = subprocess.Popen(
            [LUUKKU, "worker"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            if receiver.received:
                break
            await asyncio.sleep(0.05)
        assert len(receiver.received) == 1  # the worker is in the middle of sending
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        receiver.stall_seconds = 0
        receiver.released.set()  # the stalled request (its sender is gone) ends
        second = subprocess.Popen(
            [LUUKKU, "worker"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                if len(receiver.received) >= 2:
                    break
                await asyncio.sleep(0.05)
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(20)
    assert len(receiver.received) == 2  # sent again after the lease ran out
    assert len(receiver.applied) == 1  # and applied once, by its webhook-id
