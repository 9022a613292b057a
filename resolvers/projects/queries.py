"""Project queries."""

from __future__ import annotations

from models import Project as ProjectModel
from permissions import filters
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
    return connection(
        Page(rows[:size], len(rows) > size), total, Project.from_row, lambda r: [r["id"]]
    )


async def project(info: Info, id: IdArgument) -> Project | None:
    project_id = parse_global_id(id, "Project")
    return None if project_id is None else await visible_project(info, project_id)
