"""Loading an object for a viewer inside an action: one access helper per object kind.

Each helper loads the object (optionally locking its row, SELECT ... FOR UPDATE), builds
the facts the policies decide on, asks the policy whether the viewer may see it, and
returns the object with its facts, or raises NOT_FOUND: an object the viewer may not see
is answered exactly like one that does not exist (the same error, and the same statements
run: a missing id still reads the facts of "project 0"). A further right the viewer lacks
on an object it does see is FORBIDDEN (`forbid_unless`). The rules themselves are pure
functions in permissions/; this module only reads what they need (as Zulip's
`access_message(user, id, lock_message=)` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.models import Model

from actions.base import Tx
from actions.facts import project_facts_in
from actions.inbox_counts import InboxKey, inbox_key
from models import Application, Attachment, Decision, Message, PermitType, Project, Thread
from models.attachments import AttachmentOwner
from models.errors import DomainError, ErrorCode
from permissions import attachments as attachment_rules
from permissions import policies
from permissions.attachments import AttachmentFacts
from permissions.facts import ApplicationFacts, DecisionFacts, ProjectFacts, ThreadFacts, Viewer

M = TypeVar("M", bound=Model)


def not_found(field: Sequence[str]) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, field=list(field))


def forbid_unless(allowed: bool, field: Sequence[str]) -> None:
    """FORBIDDEN unless `allowed`: for a right on an object the viewer does see."""
    if not allowed:
        raise DomainError(ErrorCode.FORBIDDEN, field=list(field))


async def _row(tx: Tx, model: type[M], object_id: int, lock: bool) -> M | None:
    """The object with this id, its row locked for update when `lock`."""
    query = model.filter(id=object_id)
    if lock:
        query = query.select_for_update()
    return await query.using_db(tx.conn).first()


async def _facts_of_project(
    tx: Tx, project: Project | None
) -> tuple[list[dict[str, Any]], ProjectFacts | None]:
    """The project's application rows and facts; for no project the same statements run
    (for a project that cannot exist), so that missing and hidden cost the same."""
    stand_in = project if project is not None else Project(id=0)
    siblings, facts = await project_facts_in(tx, stand_in)
    return siblings, facts if project is not None else None


async def _project_of(
    tx: Tx, child: Application | Thread | Attachment | None
) -> tuple[Project | None, list[dict[str, Any]], ProjectFacts | None]:
    """The project an object belongs to, its application rows and facts; for no object the
    same statements run, so that missing and hidden cost the same."""
    project_id = child.project_id if child is not None else 0
    project = await Project.filter(id=project_id).using_db(tx.conn).first()
    siblings, facts = await _facts_of_project(tx, project)
    return project, siblings, facts


def _application_in(
    siblings: list[dict[str, Any]], application_id: int | None
) -> ApplicationFacts | None:
    """The facts of one of the project's applications (None: no application, or not found)."""
    if application_id is None:
        return None
    return next((ApplicationFacts.from_row(r) for r in siblings if r["id"] == application_id), None)


# --- projects -------------------------------------------------------------------------------


@dataclass
class ProjectAccess:
    project: Project
    applications: list[dict[str, Any]]
    facts: ProjectFacts


async def access_project(
    tx: Tx,
    viewer: Viewer,
    project_id: int,
    *,
    lock: bool = False,
    field: Sequence[str] = ("id",),
) -> ProjectAccess:
    """The project, if the viewer may see it (policies.can_see_project); else NOT_FOUND."""
    project = await _row(tx, Project, project_id, lock)
    applications, facts = await _facts_of_project(tx, project)
    if project is None or facts is None or not policies.can_see_project(viewer, facts):
        raise not_found(field)
    return ProjectAccess(project, applications, facts)


# --- applications ---------------------------------------------------------------------------


@dataclass
class Locked:
    """An application (locked for update unless asked otherwise), with its project and the
    facts to decide on."""

    application: Application
    project: Project
    app_facts: ApplicationFacts
    project_facts: ProjectFacts
    permit_type: dict[str, Any]
    #: where the application counted in the inbox when it was locked (actions/inbox_counts.py)
    counted: InboxKey | None = None


