"""Customer actions on applications: create, save draft, share, submit and withdraw.

The status change helper here (`change_status`) is the only place that writes an
application's status; authority actions reuse it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from actions import reminders, statistics
from actions.access import Locked, access_application, access_project, forbid_unless
from actions.attachments import missing_required
from actions.audit import audit
from actions.base import Tx, atomic
from actions.catalogue import municipality_row, offered_permit_types, permit_needs
from actions.export import export_document
from actions.inbox_counts import inbox_key, note_move
from actions.outbox import Subject, notify_authority
from actions.signin import mandate_ensure
from models import (
    Application,
    CatalogueDocument,
    PermitType,
    Project,
    StatementRequest,
    StatusChange,
    Thread,
)
from models.authority_work import AuditAction
from models.catalogue import SHARED_DATA_SCHEMA
from models.enums import ApplicationOrigin, Certainty
from models.errors import DomainError, ErrorCode, raise_all
from models.forms import missing_shared_data, validate
from models.ids import global_id
from models.statements import StatementStatus
from models.statuses import FINAL, ApplicationStatus, Side, Via, find_transition
from models.survey import Answer
from models.validation import COMMENT_MAX, expect_version, text
from notifications.events import EventKind, LiveEvent
from permissions import policies
from permissions.facts import Viewer


def now() -> datetime:
    return datetime.now(UTC)


def acting_for(viewer: Viewer, locked: Locked, side: Side) -> int | None:
    """The organisation the viewer acts for in this change (policies.acting_for)."""
    if side is Side.AUTHORITY:
        return policies.authority_acting_for(
            viewer, locked.project_facts, locked.application.authority_id
        )
    return policies.customer_acting_for(viewer, locked.project.owner_organisation_id)


async def change_status(
    tx: Tx,
    viewer: Viewer,
    locked: Locked,
    target: ApplicationStatus,
    *,
    side: Side,
    via: Via,
    comment: str = "",
) -> None:
    """Move the application through the status model and record the history entry."""
    app = locked.application
    source = ApplicationStatus(app.status)
    if source in FINAL:
        raise DomainError(ErrorCode.ALREADY_FINAL, field=["id"], status=source.value)
    if find_transition(source, target, side, via) is None:
        raise DomainError(
            ErrorCode.INVALID_STATUS_TRANSITION,
            field=["status"],
            source=source.value,
            target=target.value,
        )
    app.status = target
    moment = now()
    if target in FINAL:
        app.final_at = moment
        # a statement no longer helps a decided application: its open requests end
        await (
            StatementRequest.filter(application_id=app.id, status=StatementStatus.OPEN)
            .using_db(tx.conn)
            .update(status=StatementStatus.CANCELLED, answered_at=moment)
        )
    if await statistics.record(
        tx.conn, app, source, target, moment, int(locked.permit_type["processing_days"])
    ):
        tx.after_commit(_statistics_changed)
    await StatusChange.create(
        application_id=app.id,
        from_status=source,
        to_status=target,
        actor_id=viewer.person_id,
        actor_label=viewer.name,
        acting_for_id=acting_for(viewer, locked, side),
        comment=comment,
        using_db=tx.conn,
    )


async def _statistics_changed() -> None:
    statistics.invalidate()


def subject(locked: Locked) -> Subject:
    """What a notice about this application is about."""
    return Subject(locked.application, locked.project, locked.permit_type)


def live_event(
    locked: Locked, kind: EventKind, source: ApplicationStatus | None = None
) -> LiveEvent:
    """The live event of a change to a locked application (publish with tx.publish)."""
    app = locked.application
    return LiveEvent(
        kind=kind,
        project_id=app.project_id,
        application_id=app.id,
        authority_id=app.authority_id,
        from_status=None if source is None else source.value,
        to_status=ApplicationStatus(app.status).value,
    )


async def save(tx: Tx, locked: Locked) -> None:
    locked.application.version += 1
    await locked.application.save(using_db=tx.conn)
    counted = inbox_key(locked.application)
    note_move(tx.inbox_deltas, locked.counted, counted)
    locked.counted = counted


def require_customer(viewer: Viewer, locked: Locked) -> None:
    if not policies.can_edit_application(viewer, locked.app_facts, locked.project_facts):
        raise DomainError(ErrorCode.FORBIDDEN, field=["id"])


def require_draft(locked: Locked) -> None:
    status = ApplicationStatus(locked.application.status)
    if status is not ApplicationStatus.DRAFT:
        raise DomainError(
            ErrorCode.INVALID_STATUS_TRANSITION,
            field=["id"],
            source=status.value,
            target=ApplicationStatus.DRAFT.value,
        )


async def add_application(
    tx: Tx,
    viewer: Viewer,
    project: Project,
    permit_type: dict[str, Any],
    *,
    origin: ApplicationOrigin = ApplicationOrigin.MANUAL,
    certainty: Certainty | None = None,
) -> Application:
    """A new draft of `permit_type` in `project`, with its first history entry."""
    open_duplicate = (
        await Application.filter(project_id=project.id, permit_type_id=permit_type["id"])
        .exclude(status__in=list(FINAL))
        .using_db(tx.conn)
        .exists()
    )
    if open_duplicate:
        raise DomainError(ErrorCode.DUPLICATE, field=["permitTypeId"], value=permit_type["code"])
    application = await Application.create(
        project_id=project.id,
        permit_type_id=permit_type["id"],
        authority_id=permit_type["authority_id"],
        origin=origin,
        certainty=certainty,
        created_by_id=viewer.person_id,
        using_db=tx.conn,
    )
    await Thread.create(project_id=project.id, application_id=application.id, using_db=tx.conn)
    owner = project.owner_organisation_id
    await StatusChange.create(
        application_id=application.id,
        from_status=None,
        to_status=ApplicationStatus.DRAFT,
        actor_id=viewer.person_id,
        actor_label=viewer.name,
        acting_for_id=policies.customer_acting_for(viewer, owner),
        using_db=tx.conn,
    )
    return application


async def application_create(
    viewer: Viewer,
    project_id: int,
    permit_type_id: int,
    survey_answers: list[tuple[str, Answer]] | None = None,
) -> int:
    """Add an application to a project: by hand, or from the survey's suggestions."""
    async with atomic() as tx:
        access = await access_project(tx, viewer, project_id, lock=True, field=["projectId"])
        forbid_unless(policies.can_edit_project(viewer, access.facts), ["projectId"])
        project = access.project
        municipality = await municipality_row(project.municipality_id, ["projectId"])
        offered = {row["id"]: row for row in await offered_permit_types(municipality)}
        if permit_type_id not in offered:
            if not await PermitType.exists(id=permit_type_id):
                raise DomainError(ErrorCode.NOT_FOUND, field=["permitTypeId"])
            raise DomainError(
                ErrorCode.NOT_OFFERED_IN_MUNICIPALITY,
                field=["permitTypeId"],
                municipality=municipality["code"],
            )
        origin, certainty = ApplicationOrigin.MANUAL, None
        if survey_answers is not None:
            suggestions = await permit_needs(
                project.bundle_id, project.municipality_id, project.starts_on, survey_answers
            )
            match = next(
                (s for s in suggestions if s.permit_type and s.permit_type["id"] == permit_type_id),
                None,
            )
            if match is None:
                raise DomainError(
                    ErrorCode.INVALID_VALUE,
                    field=["surveyAnswers"],
                    detail="the answers do not call for this permit",
                )
            origin, certainty = ApplicationOrigin.SURVEY, match.certainty
        application = await add_application(
            tx, viewer, project, offered[permit_type_id], origin=origin, certainty=certainty
        )
        await reminders.sync(tx, project.id)
    return application.id


