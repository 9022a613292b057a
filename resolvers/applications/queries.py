"""Application queries."""

from __future__ import annotations

import strawberry

from resolvers import planned
from resolvers.context import Info
from schema.application import Application, visible_application
from schema.common import IdArgument
from schema.node import parse_global_id


async def application(info: Info, id: IdArgument) -> Application | None:
    application_id = parse_global_id(id, "Application")
    if application_id is None:
        return None
    await planned.plan_application(info, application_id)
    return await visible_application(info, application_id)


@strawberry.type
class ApplicationQuery:
    """Query fields of this area: one application."""

    application: Application | None = strawberry.field(
        resolver=application,
        description="An application by id; null if it does not exist or is not visible.",
    )
