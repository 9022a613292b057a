"""The transactional outbox: notices and deliveries are rows written in the action's own
transaction; a worker (app/worker.py) sends them, retrying with exponential backoff and
jitter, until each is delivered or, after the retry schedule, dead.

Claiming is one conditional UPDATE per batch (`... FOR UPDATE SKIP LOCKED` on PostgreSQL):
an item is leased to one worker at a time, so several workers never send the same item
together. A worker killed mid-send leaves its lease to expire; the item is then sent again
(at least once). Receivers deduplicate by the stable event id (`webhook-id`; the mail's
Message-ID is stable too).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise import connections

from actions.base import Tx
from actions.sql import param
from models import Application, Municipality, Organisation, OutboxItem, PermitType, Person, Project
from models.enums import Channel
from models.ids import global_id
from models.outbox import OutboxKind, OutboxStatus
from models.settings import get_settings
from models.signin import has_real_email
from notifications.mail import Mail, render
from notifications.webhooks import cloud_event
from permissions import filters, policies
from permissions.facts import ProjectFacts, ThreadFacts, Viewer

#: Wakes the in-process worker after a commit that wrote outbox items.
_wakers: list[Callable[[], None]] = []


def on_enqueue(waker: Callable[[], None]) -> None:
    _wakers.append(waker)


def off_enqueue(waker: Callable[[], None]) -> None:
    if waker in _wakers:
        _wakers.remove(waker)


def _wake() -> None:
    for waker in _wakers:
        waker()


def now() -> datetime:
    return datetime.now(UTC)


async def add_item(
    tx: Tx,
    kind: OutboxKind,
    topic: str,
    payload: dict[str, Any],
    *,
    authority_id: int | None,
    application_id: int | None,
    event_id: str | None = None,
    at: datetime | None = None,
) -> OutboxItem:
    """A new item, due now or (a scheduled reminder) at `at`."""
    item = await OutboxItem.create(
        kind=kind,
        event_id=event_id or uuid.uuid4().hex,
        topic=topic,
        authority_id=authority_id,
        application_id=application_id,
        payload=payload,
        next_attempt_at=at or now(),
        using_db=tx.conn,
    )
    if at is None or at <= now():
        tx.after_commit(_async_wake)
    return item


async def _async_wake() -> None:
    _wake()


# --- what is sent to whom ---------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What a notice is about: an application (rows as the action locked them)."""

    application: Any  # models.Application
    project: Project
    permit_type: dict[str, Any]


def _text(value: dict[str, str] | None, language: str) -> str:
    if not value:
        return ""
    return value.get(language) or value.get("fi") or next(iter(value.values()), "")


def customer_link(path: str, project: Project) -> str:
    """A link into the customer's side of the web client. An organisation's project names the
    organisation (`?actingFor=`): a representative signed in with a session acts for one
    organisation at a time, and the client switches to it before opening the page."""
    link = get_settings().customer_ui_url + path
    if project.owner_organisation_id is not None:
        link += f"?actingFor={global_id('Organisation', project.owner_organisation_id)}"
    return link


async def _params(tx: Tx, subject: Subject, language: str, link_base: str | None) -> dict[str, str]:
    """A notice's texts; its link goes to the authority's side at `link_base`, or to the
    customer's side when `link_base` is None."""
    authority = await Organisation.get(id=subject.application.authority_id, using_db=tx.conn)
    municipality = await Municipality.get(code=subject.project.municipality_id, using_db=tx.conn)
    path = f"/applications/{global_id('Application', subject.application.id)}"
    return {
        "permit": _text(subject.permit_type["name"], language),
        "project": subject.project.name,
        "authority": _text(authority.name, language),
        "municipality": _text(municipality.name, language),
        "link": f"{link_base}{path}" if link_base else customer_link(path, subject.project),
    }


