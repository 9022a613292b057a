"""Project mutations: projectCreate, projectUpdate."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from actions import projects as actions
from actions.projects import UNSET, ProjectChanges
from permissions.fields import person_only
from resolvers.context import Info
from resolvers.errors import run_action
from schema.common import InputArgument, UserError
from schema.node import decode_id
from schema.project import Project, visible_project


@strawberry.input(description="A point in WGS84 coordinates.")
class GeoPointInput:
    latitude: float = strawberry.field(description="Latitude, degrees north.")
    longitude: float = strawberry.field(description="Longitude, degrees east.")


@strawberry.input(description="A new project.")
class ProjectCreateInput:
    service_bundle_id: strawberry.ID = strawberry.field(description="The service bundle to follow.")
    name: str = strawberry.field(description="Name of the project (at most 200 characters).")
    municipality_code: str = strawberry.field(description="Main municipality (e.g. 091).")
    description: str | None = strawberry.field(default=None, description="What the project is.")
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Own the project for this organisation (you must represent it); "
        "omit to own it yourself.",
    )
    location: GeoPointInput | None = strawberry.field(default=None, description="Main location.")
    area: JSON | None = strawberry.field(
        default=None, description="Area as a GeoJSON Polygon or MultiPolygon (WGS84)."
    )
    starts_on: date | None = strawberry.field(default=None, description="Planned start date.")
    ends_on: date | None = strawberry.field(default=None, description="Planned end date.")
    shared_data: JSON | None = strawberry.field(
        default=None, description="Shared data given once (see the shared data schema)."
    )
    permit_type_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Start with drafts of these permits (e.g. from a PTV deep link)."
    )


@strawberry.input(description="Changes to a project. Absent fields stay as they are.")
class ProjectUpdateInput:
    id: strawberry.ID = strawberry.field(description="The project.")
    expected_version: int = strawberry.field(description="The version you last saw.")
    name: strawberry.Maybe[str] = strawberry.field(description="New name.")
    description: strawberry.Maybe[str | None] = strawberry.field(description="New description.")
    municipality_code: strawberry.Maybe[str] = strawberry.field(
        description="New main municipality (only while every application is a draft)."
    )
    location: strawberry.Maybe[GeoPointInput | None] = strawberry.field(
        description="New location; null clears."
    )
    area: strawberry.Maybe[JSON | None] = strawberry.field(description="New area; null clears.")
    starts_on: strawberry.Maybe[date | None] = strawberry.field(description="New start date.")
    ends_on: strawberry.Maybe[date | None] = strawberry.field(description="New end date.")
    shared_data: strawberry.Maybe[JSON | None] = strawberry.field(
        description="New shared data (replaces the whole object)."
    )


@strawberry.type(description="Result of projectCreate.")
class ProjectCreatePayload:
    project: Project | None = strawberry.field(description="The new project.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was created.")


@strawberry.type(description="Result of projectUpdate.")
class ProjectUpdatePayload:
    project: Project | None = strawberry.field(description="The project after the change.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


def _maybe(value: Any, convert: Any = None) -> Any:
    if value is None:
        return UNSET
    inner = value.value
    if convert is not None and inner is not None:
        return convert(inner)
    return inner


def _point(value: GeoPointInput) -> tuple[float, float]:
    return (value.latitude, value.longitude)


async def project_create(
    info: Info,
    input: Annotated[ProjectCreateInput, InputArgument],
) -> ProjectCreatePayload:
    viewer = info.context.viewer

    async def action() -> int:
        return await actions.project_create(
            viewer,
            bundle_id=decode_id(input.service_bundle_id, "ServiceBundle", ["serviceBundleId"]),
            organisation_id=(
                None
                if input.organisation_id is None
                else decode_id(input.organisation_id, "Organisation", ["organisationId"])
            ),
            changes=ProjectChanges(
                name=input.name,
                description=input.description if input.description is not None else UNSET,
                municipality_code=input.municipality_code,
                location=_point(input.location) if input.location is not None else UNSET,
                area=input.area if input.area is not None else UNSET,
                starts_on=input.starts_on if input.starts_on is not None else UNSET,
                ends_on=input.ends_on if input.ends_on is not None else UNSET,
                shared_data=input.shared_data if input.shared_data is not None else UNSET,
            ),
            permit_type_ids=[
                decode_id(pid, "PermitType", ["permitTypeIds", str(i)])
                for i, pid in enumerate(input.permit_type_ids or [])
            ],
        )

    project_id, errors = await run_action(info, action)
    project = None if project_id is None else await visible_project(info, project_id)
    return ProjectCreatePayload(project=project, user_errors=errors)


async def project_update(
    info: Info,
    input: Annotated[ProjectUpdateInput, InputArgument],
) -> ProjectUpdatePayload:
    viewer = info.context.viewer

    async def action() -> int:
        return await actions.project_update(
            viewer,
            decode_id(input.id, "Project", ["id"]),
            input.expected_version,
            ProjectChanges(
                name=_maybe(input.name),
                description=_maybe(input.description),
                municipality_code=_maybe(input.municipality_code),
                location=_maybe(input.location, _point),
                area=_maybe(input.area),
                starts_on=_maybe(input.starts_on),
                ends_on=_maybe(input.ends_on),
                shared_data=_maybe(input.shared_data),
            ),
        )

    project_id, errors = await run_action(info, action)
    project = None if project_id is None else await visible_project(info, project_id)
    return ProjectUpdatePayload(project=project, user_errors=errors)


@strawberry.type
class ProjectMutation:
    """Mutation fields of this area: projects."""

    project_create: ProjectCreatePayload = strawberry.mutation(
        resolver=project_create,
        extensions=person_only(),
        description="Create a project.",
    )
    project_update: ProjectUpdatePayload = strawberry.mutation(
        resolver=project_update,
        extensions=person_only(),
        description="Change a project's details or shared data.",
    )
