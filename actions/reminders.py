"""Reminders to the customer: scheduled outbox items, kept true by every change.

The customer is reminded REMINDER_DAYS_BEFORE days before an unsubmitted application's
recommended and latest dates to apply (from the permit plan), and SUPPLEMENT_REMINDER_DAYS
before the due date of a supplement the authority waits for. A reminder is an outbox item
due at 06:00 UTC of its day (`next_attempt_at`): it lives in the database, so a restart
loses nothing, and the worker sends it like any other item.

Exactly once: a reminder's event id names its kind, application and date, and is unique.
Every action that changes what the plan says (`sync`, in the action's transaction) cancels
the pending reminders that are no longer wanted, revives cancelled ones that are wanted
again, and adds the missing ones; a reminder that was delivered is never added again. The
worker checks once more when one is due (`still_true`), and cancels it instead of sending
if the application has been submitted or the supplement answered meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from actions.base import Tx
from actions.outbox import Subject, add_item, customer_mail, now
from actions.plan import project_plan
from models import Application, OutboxItem, PermitType, Project, SupplementRequest
from models.outbox import OutboxKind, OutboxStatus
from models.settings import get_settings
from models.statuses import ApplicationStatus

S = ApplicationStatus
SEND_AT = time(6, 0, tzinfo=UTC)  # 09:00 in Finland in summer, 08:00 in winter

RECOMMENDED = "customer.reminder_recommended"
LATEST = "customer.reminder_latest"
SUPPLEMENT = "customer.reminder_supplement"
TOPICS = (RECOMMENDED, LATEST, SUPPLEMENT)


@dataclass(frozen=True)
class Wanted:
    topic: str
    application_id: int
    day: date  # the date reminded of
    send_at: datetime

    @property
    def event_id(self) -> str:
        kind = self.topic.rsplit("_", 1)[1]
        return f"reminder-{kind}-{self.application_id}-{self.day.isoformat()}"


def _when(day: date, days_before: int, moment: datetime) -> datetime | None:
    """When to remind of `day`: at SEND_AT `days_before` days before it, or now if that has
    passed; None once the day itself has passed (the plan warns then)."""
    if day < moment.date():
        return None
    return max(datetime.combine(day - timedelta(days=days_before), SEND_AT), moment)


async def wanted(
    tx: Tx, project_id: int, moment: datetime
) -> tuple[list[Wanted], list[dict[str, Any]]]:
    """The reminders the project's plan calls for now, and the project's application rows."""
    settings = get_settings()
    plan, apps, open_requests = await project_plan(tx.conn, project_id)
    status = {a["id"]: ApplicationStatus(a["status"]) for a in apps}
    result: list[Wanted] = []
    for entry in plan.entries:
        if status[entry.application_id] is not S.DRAFT:
            continue
        dates = {LATEST: entry.latest_application_date}
        if entry.recommended_application_date != entry.latest_application_date:
            dates[RECOMMENDED] = entry.recommended_application_date  # the same day: one mail
        for topic, day in dates.items():
            at = None if day is None else _when(day, settings.reminder_days_before, moment)
            if day is not None and at is not None:
                result.append(Wanted(topic, entry.application_id, day, at))
    for row in open_requests:  # those of applications waiting for a supplement
        if status[row["application_id"]] is not S.INFORMATION_REQUESTED:
            continue
        at = _when(row["due_date"], settings.supplement_reminder_days, moment)
        if at is not None:
            result.append(Wanted(SUPPLEMENT, row["application_id"], row["due_date"], at))
    return result, apps


async def sync(tx: Tx, project_id: int) -> None:
    """Make the project's scheduled reminders what its plan calls for (in the action's
    transaction; the project row is locked so that two changes of one project take turns)."""
    await Project.filter(id=project_id).select_for_update().using_db(tx.conn).first()
    moment = now()
    reminders, apps = await wanted(tx, project_id, moment)
    want = {w.event_id: w for w in reminders}
    app_ids = [row["id"] for row in apps]
    existing = {
        item.event_id: item
        for item in await OutboxItem.filter(
            application_id__in=app_ids or [0], topic__in=list(TOPICS)
        ).using_db(tx.conn)
    }
    for event_id, scheduled in existing.items():
        if event_id not in want and scheduled.status == OutboxStatus.PENDING:
            await (
                OutboxItem.filter(id=scheduled.id, status=OutboxStatus.PENDING)
                .using_db(tx.conn)
                .update(status=OutboxStatus.CANCELLED, locked_by=None, locked_until=None)
            )
    for event_id, reminder in want.items():
        found = existing.get(event_id)
        if found is not None and found.status != OutboxStatus.CANCELLED:
            continue  # pending already, or sent (never twice)
        payload = await _payload(tx, reminder)
        if payload is None:
            continue
        if found is None:
            await add_item(
                tx,
                OutboxKind.EMAIL,
                reminder.topic,
                payload,
                authority_id=payload.pop("authority_id"),
                application_id=reminder.application_id,
                event_id=event_id,
                at=reminder.send_at,
            )
        else:
            payload.pop("authority_id")
            await (
                OutboxItem.filter(id=found.id)
                .using_db(tx.conn)
                .update(
                    status=OutboxStatus.PENDING,
                    payload=payload,
                    attempts=0,
                    last_error=None,
                    next_attempt_at=reminder.send_at,
                    locked_by=None,
                    locked_until=None,
                )
            )


async def _payload(tx: Tx, reminder: Wanted) -> dict[str, Any] | None:
    app = await Application.filter(id=reminder.application_id).using_db(tx.conn).get()
    project = await Project.filter(id=app.project_id).using_db(tx.conn).get()
    permit_type = (await PermitType.filter(id=app.permit_type_id).using_db(tx.conn).values())[0]
    topic = reminder.topic.removeprefix("customer.")
    mail = await customer_mail(tx, Subject(app, project, permit_type), topic, reminder.day)
    if mail is None:
        return None
    return {
        **mail.__dict__,
        "remindsOf": reminder.day.isoformat(),
        "authority_id": app.authority_id,
    }


async def still_true(item: OutboxItem) -> bool:
    """When a reminder is due: is what it says still so? (Its actions cancel it when it stops
    being so; this guards against anything that changed the data otherwise.)"""
    if item.application_id is None:
        return False
    app = await Application.get_or_none(id=item.application_id)
    if app is None:
        return False
    if item.topic in (RECOMMENDED, LATEST):
        return ApplicationStatus(app.status) is S.DRAFT
    if item.topic == SUPPLEMENT:
        return ApplicationStatus(app.status) is S.INFORMATION_REQUESTED and (
            await SupplementRequest.filter(
                application_id=app.id,
                answered_at=None,
                closed_at=None,
                due_date=date.fromisoformat(str(item.payload.get("remindsOf"))),
            ).exists()
        )
    return True