async def _authority_recipient(tx: Tx, subject: Subject) -> tuple[str, str]:
    """The handler's redirect address once taken, else the permit's notification address."""
    app = subject.application
    if app.notice_email and app.assigned_to_id is not None:
        handler = await Person.get_or_none(id=app.assigned_to_id, using_db=tx.conn)
        return app.notice_email, handler.language if handler else "fi"
    return subject.permit_type["notification_email"], "fi"


async def notify_authority(
    tx: Tx, subject: Subject, topic: str, data: dict[str, Any] | None = None
) -> None:
    """Tell the addressed authority: an e-mail for light-channel permits, a signed delivery
    to the authority's system for API-channel ones (submitted, supplemented, withdrawn).
    Messages are e-mailed on both channels."""
    app = subject.application
    if subject.permit_type["channel"] == Channel.API and topic != "message":
        await add_item(
            tx,
            OutboxKind.DELIVERY,
            f"application.{topic}",
            {
                "data": data or {},
                "subject": global_id("Application", app.id),
                # the API's address as the process that made the change knows it: a separate
                # `luukku worker` need not be configured with it
                "source": f"{get_settings().public_base_url}/graphql",
            },
            authority_id=app.authority_id,
            application_id=app.id,
        )
        return
    to, language = await _authority_recipient(tx, subject)
    params = await _params(tx, subject, language, get_settings().authority_ui_url)
    mail = render(f"authority.{topic}", language, to, **params)
    await add_item(
        tx,
        OutboxKind.EMAIL,
        f"authority.{topic}",
        mail.__dict__,
        authority_id=app.authority_id,
        application_id=app.id,
    )


async def notify_asked_authority(
    tx: Tx, subject: Subject, asked: Organisation, topic: str, due: date
) -> None:
    """Tell an authority asked for a statement, at its registry address, in Finnish."""
    if not asked.notification_email:
        return
    params = await _params(tx, subject, "fi", get_settings().authority_ui_url)
    params["due"] = due.strftime("%d.%m.%Y")
    mail = render(f"authority.{topic}", "fi", asked.notification_email, **params)
    await add_item(
        tx,
        OutboxKind.EMAIL,
        f"authority.{topic}",
        mail.__dict__,
        authority_id=asked.id,
        application_id=subject.application.id,
    )


async def customer_mail(
    tx: Tx, subject: Subject, topic: str, due: date | None = None
) -> Mail | None:
    """The mail of a topic to the customer (policies.customer_recipient), in their language,
    linking to the application; None if nobody to tell."""
    app = subject.application
    person_id = policies.customer_recipient(
        app.submitted_by_id, subject.project.owner_person_id, app.created_by_id
    )
    person = await Person.get_or_none(id=person_id, using_db=tx.conn)
    if person is None or not person.is_active or not has_real_email(person.email):
        return None  # a person whose issuer sent no e-mail address gets no mail until they add one
    params = await _params(tx, subject, person.language, None)
    params["due"] = due.strftime("%d.%m.%Y") if due else ""
    return render(f"customer.{topic}", person.language, person.email, **params)


async def notify_customer(tx: Tx, subject: Subject, topic: str, due: date | None = None) -> None:
    """Tell the customer, in their language; no outcome in the text."""
    app = subject.application
    mail = await customer_mail(tx, subject, topic, due)
    if mail is None:
        return
    await add_item(
        tx,
        OutboxKind.EMAIL,
        f"customer.{topic}",
        mail.__dict__,
        authority_id=app.authority_id,
        application_id=app.id,
    )