async def application_update(
    viewer: Viewer, application_id: int, expected_version: int, content: Any
) -> int:
    """Save a draft's form content. What is there must be valid; required fields may wait."""
    async with atomic() as tx:
        locked = await access_application(tx, viewer, application_id)
        require_customer(viewer, locked)
        require_draft(locked)
        expect_version(locked.application.version, expected_version)
        if not isinstance(content, dict):
            raise DomainError(ErrorCode.INVALID_VALUE, field=["content"], detail="a JSON object")
        raise_all(validate(locked.permit_type["form_schema"], content, draft=True))
        locked.application.content = content
        await save(tx, locked)
    return application_id


async def application_share(
    viewer: Viewer, application_id: int, expected_version: int, shared: bool
) -> int:
    """Mark a draft visible to authorities (e.g. to ask for advice), or hide it again."""
    async with atomic() as tx:
        locked = await access_application(tx, viewer, application_id)
        require_customer(viewer, locked)
        require_draft(locked)
        expect_version(locked.application.version, expected_version)
        if locked.application.is_shared != shared:
            locked.application.is_shared = shared
            await save(tx, locked)
            kind = EventKind.APPLICATION_SHARED if shared else EventKind.APPLICATION_UNSHARED
            tx.publish(live_event(locked, kind))
    return application_id


