"""Project queries."""

from __future__ import annotations

import strawberry

from models import Project as ProjectModel
from permissions import filters
from permissions.fields import authenticated
from resolvers import planned
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


async def projects(info: Info, first: First = None, after: After = None) -> Connection[Project]:
    size = page_size(first)
    query = ProjectModel.filter(filters.visible_projects(info.context.viewer))
    total = query.count  # counted only when totalCount is selected
    if after is not None:
        (after_id,) = decode_cursor(after, 1)
        if not isinstance(after_id, int):
            after_id = 0
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(size + 1).values()
    info.context.loaders.prime_projects(rows[:size])
    await planned.plan_projects(info, [r["id"] for r in rows[:size]], projects=False)
    return connection(
        Page(rows[:size], len(rows) > size), total, Project.from_row, lambda r: [r["id"]]
    )


async def project(info: Info, id: IdArgument) -> Project | None:
    project_id = parse_global_id(id, "Project")
    if project_id is None:
        return None
    await planned.plan_projects(info, [project_id], projects=True)
    return await visible_project(info, project_id)


@strawberry.type
class ProjectQuery:
    """Query fields of this area: projects."""

    projects: Connection[Project] = strawberry.field(
        resolver=projects,
        extensions=authenticated(),
        description="Projects the viewer may see (own, represented, or involved as an authority), newest first.",
    )
    project: Project | None = strawberry.field(
        resolver=project,
        description="A project by id; null if it does not exist or is not visible.",
    )