async def notify_customer_of_message(
    tx: Tx,
    author: Viewer,
    thread: ThreadFacts,
    project: ProjectFacts,
    authority_id: int | None,
) -> None:
    """An authority's message: tell the customer (policies.customer_recipient), in their
    language, with a link and without the message's text; if the policy says they may be told."""
    from actions.identity import viewer_for_person

    row = await Project.filter(id=project.id).using_db(tx.conn).get()
    application = None
    if thread.application is not None:
        application = await Application.filter(id=thread.application.id).using_db(tx.conn).get()
        person_id = policies.customer_recipient(
            application.submitted_by_id, row.owner_person_id, application.created_by_id
        )
    else:
        person_id = policies.customer_recipient(None, row.owner_person_id, row.created_by_id)
    person = await Person.filter(id=person_id).using_db(tx.conn).first()
    if person is None or not person.is_active:
        return
    viewer = await viewer_for_person(person, tx.conn)
    if not policies.may_be_told_of_message(viewer, author, thread, project):
        return
    authority = (
        await Organisation.filter(id=authority_id).using_db(tx.conn).first()
        if authority_id
        else None
    )
    language = person.language
    params = {
        "project": row.name,
        "authority": _text(authority.name, language) if authority else author.name,
    }
    if application is not None:
        permit_type = await PermitType.filter(id=application.permit_type_id).using_db(tx.conn).get()
        params["permit"] = _text(permit_type.name, language)
        params["link"] = customer_link(
            f"/applications/{global_id('Application', application.id)}", row
        )
        topic = "customer.message"
    else:
        params["link"] = customer_link(f"/projects/{global_id('Project', row.id)}", row)
        topic = "customer.project_message"
    mail = render(topic, language, person.email, **params)
    await add_item(
        tx,
        OutboxKind.EMAIL,
        topic,
        mail.__dict__,
        authority_id=authority_id,
        application_id=application.id if application else None,
    )


async def enqueue_scan(tx: Tx, attachment_id: int) -> None:
    """A job for the worker: pass the attachment through the virus scanner (retried with
    the outbox's backoff while the scanner cannot answer). Operators see these items."""
    await add_item(
        tx,
        OutboxKind.SCAN,
        "attachment.scan",
        {"attachment": attachment_id},
        authority_id=None,
        application_id=None,
    )


async def notify_uploader(tx: Tx, person: Person, attachment: Any) -> None:
    """Tell the person who uploaded a file that it was found infected (never the file)."""
    project = await Project.get(id=attachment.project_id, using_db=tx.conn)
    link = customer_link(
        f"/applications/{global_id('Application', attachment.application_id)}"
        if attachment.application_id is not None
        else f"/projects/{global_id('Project', project.id)}",
        project,
    )
    mail = render(
        "customer.attachment_infected",
        person.language,
        person.email,
        file=attachment.name,
        project=project.name,
        link=link,
    )
    await add_item(
        tx,
        OutboxKind.EMAIL,
        "customer.attachment_infected",
        mail.__dict__,
        authority_id=None,
        application_id=attachment.application_id,
    )


def delivery_event(item: OutboxItem) -> dict[str, Any]:
    """The CloudEvent of a delivery item (built when sending; its id is the item's event id,
    its source the API address recorded with the item)."""
    source = item.payload.get("source") or f"{get_settings().public_base_url}/graphql"
    return cloud_event(
        item.event_id,
        item.topic,
        item.payload["subject"],
        item.payload["data"],
        source,
        item.created_at.isoformat(),
    )


# --- the worker's side ------------------------------------------------------------------------


async def claim(worker_id: str, batch: int, lease_seconds: float) -> list[OutboxItem]:
    """Lease up to `batch` due items to this worker, atomically."""
    conn = connections.get("default")
    moment = now()
    lease = moment + timedelta(seconds=lease_seconds)
    dialect = conn.capabilities.dialect
    skip_locked = " FOR UPDATE SKIP LOCKED" if dialect == "postgres" else ""
    p = param(conn)
    # A statement starting with WITH: Tortoise's asyncpg client returns rows only for those.
    sql = (
        f"WITH due AS (SELECT id FROM outbox_item WHERE status = 'PENDING' "
        f"AND next_attempt_at <= {p(1)} AND (locked_until IS NULL OR locked_until < {p(2)}) "
        f"ORDER BY next_attempt_at, id LIMIT {int(batch)}{skip_locked}) "
        f"UPDATE outbox_item SET locked_by = {p(3)}, locked_until = {p(4)} "
        f"WHERE id IN (SELECT id FROM due) "
        f"AND (locked_until IS NULL OR locked_until < {p(5)}) RETURNING id"
    )
    values: list[Any] = [moment, moment, worker_id, lease, moment]  # in the order they appear
    if dialect == "sqlite":
        # as Tortoise stores them in SQLite (str(datetime)), so that text comparison is correct
        values = [str(v) if isinstance(v, datetime) else v for v in values]
    _, rows = await conn.execute_query(sql, values)
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    return await OutboxItem.filter(id__in=ids, locked_by=worker_id).order_by(
        "next_attempt_at", "id"
    )


