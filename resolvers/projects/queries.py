"""Project queries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

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
    # counted only when totalCount is selected
    total: int | Callable[[], Awaitable[int]] = query.count
    count = query.count()  # the same, for the planner to read with the page
    if after is not None:
        (after_id,) = decode_cursor(after, 1)
        if not isinstance(after_id, int):
            after_id = 0
        query = query.filter(id__lt=after_id)
    page = query.order_by("-id").limit(size + 1)
    plan = await planned.plan_project_page(info, page, size, count)
    if plan is None:
        rows = await page.values()
        info.context.loaders.prime_projects(rows[:size])
    else:  # the page, its count when selected and its nested reads, in one statement
        rows, counted = plan
        if counted is not None:
            total = int(counted)
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