async def submission_errors(locked: Locked, content: dict[str, Any]) -> list[DomainError]:
    """Everything that stops submission: form errors and missing shared data."""
    errors = validate(locked.permit_type["form_schema"], content, draft=False)
    project = locked.project
    shared = project.shared_data or {}
    errors += missing_shared_data(
        shared,
        locked.permit_type["required_shared_data"],
        description=project.description,
        has_location=project.latitude is not None or project.area is not None,
        has_start=project.starts_on is not None,
    )
    row = await CatalogueDocument.filter(key=SHARED_DATA_SCHEMA).values("document")
    if row:
        errors += validate(row[0]["document"], shared, draft=True, prefix=["sharedData"])
    return errors


async def application_submit(viewer: Viewer, application_id: int, expected_version: int) -> int:
    """Submit to the competent authority: content must validate; status becomes NOT_STARTED.

    A person acting for an organisation through a browser session has the mandate asked
    again first, and the submission is audited with its basis."""
    await mandate_ensure(viewer)
    async with atomic() as tx:
        locked = await access_application(tx, viewer, application_id)
        require_customer(viewer, locked)
        require_draft(locked)
        expect_version(locked.application.version, expected_version)
        raise_all(
            await submission_errors(locked, locked.application.content or {})
            + await missing_required(tx, locked.application.id, locked.permit_type)
        )
        municipality = await municipality_row(locked.project.municipality_id, ["id"])
        offered = {row["id"] for row in await offered_permit_types(municipality)}
        if locked.permit_type["id"] not in offered:
            raise DomainError(
                ErrorCode.NOT_OFFERED_IN_MUNICIPALITY,
                field=["id"],
                municipality=municipality["code"],
            )
        await change_status(
            tx, viewer, locked, ApplicationStatus.NOT_STARTED, side=Side.CUSTOMER, via=Via.SUBMIT
        )
        locked.application.authority_id = locked.permit_type["authority_id"]
        locked.application.submitted_at = now()
        locked.application.submitted_by_id = viewer.person_id
        await save(tx, locked)
        if viewer.acting_for is not None:
            await audit(
                tx,
                viewer,
                AuditAction.SUBMISSION,
                "Application",
                locked.application.id,
                locked.application.authority_id,
                {"organisationId": viewer.acting_for},
            )
        tx.publish(live_event(locked, EventKind.APPLICATION_SUBMITTED, ApplicationStatus.DRAFT))
        await notify_authority(tx, subject(locked), "submitted", await export_document(tx, locked))
        await reminders.sync(tx, locked.project.id)
    return application_id


async def application_withdraw(
    viewer: Viewer, application_id: int, expected_version: int, comment: str | None
) -> int:
    """The customer withdraws (peruu) an application before it has a final status."""
    async with atomic() as tx:
        locked = await access_application(tx, viewer, application_id)
        require_customer(viewer, locked)
        expect_version(locked.application.version, expected_version)
        errors: list[DomainError] = []
        clean = text(comment, ["comment"], max_length=COMMENT_MAX, errors=errors) or ""
        raise_all(errors)
        source = ApplicationStatus(locked.application.status)
        await change_status(
            tx,
            viewer,
            locked,
            ApplicationStatus.WITHDRAWN,
            side=Side.CUSTOMER,
            via=Via.WITHDRAW,
            comment=clean,
        )
        await save(tx, locked)
        tx.publish(live_event(locked, EventKind.APPLICATION_WITHDRAWN, source))
        await reminders.sync(tx, locked.project.id)
        if policies.authority_may_be_told_of_withdrawal(locked.app_facts):
            data = {
                "application": global_id("Application", locked.application.id),
                "status": "WITHDRAWN",
            }
            await notify_authority(tx, subject(locked), "withdrawn", data)
    return application_id