async def complete(
    item: OutboxItem, worker_id: str, status: OutboxStatus = OutboxStatus.DELIVERED
) -> bool:
    """Record a successful attempt: sent (DELIVERED), or kept instead of sent (KEPT)."""
    updated = await OutboxItem.filter(
        id=item.id, locked_by=worker_id, status=OutboxStatus.PENDING
    ).update(
        status=status,
        delivered_at=now(),
        attempts=item.attempts + 1,
        locked_by=None,
        locked_until=None,
        last_error=None,
    )
    return updated == 1


def backoff(attempts: int, base: float = 5.0, cap: float = 3600.0) -> float:
    """Exponential backoff with full jitter: uniform in [base/2, min(cap, base * 2**attempts)]."""
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return random.uniform(min(base / 2, ceiling), ceiling)


async def cancel(item: OutboxItem, worker_id: str) -> bool:
    """A scheduled reminder that is no longer true when due: never sent."""
    updated = await OutboxItem.filter(
        id=item.id, locked_by=worker_id, status=OutboxStatus.PENDING
    ).update(status=OutboxStatus.CANCELLED, locked_by=None, locked_until=None)
    return updated == 1


async def fail(item: OutboxItem, worker_id: str, error: str) -> OutboxStatus:
    """Record a failed attempt: retry later, or dead after the last attempt."""
    attempts = item.attempts + 1
    dead = attempts >= get_settings().outbox_max_attempts
    status = OutboxStatus.DEAD if dead else OutboxStatus.PENDING
    await OutboxItem.filter(id=item.id, locked_by=worker_id).update(
        status=status,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=now()
        + timedelta(seconds=backoff(attempts, get_settings().outbox_backoff_seconds)),
        locked_by=None,
        locked_until=None,
    )
    return status


async def retry(item_ids: list[int] | None, authority_ids: frozenset[int] | None = None) -> int:
    """Put dead items back in the queue (all dead ones when `item_ids` is None), optionally
    only those of the given authorities. Returns how many."""
    query = OutboxItem.filter(status=OutboxStatus.DEAD)
    if item_ids is not None:
        query = query.filter(id__in=item_ids)
    if authority_ids is not None:
        query = query.filter(filters.outbox_items(authority_ids))
    count = await query.update(
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now(),
        locked_by=None,
        locked_until=None,
    )
    if count:
        _wake()
    return count


async def configure_authority_system(
    authority_code: str, endpoint: str | None, *, rotate_secret: bool
) -> tuple[Organisation, str | None]:
    """Set an authority system's delivery endpoint; rotating adds a new signing secret and
    keeps the previous one (deliveries are signed with both until the next rotation).
    Returns the authority and the new secret (shown once)."""
    from actions.base import atomic
    from models.errors import DomainError, ErrorCode
    from notifications.webhooks import new_secret

    async with atomic() as tx:
        authority = await Organisation.filter(code=authority_code).using_db(tx.conn).first()
        if authority is None or authority.kind != "AUTHORITY":
            raise DomainError(ErrorCode.NOT_FOUND, field=["authority"])
        if endpoint is not None:
            if not endpoint.startswith(("http://", "https://")):
                raise DomainError(
                    ErrorCode.INVALID_VALUE, field=["endpoint"], detail="an http(s) URL"
                )
            authority.system_endpoint = endpoint
        secret = None
        if rotate_secret or not authority.system_secrets:
            secret = new_secret()
            authority.system_secrets = [secret, *(authority.system_secrets or [])][:2]
        await authority.save(using_db=tx.conn)
    return authority, secret
