"""Reminders: scheduled outbox items, sent once, kept across restarts, cancelled when untrue."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from actions import applications as app_actions
from actions import authority as authority_actions
from actions.projects import ProjectChanges, project_update
from app.worker import OutboxWorker
from models import Application, KeptMail, OutboxItem, Project
from models.outbox import OutboxStatus
from models.settings import Settings
from models.statuses import ApplicationStatus as S
from tests.factories import make_application, make_customer, make_handler, make_project

REMINDERS = ("customer.reminder_recommended", "customer.reminder_latest")


async def _reminders(status: OutboxStatus | None = None) -> list[OutboxItem]:
    query = OutboxItem.filter(topic__startswith="customer.reminder")
    if status is not None:
        query = query.filter(status=status)
    return await query.order_by("id")


async def _version(app_id: int) -> int:
    return (await Application.get(id=app_id)).version


async def test_a_draft_is_reminded_of_before_its_latest_date_and_the_submission_cancels_it(
    db: str, configure: Callable[..., Settings]
) -> None:
    settings = configure(reminder_days_before=7)
    customer = await make_customer(language="sv")
    start = date.today() + timedelta(days=60)
    project = await make_project(customer, starts_on=start)
    app_id = await make_application(customer, project)  # police: apply 5 days before
    (item,) = await _reminders()
    latest = start - timedelta(days=5)
    assert item.topic == "customer.reminder_latest" and item.status == OutboxStatus.PENDING
    assert item.event_id == f"reminder-latest-{app_id}-{latest.isoformat()}"
    assert item.next_attempt_at == datetime.combine(
        latest - timedelta(days=7), datetime.min.time(), UTC
    ) + timedelta(hours=6)
    assert item.payload["language"] == "sv" and "Påminnelse" in item.payload["subject"]
    await OutboxWorker(settings).drain()
    assert await KeptMail.all().count() == 0  # not due yet
    await app_actions.application_submit(customer.viewer, app_id, await _version(app_id))
    (item,) = await _reminders()
    assert item.status == OutboxStatus.CANCELLED


async def test_a_due_reminder_is_sent_once_in_the_customers_language_with_a_link(
    db: str, configure: Callable[..., Settings]
) -> None:
    settings = configure(reminder_days_before=7, customer_ui_url="https://luukku.example/ui")
    customer = await make_customer(language="en")
    project = await make_project(customer, starts_on=date.today() + timedelta(days=40))
    app_id = await make_application(customer, project, "helsinki-noise-notification")
    # noise: latest 30 days before the start (in 10 days), recommended 21 days before
    assert [i.topic for i in await _reminders()] == ["customer.reminder_latest"]
    await make_application(customer, project, "helsinki-rescue-plan")  # another change: a sync
    due_now = [i for i in await _reminders() if i.application_id == app_id]
    assert len(due_now) == 1
    await OutboxItem.filter(id=due_now[0].id).update(next_attempt_at=datetime.now(UTC))
    await OutboxWorker(settings).drain()
    (mail,) = await KeptMail.filter(to=due_now[0].payload["to"], subject__startswith="Reminder")
    assert mail.language == "en" and "latest date to apply" in mail.text
    assert "https://luukku.example/ui/applications/" in mail.text
    await make_application(customer, project, "helsinki-public-area-use")  # and another
    await OutboxWorker(settings).drain()
    assert await KeptMail.filter(subject__startswith="Reminder: the latest").count() == 1


async def test_a_moved_start_reschedules_and_moving_it_back_revives_the_same_reminder(
    db: str, configure: Callable[..., Settings]
) -> None:
    configure(reminder_days_before=7)
    customer = await make_customer()
    start = date.today() + timedelta(days=60)
    project = await make_project(customer, starts_on=start)
    await make_application(customer, project)
    (first,) = await _reminders()
    version = (await Project.get(id=project)).version
    await project_update(
        customer.viewer, project, version, ProjectChanges(starts_on=start + timedelta(days=10))
    )
    items = await _reminders()
    assert [i.status for i in items] == [OutboxStatus.CANCELLED, OutboxStatus.PENDING]
    await project_update(customer.viewer, project, version + 1, ProjectChanges(starts_on=start))
    items = await _reminders()
    assert [(i.id, i.status) for i in items] == [
        (first.id, OutboxStatus.PENDING),
        (items[1].id, OutboxStatus.CANCELLED),
    ]


async def test_reminders_survive_a_restart_and_two_workers_send_one_mail(
    db: str, configure: Callable[..., Settings]
) -> None:
    settings = configure(reminder_days_before=7)
    customer = await make_customer()
    project = await make_project(customer, starts_on=date.today() + timedelta(days=60))
    await make_application(customer, project)
    (item,) = await _reminders()
    # time passes: a new process (nothing in memory) finds the reminder due
    await OutboxItem.filter(id=item.id).update(next_attempt_at=datetime.now(UTC))
    await asyncio.gather(OutboxWorker(settings).drain(), OutboxWorker(settings).drain())
    assert await KeptMail.filter(outbox_item_id=item.id).count() == 1
    assert (await OutboxItem.get(id=item.id)).status == OutboxStatus.KEPT  # no SMTP_HOST


async def test_a_reminder_that_became_untrue_otherwise_is_cancelled_when_due(
    db: str, configure: Callable[..., Settings]
) -> None:
    settings = configure(reminder_days_before=7)
    customer = await make_customer()
    project = await make_project(customer, starts_on=date.today() + timedelta(days=60))
    app_id = await make_application(customer, project)
    (item,) = await _reminders()
    # changed behind the actions' back (say, by hand in SQL): the worker still checks
    await Application.filter(id=app_id).update(status=S.WITHDRAWN)
    await OutboxItem.filter(id=item.id).update(next_attempt_at=datetime.now(UTC))
    await OutboxWorker(settings).drain()
    assert (await OutboxItem.get(id=item.id)).status == OutboxStatus.CANCELLED
    assert await KeptMail.all().count() == 0


async def test_a_supplement_due_soon_is_reminded_of_and_the_answer_cancels_it(
    db: str, configure: Callable[..., Settings]
) -> None:
    settings = configure(supplement_reminder_days=3)
    customer = await make_customer()
    project = await make_project(customer, starts_on=date.today() + timedelta(days=60))
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project, status=S.IN_PROGRESS, handler=police)
    await authority_actions.supplement_request(
        police.viewer, app_id, await _version(app_id), "Lisää kartta.", date.today() + timedelta(10)
    )
    (item,) = [i for i in await _reminders() if i.topic == "customer.reminder_supplement"]
    assert item.status == OutboxStatus.PENDING
    await authority_actions.supplement_submit(
        customer.viewer, app_id, await _version(app_id), None, "Tässä."
    )
    assert (await OutboxItem.get(id=item.id)).status == OutboxStatus.CANCELLED
    # due within the reminder days: sent at once
    await authority_actions.supplement_request(
        police.viewer, app_id, await _version(app_id), "Vielä yksi.", date.today() + timedelta(2)
    )
    await OutboxWorker(settings).drain()
    (mail,) = await KeptMail.filter(subject__startswith="Muistutus: lisätiedot")
    assert "Vastaa viimeistään" in mail.text
    # the draft's reminder was cancelled when it was submitted
    assert all(i.status == "CANCELLED" for i in await _reminders() if i.topic in REMINDERS)
