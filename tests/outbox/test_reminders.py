"""Reminders: scheduled outbox items, sent once, kept across restarts, cancelled when untrue."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from actions import applications as app_actions
from actions import authority as authority_actions
from actions import reminders
from actions.base import atomic
from actions.projects import ProjectChanges, project_update
from app.worker import OutboxWorker
from models import Application, KeptMail, OutboxItem, Project
from models.outbox import OutboxStatus
from models.settings import Settings
from models.statuses import ApplicationStatus as S
from tests.factories import make_application, make_customer, make_handler, make_project
from tests.sqlcount import count_queries

REMINDERS = ("customer.reminder_recommended", "customer.reminder_latest")
#: permit types of Helsinki that each get a reminder before the project starts in 60 days
KINDS = (
    "helsinki-police-event-notification",
    "helsinki-noise-notification",
    "helsinki-rescue-plan",
    "helsinki-public-area-use",
    "helsinki-police-fireworks-notification",
    "helsinki-temporary-food-premises",
)


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


async def test_keeping_a_projects_reminders_true_reads_no_more_for_more_applications(
    db: str, configure: Callable[..., Settings]
) -> None:
    """Every change of a project runs `sync`: with its reminders in place it reads the
    plan and the scheduled items in the same statements for 2 applications as for 6."""
    configure(reminder_days_before=7)
    customer = await make_customer()
    counts = []
    for size in (2, 6):
        project = await make_project(customer, starts_on=date.today() + timedelta(days=60))
        for code in KINDS[:size]:
            await make_application(customer, project, code)
        ids = set(await Application.filter(project_id=project).values_list("id", flat=True))
        scheduled = [i for i in await _reminders() if i.application_id in ids]
        async with atomic() as tx:
            with count_queries() as counter:
                await reminders.sync(tx, project)
        counts.append(counter.statements)
        assert len({i.application_id for i in scheduled}) == size  # each draft has its own
        after = [i for i in await _reminders() if i.application_id in ids]
        assert [(i.id, i.status) for i in after] == [(i.id, i.status) for i in scheduled]
    assert len(counts[0]) == len(counts[1]), counts
    # the project locked, the plan's 7 reads (the project, its applications, their permit
    # types and kinds, processing cases, decisions, open supplement requests), the items
    assert len(counts[0]) == 9, counts[0]
