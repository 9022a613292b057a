"""The outbox worker: sends what actions wrote to the outbox, in-process or as `luukku worker`.

Each round leases a batch of due items (actions/outbox.py: claim), sends them concurrently
(mail through SMTP, or kept in the database when no SMTP server is configured; deliveries
to authority systems over HTTP), and records each result: delivered, retry later with
backoff and jitter, or dead after the last attempt. A commit that writes outbox items wakes
the in-process worker at once; other workers poll every OUTBOX_POLL_MS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator

import httpx

from actions import attachment_links, attachments, outbox, reminders
from app.settings import Settings
from models import KeptMail, Organisation, OutboxItem
from models.outbox import OutboxKind, OutboxStatus
from notifications import mail, webhooks

log = logging.getLogger("luukku.outbox")


class OutboxWorker:
    def __init__(self, settings: Settings, worker_id: str | None = None) -> None:
        self.settings = settings
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self.sent = 0
        self.failed = 0

    def wake(self) -> None:
        self._wake.set()

    async def _deliver(self, item: OutboxItem) -> OutboxStatus:
        """Send the item; returns DELIVERED, or KEPT for a mail kept instead of sent."""
        if item.kind == OutboxKind.SCAN:
            await attachments.scan_attachment(int(item.payload["attachment"]))
            return OutboxStatus.DELIVERED
        if item.kind == OutboxKind.EMAIL:
            if self.settings.smtp_configured:
                await mail.send(item.payload, self.settings, item.event_id)
                return OutboxStatus.DELIVERED
            # no SMTP server: keep it, readable with `luukku mail` (the demo's mailbox)
            await KeptMail.get_or_create(
                outbox_item_id=item.id,
                defaults={
                    "to": item.payload["to"],
                    "subject": item.payload["subject"],
                    "text": item.payload["text"],
                    "html": item.payload["html"],
                    "language": item.payload.get("language", "fi"),
                },
            )
            return OutboxStatus.KEPT
        authority = await Organisation.get_or_none(id=item.authority_id)
        assert self._client is not None
        await webhooks.deliver(
            await attachment_links.with_links(outbox.delivery_event(item), item.authority_id),
            authority.system_endpoint or "" if authority else "",
            list(authority.system_secrets or []) if authority else [],
            self.settings,
            self._client,
        )
        return OutboxStatus.DELIVERED

    async def _handle(self, item: OutboxItem) -> None:
        if item.topic in reminders.TOPICS and not await reminders.still_true(item):
            await outbox.cancel(item, self.id)  # no longer true when due: never sent
            return
        try:
            status = await self._deliver(item)
        except Exception as exc:
            status = await outbox.fail(item, self.id, f"{type(exc).__name__}: {exc}")
            self.failed += 1
            log.warning("outbox item %s (%s) failed: %s; now %s", item.id, item.topic, exc, status)
            return
        if await outbox.complete(item, self.id, status):
            self.sent += 1

    async def run_once(self) -> int:
        """One round: lease, send and record a batch. Returns how many items it handled."""
        items = await outbox.claim(
            self.id, self.settings.outbox_batch_size, self.settings.outbox_lease_seconds
        )
        if items:
            await asyncio.gather(*(self._handle(item) for item in items))
        return len(items)

    async def drain(self, rounds: int = 100) -> None:
        """Handle due items until none are left (tests and the CLI use this)."""
        async with self._http():
            for _ in range(rounds):
                if await self.run_once() == 0:
                    return

    @contextlib.asynccontextmanager
    async def _http(self) -> AsyncIterator[None]:
        if self._client is not None:
            yield
            return
        async with httpx.AsyncClient() as client:
            self._client = client
            try:
                yield
            finally:
                self._client = None

    async def run(self) -> None:
        async with self._http():
            while not self._stopping:
                # cleared before the round, so that a commit during the round wakes the next
                self._wake.clear()
                try:
                    handled = await self.run_once()
                except Exception:
                    log.exception("outbox round failed")
                    handled = 0
                if handled == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.settings.outbox_poll_seconds)

    def start(self) -> None:
        outbox.on_enqueue(self.wake)
        self._task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        self._stopping = True
        outbox.off_enqueue(self.wake)
        self.wake()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, self.settings.smtp_timeout + 5)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None
