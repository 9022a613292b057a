"""Discussion threads: loading one with the facts its policies need."""

from __future__ import annotations

from actions.base import Tx
from models import Application, Project, Thread
from models.errors import DomainError, ErrorCode
from permissions import policies
from permissions.facts import ApplicationFacts, ProjectFacts, ThreadFacts, Viewer

APPLICATION_ROW_FIELDS = (
    "id",
    "project_id",
    "authority_id",
    "status",
    "is_shared",
    "submitted_at",
    "assigned_to_id",
)


async def lock_thread(
    tx: Tx, viewer: Viewer, thread_id: int
) -> tuple[Thread, ThreadFacts, ProjectFacts, int | None]:
    """The thread and its facts; NOT_FOUND unless the viewer may read it."""
    thread = await Thread.filter(id=thread_id).using_db(tx.conn).first()
    if thread is None:
        raise DomainError(ErrorCode.NOT_FOUND, field=["threadId"])
    project = await Project.get(id=thread.project_id).using_db(tx.conn)
    rows = (
        await Application.filter(project_id=project.id)
        .using_db(tx.conn)
        .values(*APPLICATION_ROW_FIELDS)
    )
    project_facts = policies.project_facts(
        {
            "id": project.id,
            "owner_person_id": project.owner_person_id,
            "owner_organisation_id": project.owner_organisation_id,
        },
        rows,
    )
    app_facts = None
    if thread.application_id is not None:
        app_facts = next(
            ApplicationFacts.from_row(r) for r in rows if r["id"] == thread.application_id
        )
    facts = ThreadFacts(id=thread.id, project_id=project.id, application=app_facts)
    if not policies.can_read_thread(viewer, facts, project_facts):
        raise DomainError(ErrorCode.NOT_FOUND, field=["threadId"])
    return thread, facts, project_facts, app_facts.authority_id if app_facts else None