async def access_application(
    tx: Tx,
    viewer: Viewer,
    application_id: int,
    *,
    lock: bool = True,
    field: Sequence[str] = ("id",),
) -> Locked:
    """The application, if the viewer may see it (policies.can_see_application); else
    NOT_FOUND."""
    application = await _row(tx, Application, application_id, lock)
    project, siblings, facts = await _project_of(tx, application)
    app_facts = _application_in(siblings, application_id)
    if (
        application is None
        or project is None
        or facts is None
        or app_facts is None
        or not policies.can_see_application(viewer, app_facts, facts)
    ):
        raise not_found(field)
    permit_type = (
        await PermitType.filter(id=application.permit_type_id).using_db(tx.conn).values()
    )[0]
    return Locked(application, project, app_facts, facts, permit_type, inbox_key(application))


# --- discussion threads ---------------------------------------------------------------------


@dataclass
class ThreadAccess:
    thread: Thread
    facts: ThreadFacts
    project_facts: ProjectFacts

    @property
    def authority_id(self) -> int | None:
        """The application's authority, for an application's thread."""
        return None if self.facts.application is None else self.facts.application.authority_id


async def access_thread(
    tx: Tx, viewer: Viewer, thread_id: int, *, field: Sequence[str] = ("threadId",)
) -> ThreadAccess:
    """The thread, if the viewer may read it (policies.can_read_thread); else NOT_FOUND."""
    thread = await Thread.filter(id=thread_id).using_db(tx.conn).first()
    _, siblings, project_facts = await _project_of(tx, thread)
    if thread is None or project_facts is None:
        raise not_found(field)
    app_facts = _application_in(siblings, thread.application_id)
    facts = ThreadFacts(id=thread.id, project_id=thread.project_id, application=app_facts)
    if not policies.can_read_thread(viewer, facts, project_facts):
        raise not_found(field)
    return ThreadAccess(thread, facts, project_facts)


# --- attachments ------------------------------------------------------------------------------

#: the attachment columns its facts are built from
_ATTACHMENT_FACT_FIELDS = (
    "id",
    "owner_kind",
    "owner_id",
    "project_id",
    "application_id",
    "uploaded_by_id",
    "uploader_system_id",
    "scan_status",
    "removed_at",
)


@dataclass
class AttachmentAccess:
    attachment: Attachment
    facts: AttachmentFacts
    project_facts: ProjectFacts

    @property
    def authority_id(self) -> int | None:
        """The authority of the application it concerns (None: the project's discussion)."""
        app = self.facts.application
        return None if app is None else app.authority_id


async def _owner_facts(
    tx: Tx, row: Attachment, app: ApplicationFacts | None
) -> tuple[ThreadFacts | None, DecisionFacts | None]:
    """A message's thread, or a decision, for the rule of what the attachment belongs to."""
    if row.owner_kind == AttachmentOwner.MESSAGE:
        message = await Message.get(id=row.owner_id, using_db=tx.conn)
        thread = await Thread.get(id=message.thread_id, using_db=tx.conn)
        return ThreadFacts(thread.id, thread.project_id, app), None
    if row.owner_kind == AttachmentOwner.DECISION and app is not None:
        decision = await Decision.get(id=row.owner_id, using_db=tx.conn)
        return None, DecisionFacts(app.id, app.authority_id, decision.is_shared)
    return None, None


async def access_attachment(
    tx: Tx,
    viewer: Viewer,
    attachment_id: int,
    *,
    lock: bool = False,
    field: Sequence[str] = ("id",),
) -> AttachmentAccess:
    """The attachment, if the viewer may see it (attachments.can_see_attachment: the rule of
    what it belongs to, and not removed); else NOT_FOUND."""
    row = await _row(tx, Attachment, attachment_id, lock)
    _, siblings, project_facts = await _project_of(tx, row)
    if row is None or project_facts is None:
        raise not_found(field)
    app = _application_in(siblings, row.application_id)
    thread, decision = await _owner_facts(tx, row, app)
    values = {f: getattr(row, f) for f in _ATTACHMENT_FACT_FIELDS}
    facts = AttachmentFacts.from_row(values, app, thread, decision)
    if not attachment_rules.can_see_attachment(viewer, facts, project_facts):
        raise not_found(field)
    return AttachmentAccess(row, facts, project_facts)
