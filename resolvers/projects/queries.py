"""Project queries."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from models import Application as ApplicationModel
from models import Project as ProjectModel
from models import StatementRequest
from models.statuses import ApplicationStatus
from permissions.facts import Viewer
from resolvers.context import Info
from schema.common import (
    After,
    Connection,
    First,
    IdArgument,
    Page,
    connection,
    decode_cursor,
    page_size,
)
from schema.node import parse_global_id
from schema.project import Project, visible_project


def visible_projects_filter(viewer: Viewer) -> Q:
    """SQL form of policies.can_see_project: owned, represented, involved via applications, or
    asked for a statement on one of them.

    Kept in step with permissions/policies.py by tests/permissions (the matrix runs the
    `projects` list for every role).
    """
    conditions = Q(id=-1)
    if viewer.person_id is not None:
        conditions |= Q(owner_person_id=viewer.person_id)
    if viewer.represented:
        conditions |= Q(owner_organisation_id__in=list(viewer.represented))
    if viewer.acting_authorities:
        involved = ApplicationModel.filter(authority_id__in=list(viewer.acting_authorities)).filter(
            Q(submitted_at__not_isnull=True) | Q(status=ApplicationStatus.DRAFT, is_shared=True)
        )
        conditions |= Q(id__in=Subquery(involved.values("project_id")))
        asked = StatementRequest.filter(asked_authority_id__in=list(viewer.acting_authorities))
        conditions |= Q(id__in=Subquery(asked.values("application__project_id")))
    return conditions


async def projects(info: Info, first: First = None, after: After = None) -> Connection[Project]:
    size = page_size(first)
    query = ProjectModel.filter(visible_projects_filter(info.context.viewer))
    total = query.count  # counted only when totalCount is selected
    if after is not None:
        (after_id,) = decode_cursor(after, 1)
        if not isinstance(after_id, int):
            after_id = 0
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(size + 1).values()
    info.context.loaders.prime_projects(rows[:size])
    return connection(
        Page(rows[:size], len(rows) > size), total, Project.from_row, lambda r: [r["id"]]
    )


async def project(info: Info, id: IdArgument) -> Project | None:
    project_id = parse_global_id(id, "Project")
    return None if project_id is None else await visible_project(info, project_id)
