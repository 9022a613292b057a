"""Authority actions: take, assign, change status, ask for supplements, decide, export, redirect."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from actions import reminders
from actions.access import Locked, access_application, access_thread, forbid_unless
from actions.applications import (
    acting_for as acting_org,
)
from actions.applications import (
    change_status,
    live_event,
    now,
    require_customer,
    save,
    subject,
)
from actions.attachments import (
    FileSpec,
    Owner,
    UploadRules,
    add_rows,
    default_types,
    rules_for_application,
    stored_files,
)
from actions.audit import audit
from actions.base import Tx, atomic
from actions.export import export_document
from actions.facts import application_facts
from actions.outbox import (
    Subject,
    notify_authority,
    notify_customer,
    notify_customer_of_message,
)
from models import (
    Application,
    Decision,
    Membership,
    Message,
    PermitType,
    Person,
    Project,
    SupplementRequest,
)
from models.attachments import AttachmentOwner
from models.authority_work import AuditAction
from models.enums import Role
from models.errors import DomainError, ErrorCode, raise_all
from models.forms import validate
from models.statuses import DECISION_OUTCOMES, ApplicationStatus, Side, Via
from models.validation import COMMENT_MAX, MESSAGE_MAX, TEXT_MAX, email, expect_version, text
from notifications.events import EventKind, LiveEvent
from permissions import policies
from permissions.facts import ProjectFacts, ThreadFacts, Viewer

S = ApplicationStatus


def require_addressed(viewer: Viewer, locked: Locked) -> None:
    """The viewer acts for the authority the application is addressed to."""
    if not policies.is_addressed_authority(viewer, locked.app_facts):
        raise DomainError(ErrorCode.WRONG_AUTHORITY, field=["id"])


def require_handling(viewer: Viewer, locked: Locked) -> None:
    """policies.can_handle_application, with the reason when it says no."""
    require_addressed(viewer, locked)
    if not policies.can_handle_application(viewer, locked.app_facts, locked.project_facts):
        raise DomainError(ErrorCode.NOT_SUBMITTED, field=["id"])


async def _lock_for_authority(
    tx: Tx, viewer: Viewer, application_id: int, expected_version: int | None
) -> Locked:
    """Checks in this order: visible (NOT_FOUND), addressed (WRONG_AUTHORITY), submitted
    (NOT_SUBMITTED), then the version (STALE_VERSION)."""
    locked = await access_application(tx, viewer, application_id)
    require_handling(viewer, locked)
    if expected_version is not None:
        expect_version(locked.application.version, expected_version)
    return locked


async def _handler_name(person_id: int) -> str:
    person = await Person.get_or_none(id=person_id)
    return person.name if person else "?"


async def application_assign(
    viewer: Viewer, application_id: int, expected_version: int, handler_id: int | None
) -> int:
    """Take the application for yourself (handler_id None or yourself), or, as an admin of
    the authority, assign it to another of its handlers."""
    async with atomic() as tx:
        locked = await access_application(tx, viewer, application_id)
        require_addressed(viewer, locked)
        app = locked.application
        target = handler_id if handler_id is not None else viewer.person_id
        if target is None:
            raise DomainError(ErrorCode.FORBIDDEN, field=["handlerId"])
        if target == viewer.person_id:
            allowed = policies.can_take_application(viewer, locked.app_facts, locked.project_facts)
        else:
            allowed = policies.can_assign_to_others(viewer, locked.app_facts)
        if not allowed:
            require_handling(viewer, locked)  # a draft: say so
            raise DomainError(ErrorCode.FORBIDDEN, field=["handlerId"])
        expect_version(app.version, expected_version)
        is_handler = (
            await Membership.filter(
                person_id=target,
                organisation_id=app.authority_id,
                role__in=[Role.AUTHORITY_HANDLER, Role.AUTHORITY_ADMIN],
            )
            .using_db(tx.conn)
            .exists()
        )
        if not is_handler:
            raise DomainError(ErrorCode.NOT_A_HANDLER, field=["handlerId"])
        taken_by = app.assigned_to_id
        if (
            taken_by is not None
            and taken_by != target
            and not policies.can_assign_to_others(viewer, locked.app_facts)
        ):
            raise DomainError(
                ErrorCode.ALREADY_ASSIGNED, field=["id"], handler=await _handler_name(taken_by)
            )
        if taken_by != target:
            app.assigned_to_id = target
            app.assigned_at = now()
            app.notice_email = None  # the new handler chooses their own address
            await save(tx, locked)
            await audit(
                tx,
                viewer,
                AuditAction.ASSIGNMENT,
                "Application",
                app.id,
                app.authority_id,
                {"from": taken_by, "to": target},
            )
    return application_id


async def application_status_update(
    viewer: Viewer,
    application_id: int,
    expected_version: int,
    status: ApplicationStatus,
    comment: str | None,
) -> int:
    """Move the application through the status model (final statuses go through decisionRecord)."""
    async with atomic() as tx:
        locked = await _lock_for_authority(tx, viewer, application_id, expected_version)
        errors: list[DomainError] = []
        clean = text(comment, ["comment"], max_length=COMMENT_MAX, errors=errors) or ""
        raise_all(errors)
        source = S(locked.application.status)
        await change_status(
            tx, viewer, locked, status, side=Side.AUTHORITY, via=Via.STATUS_UPDATE, comment=clean
        )
        if source is S.INFORMATION_REQUESTED:
            await (
                SupplementRequest.filter(
                    application_id=application_id, answered_at=None, closed_at=None
                )
                .using_db(tx.conn)
                .update(closed_at=now())
            )
        await save(tx, locked)
        tx.publish(live_event(locked, EventKind.STATUS_CHANGED, source))
        if source is S.INFORMATION_REQUESTED:
            await reminders.sync(tx, locked.project.id)
        await audit(
            tx,
            viewer,
            AuditAction.STATUS_CHANGE,
            "Application",
            application_id,
            locked.application.authority_id,
            {"from": source.value, "to": status.value},
        )
    return application_id


async def supplement_request(
    viewer: Viewer, application_id: int, expected_version: int, message: str, due_date: date
) -> int:
    """Ask the customer for more information by a due date: INFORMATION_REQUESTED."""
    async with atomic() as tx:
        locked = await _lock_for_authority(tx, viewer, application_id, expected_version)
        errors: list[DomainError] = []
        clean = text(message, ["message"], max_length=TEXT_MAX, required=True, errors=errors)
        if due_date < datetime.now(UTC).date():
            errors.append(
                DomainError(ErrorCode.INVALID_VALUE, field=["dueDate"], detail="in the past")
            )
        raise_all(errors)
        assert clean is not None
        await change_status(
            tx,
            viewer,
            locked,
            S.INFORMATION_REQUESTED,
            side=Side.AUTHORITY,
            via=Via.SUPPLEMENT_REQUEST,
            comment=clean,
        )
        request = await SupplementRequest.create(
            application_id=application_id,
            message=clean,
            due_date=due_date,
            requested_by_id=viewer.person_id,
            requested_by_label=viewer.name[:200],
            using_db=tx.conn,
        )
        await save(tx, locked)
        tx.publish(live_event(locked, EventKind.SUPPLEMENT_REQUESTED, S.IN_PROGRESS))
        await notify_customer(tx, subject(locked), "information_requested", due=due_date)
        await reminders.sync(tx, locked.project.id)
        await audit(
            tx,
            viewer,
            AuditAction.STATUS_CHANGE,
            "Application",
            application_id,
            locked.application.authority_id,
            {
                "from": S.IN_PROGRESS.value,
                "to": S.INFORMATION_REQUESTED.value,
                "supplementRequest": request.id,
            },
        )
    return application_id


async def supplement_submit(
    viewer: Viewer,
    application_id: int,
    expected_version: int,
    content: Any | None,
    message: str | None,
    files: Sequence[FileSpec] = (),
) -> int:
    """The customer answers the open request with updated content, a message and/or files."""
    upload_rules = None
    if files:
        async with atomic() as tx:  # checked before a byte is stored
            locked = await access_application(tx, viewer, application_id)
            require_customer(viewer, locked)
            expect_version(locked.application.version, expected_version)
            upload_rules = await rules_for_application(
                tx, locked.permit_type, application_id, kinds_allowed=True
            )
    async with stored_files(files, upload_rules) as stored, atomic() as tx:
        locked = await access_application(tx, viewer, application_id)
        require_customer(viewer, locked)
        expect_version(locked.application.version, expected_version)
        errors: list[DomainError] = []
        clean = text(message, ["message"], max_length=TEXT_MAX, errors=errors)
        if content is not None and not isinstance(content, dict):
            errors.append(
                DomainError(ErrorCode.INVALID_VALUE, field=["content"], detail="a JSON object")
            )
        elif content is not None:
            errors += validate(locked.permit_type["form_schema"], content, draft=False)
        if content is None and not clean and not files:
            errors.append(DomainError(ErrorCode.REQUIRED, field=["message"]))
        raise_all(errors)
        request = (
            await SupplementRequest.filter(
                application_id=application_id, answered_at=None, closed_at=None
            )
            .using_db(tx.conn)
            .order_by("-id")
            .first()
        )
        await change_status(
            tx,
            viewer,
            locked,
            S.IN_PROGRESS,
            side=Side.CUSTOMER,
            via=Via.SUPPLEMENT_SUBMIT,
            comment=clean or "",
        )
        if content is not None:
            locked.application.content = content
        if request is not None:
            request.answered_at = now()
            request.answered_by_id = viewer.person_id
            request.answer_message = clean
            request.answer_content = content
            await request.save(using_db=tx.conn)
        if stored:
            if request is None:
                raise DomainError(ErrorCode.NOT_FOUND, field=["attachments"])
            owner = Owner(
                AttachmentOwner.SUPPLEMENT,
                request.id,
                locked.project.id,
                application_id,
                locked.application.authority_id,
            )
            again = await rules_for_application(
                tx, locked.permit_type, application_id, kinds_allowed=True
            )
            await add_rows(
                tx, viewer, owner, stored, acting_org(viewer, locked, Side.CUSTOMER), again
            )
        await save(tx, locked)
        tx.publish(live_event(locked, EventKind.SUPPLEMENT_SUBMITTED, S.INFORMATION_REQUESTED))
        await reminders.sync(tx, locked.project.id)
        await notify_authority(
            tx, subject(locked), "supplemented", await export_document(tx, locked)
        )
    return application_id


async def decision_record(
    viewer: Viewer,
    application_id: int,
    expected_version: int,
    outcome: ApplicationStatus,
    decided_on: date,
    summary: str,
    document_reference: str | None,
    share_with_authorities: bool,
    files: Sequence[FileSpec] = (),
) -> int:
    """Record the outcome (a final status) with its date, summary and files; processing ends."""
    upload_rules = None
    if files:
        async with atomic() as tx:  # checked before a byte is stored
            locked = await _lock_for_authority(tx, viewer, application_id, expected_version)
            upload_rules = await rules_for_application(
                tx, locked.permit_type, application_id, kinds_allowed=False
            )
    async with stored_files(files, upload_rules) as stored, atomic() as tx:
        locked = await _lock_for_authority(tx, viewer, application_id, expected_version)
        errors: list[DomainError] = []
        clean = text(summary, ["summary"], max_length=TEXT_MAX, required=True, errors=errors)
        reference = text(document_reference, ["documentReference"], max_length=500, errors=errors)
        if outcome not in DECISION_OUTCOMES:
            errors.append(
                DomainError(ErrorCode.INVALID_VALUE, field=["outcome"], detail="a final status")
            )
        if decided_on > datetime.now(UTC).date():
            errors.append(
                DomainError(ErrorCode.INVALID_VALUE, field=["decidedOn"], detail="in the future")
            )
        raise_all(errors)
        assert clean is not None
        source = S(locked.application.status)
        await change_status(
            tx, viewer, locked, outcome, side=Side.AUTHORITY, via=Via.DECISION, comment=clean
        )
        decision = await Decision.create(
            application_id=application_id,
            outcome=outcome,
            decided_on=decided_on,
            summary=clean,
            document_reference=reference or None,
            is_shared=share_with_authorities,
            recorded_by_id=viewer.person_id,
            recorded_by_label=viewer.name[:200],
            using_db=tx.conn,
        )
        owner = Owner(
            AttachmentOwner.DECISION,
            decision.id,
            locked.project.id,
            application_id,
            locked.application.authority_id,
        )
        again = None
        if stored:
            again = await rules_for_application(
                tx, locked.permit_type, application_id, kinds_allowed=False
            )
        await add_rows(tx, viewer, owner, stored, locked.application.authority_id, again)
        await save(tx, locked)
        tx.publish(live_event(locked, EventKind.DECISION_RECORDED, source))
        await notify_customer(tx, subject(locked), "processed")
        await reminders.sync(tx, locked.project.id)
        await audit(
            tx,
            viewer,
            AuditAction.DECISION,
            "Application",
            application_id,
            locked.application.authority_id,
            {"outcome": outcome.value, "shared": share_with_authorities},
        )
    return application_id


async def application_notice_redirect(
    viewer: Viewer, application_id: int, expected_version: int, email_address: str | None
) -> int:
    """The handler who took the application sends its later notices to an address they choose
    (None: back to the permit's notification address). Admins of the authority may too."""
    async with atomic() as tx:
        locked = await access_application(tx, viewer, application_id)
        require_addressed(viewer, locked)
        app = locked.application
        forbid_unless(policies.can_redirect_notices(viewer, locked.app_facts), ["id"])
        require_handling(viewer, locked)
        expect_version(app.version, expected_version)
        errors: list[DomainError] = []
        clean = None if email_address is None else email(email_address, ["email"], errors=errors)
        raise_all(errors)
        app.notice_email = clean
        await save(tx, locked)
        await audit(
            tx,
            viewer,
            AuditAction.NOTICE_REDIRECT,
            "Application",
            application_id,
            app.authority_id,
            {"email": clean},
        )
    return application_id


async def application_export(viewer: Viewer, application_id: int) -> dict[str, Any]:
    """The whole application as one JSON document for the authority's case management: for
    whom may handle it (policies.can_handle_application), each part as the viewer may read it."""
    async with atomic() as tx:
        locked = await access_application(tx, viewer, application_id)
        require_handling(viewer, locked)
        document = await export_document(tx, locked, viewer)
        await audit(
            tx,
            viewer,
            AuditAction.EXPORT,
            "Application",
            application_id,
            locked.application.authority_id,
        )
    return document


async def _message_rules(tx: Tx, viewer: Viewer, thread_id: int) -> UploadRules:
    access = await access_thread(tx, viewer, thread_id)
    forbid_unless(
        policies.can_post_to_thread(viewer, access.facts, access.project_facts), ["threadId"]
    )
    thread = access.thread
    if thread.application_id is None:  # the project's discussion: the catalogue's default types
        return UploadRules(types=await default_types(), kinds_allowed=False)
    app = await Application.get(id=thread.application_id, using_db=tx.conn)
    permit_type = (await PermitType.filter(id=app.permit_type_id).using_db(tx.conn).values())[0]
    return await rules_for_application(tx, permit_type, app.id, kinds_allowed=False)


async def message_post(
    viewer: Viewer, thread_id: int, body: str, files: Sequence[FileSpec] = ()
) -> int:
    """Post to a discussion the viewer may write to, optionally with files."""
    errors: list[DomainError] = []
    clean = text(body, ["body"], max_length=MESSAGE_MAX, required=True, errors=errors)
    upload_rules = None
    if files:
        async with atomic() as tx:  # checked before a byte is stored
            upload_rules = await _message_rules(tx, viewer, thread_id)
            raise_all(errors)
    async with stored_files(files, upload_rules) as stored, atomic() as tx:
        access = await access_thread(tx, viewer, thread_id)
        thread, facts, project_facts = access.thread, access.facts, access.project_facts
        app_authority = access.authority_id
        forbid_unless(policies.can_post_to_thread(viewer, facts, project_facts), ["threadId"])
        raise_all(errors)
        assert clean is not None
        acting_for = policies.acting_for(viewer, project_facts, app_authority)
        message = await Message.create(
            thread_id=thread.id,
            author_id=viewer.person_id,
            author_label=viewer.name[:200],
            acting_for_id=acting_for,
            body=clean,
            using_db=tx.conn,
        )
        if stored:
            owner = Owner(
                AttachmentOwner.MESSAGE,
                message.id,
                thread.project_id,
                thread.application_id,
                app_authority,
            )
            await add_rows(
                tx, viewer, owner, stored, acting_for, await _message_rules(tx, viewer, thread_id)
            )
        tx.publish(
            LiveEvent(
                kind=EventKind.MESSAGE_POSTED,
                project_id=thread.project_id,
                application_id=thread.application_id,
                authority_id=app_authority,
                message_id=message.id,
                thread_id=thread.id,
                by_customer=policies.is_customer(viewer, project_facts),
            )
        )
        if policies.is_customer(viewer, project_facts):
            await _notify_of_message(tx, facts, project_facts)
        else:
            await notify_customer_of_message(tx, viewer, facts, project_facts, acting_for)
    return message.id


async def _notify_of_message(tx: Tx, thread: ThreadFacts, project_facts: ProjectFacts) -> None:
    """A customer's message: the application's authority, or every involved authority for the
    project's discussion (each about its own application, for the link and the address), as
    policies.authority_may_be_told_of_message says."""
    rows = await Application.filter(project_id=thread.project_id).using_db(tx.conn).order_by("id")
    project = await Project.get(id=thread.project_id, using_db=tx.conn)
    notified: set[int] = set()
    for app in rows:
        facts = application_facts(app)
        if app.authority_id in notified or not policies.authority_may_be_told_of_message(
            facts, thread, project_facts
        ):
            continue
        permit_type = (await PermitType.filter(id=app.permit_type_id).using_db(tx.conn).values())[0]
        await notify_authority(tx, Subject(app, project, permit_type), "message")
        notified.add(app.authority_id)
