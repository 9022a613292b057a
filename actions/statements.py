"""Statement requests between authorities: request, answer, decline, share.

The handling authority of a submitted application asks another authority for a statement
by a due date. The asked authority reads the application's content while the request is
open (`permissions.policies.can_read_content_for_statement`), then answers with a text or
declines. Both authorities are told by e-mail (the asked one at its registry address, the
handling one like of any other work on the application) and live (`inboxActivity`, and
`projectActivity` for everyone who sees the application). The customer sees that a
statement was asked and when it came; its texts once the handling authority shares them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from actions.access import Locked, access_application, forbid_unless, not_found
from actions.applications import now, subject
from actions.audit import audit
from actions.authority import require_handling
from actions.base import Tx, atomic
from actions.outbox import notify_asked_authority, notify_authority
from models import Organisation, StatementRequest
from models.authority_work import AuditAction
from models.enums import OrganisationKind
from models.errors import DomainError, ErrorCode, raise_all
from models.ids import global_id
from models.statements import StatementStatus
from models.statuses import FINAL, ApplicationStatus
from models.validation import TEXT_MAX, text
from notifications.events import EventKind, LiveEvent
from permissions import policies
from permissions.facts import StatementFacts, Viewer


@dataclass
class LockedStatement:
    statement: StatementRequest
    locked: Locked
    facts: StatementFacts


def _facts(statement: StatementRequest) -> StatementFacts:
    return StatementFacts(
        id=statement.id,
        application_id=statement.application_id,
        requesting_authority_id=statement.requesting_authority_id,
        asked_authority_id=statement.asked_authority_id,
        is_open=statement.status == StatementStatus.OPEN,
        is_shared_with_customer=statement.is_shared_with_customer,
    )


async def _application_of(tx: Tx, viewer: Viewer, application_id: int) -> Locked | None:
    try:
        return await access_application(tx, viewer, application_id)
    except DomainError:
        return None


async def access_statement(tx: Tx, viewer: Viewer, statement_id: int) -> LockedStatement:
    """Lock the request and its application; NOT_FOUND unless the viewer may see it."""
    statement = (
        await StatementRequest.filter(id=statement_id).select_for_update().using_db(tx.conn).first()
    )
    # a missing request still reads the facts of "application 0": the same statements run
    locked = await _application_of(tx, viewer, statement.application_id if statement else 0)
    if statement is None or locked is None:
        raise not_found(["id"])
    facts = _facts(statement)
    if not policies.can_see_statement(viewer, facts, locked.app_facts, locked.project_facts):
        raise not_found(["id"])
    return LockedStatement(statement, locked, facts)


def _event(kind: EventKind, locked: Locked, statement: StatementRequest) -> LiveEvent:
    app = locked.application
    return LiveEvent(
        kind=kind,
        project_id=app.project_id,
        application_id=app.id,
        authority_id=app.authority_id,
        to_status=ApplicationStatus(app.status).value,
        statement_id=statement.id,
        asked_authority_id=statement.asked_authority_id,
    )


async def statement_request(
    viewer: Viewer, application_id: int, asked_authority_id: int, question: str, due_date: date
) -> int:
    """The handling authority asks another authority for a statement by `due_date`."""
    async with atomic() as tx:
        locked = await access_application(tx, viewer, application_id)
        require_handling(viewer, locked)
        status = ApplicationStatus(locked.application.status)
        if status in FINAL:
            raise DomainError(ErrorCode.ALREADY_FINAL, field=["id"], status=status.value)
        errors: list[DomainError] = []
        clean = text(question, ["question"], max_length=TEXT_MAX, required=True, errors=errors)
        if due_date < datetime.now(UTC).date():
            errors.append(
                DomainError(ErrorCode.INVALID_VALUE, field=["dueDate"], detail="in the past")
            )
        asked = (
            await Organisation.filter(id=asked_authority_id, kind=OrganisationKind.AUTHORITY)
            .using_db(tx.conn)
            .first()
        )
        if asked is None or asked.id == locked.application.authority_id:
            errors.append(
                DomainError(
                    ErrorCode.INVALID_VALUE, field=["askedAuthorityId"], detail="another authority"
                )
            )
        elif (
            await StatementRequest.filter(
                application_id=application_id,
                asked_authority_id=asked.id,
                status=StatementStatus.OPEN,
            )
            .using_db(tx.conn)
            .exists()
        ):
            errors.append(
                DomainError(
                    ErrorCode.DUPLICATE,
                    field=["askedAuthorityId"],
                    value=asked.name,
                )
            )
        raise_all(errors)
        assert clean is not None and asked is not None
        statement = await StatementRequest.create(
            application_id=application_id,
            requesting_authority_id=locked.application.authority_id,
            asked_authority_id=asked.id,
            question=clean,
            due_date=due_date,
            requested_by_id=viewer.person_id,
            requested_by_label=viewer.name[:200],
            using_db=tx.conn,
        )
        tx.publish(_event(EventKind.STATEMENT_REQUESTED, locked, statement))
        await notify_asked_authority(tx, subject(locked), asked, "statement_requested", due_date)
        await audit(
            tx,
            viewer,
            AuditAction.STATEMENT,
            "StatementRequest",
            statement.id,
            locked.application.authority_id,
            {"requested": asked.code, "dueDate": due_date.isoformat()},
        )
    return statement.id


async def _close(
    viewer: Viewer,
    statement_id: int,
    status: StatementStatus,
    answer: str | None,
    reason: str | None,
) -> int:
    errors: list[DomainError] = []
    answered = status is StatementStatus.ANSWERED
    clean_answer = (
        text(answer, ["answer"], max_length=TEXT_MAX, required=True, errors=errors)
        if answered
        else None
    )
    clean_reason = text(reason, ["reason"], max_length=TEXT_MAX, errors=errors)
    async with atomic() as tx:
        held = await access_statement(tx, viewer, statement_id)
        statement = held.statement
        forbid_unless(policies.is_asked_authority(viewer, held.facts), ["id"])
        if not policies.can_answer_statement(viewer, held.facts):
            raise DomainError(ErrorCode.STATEMENT_CLOSED, field=["id"])
        raise_all(errors)
        statement.status = status
        statement.answer = clean_answer  # type: ignore[assignment]  # a nullable TextField
        statement.decline_reason = clean_reason or None  # type: ignore[assignment]
        statement.answered_at = now()
        statement.answered_by_id = viewer.person_id
        statement.answered_by_label = viewer.name[:200]
        await statement.save(using_db=tx.conn)
        tx.publish(
            _event(
                EventKind.STATEMENT_ANSWERED if answered else EventKind.STATEMENT_DECLINED,
                held.locked,
                statement,
            )
        )
        await notify_authority(
            tx,
            subject(held.locked),
            "statement_answered" if answered else "statement_declined",
            {
                "statementRequest": global_id("StatementRequest", statement.id),
                "status": status.value,
            },
        )
        await audit(
            tx,
            viewer,
            AuditAction.STATEMENT,
            "StatementRequest",
            statement.id,
            statement.asked_authority_id,
            {"status": status.value},
        )
    return statement_id


async def statement_answer(viewer: Viewer, statement_id: int, answer: str) -> int:
    """The asked authority gives its statement (a text; attachments once those exist)."""
    return await _close(viewer, statement_id, StatementStatus.ANSWERED, answer, None)


async def statement_decline(viewer: Viewer, statement_id: int, reason: str | None) -> int:
    """The asked authority declines to give a statement, optionally saying why."""
    return await _close(viewer, statement_id, StatementStatus.DECLINED, None, reason)


async def statement_share(viewer: Viewer, statement_id: int, shared: bool) -> int:
    """The handling authority shows the request's texts to the customer (and co-authorities),
    or hides them again."""
    async with atomic() as tx:
        held = await access_statement(tx, viewer, statement_id)
        forbid_unless(policies.can_share_statement(viewer, held.facts), ["id"])
        statement = held.statement
        if statement.is_shared_with_customer != shared:
            statement.is_shared_with_customer = shared
            await statement.save(using_db=tx.conn)
            tx.publish(_event(EventKind.STATEMENT_SHARED, held.locked, statement))
            await audit(
                tx,
                viewer,
                AuditAction.STATEMENT,
                "StatementRequest",
                statement.id,
                statement.requesting_authority_id,
                {"shared": shared},
            )
    return statement_id
