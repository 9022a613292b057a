"""Customer actions on projects: create and update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from actions import reminders
from actions.access import access_project, forbid_unless
from actions.applications import add_application
from actions.base import atomic
from actions.catalogue import municipality_row, offered_permit_types
from models import CatalogueDocument, Project, ServiceBundle, Thread
from models.catalogue import SHARED_DATA_SCHEMA
from models.errors import DomainError, ErrorCode, raise_all
from models.forms import validate
from models.statuses import ApplicationStatus
from models.validation import (
    NAME_MAX,
    TEXT_MAX,
    expect_version,
    geojson_area,
    point,
    schedule,
    text,
)
from permissions import policies
from permissions.facts import Viewer

#: Marks a field the client did not send (as opposed to sending null).
UNSET: Any = object()


@dataclass
class ProjectChanges:
    """The fields of a project a customer sets. UNSET leaves a field as it is (on update)."""

    name: Any = UNSET
    description: Any = UNSET
    municipality_code: Any = UNSET
    location: Any = UNSET  # (latitude, longitude) | None
    area: Any = UNSET
    starts_on: Any = UNSET
    ends_on: Any = UNSET
    shared_data: Any = UNSET


async def _shared_data_schema() -> dict[str, Any]:
    row = await CatalogueDocument.filter(key=SHARED_DATA_SCHEMA).values("document")
    return row[0]["document"] if row else {"type": "object"}


async def _clean(changes: ProjectChanges, *, creating: bool) -> dict[str, Any]:
    """Validate the changes; returns model field values. Raises every problem at once."""
    errors: list[DomainError] = []
    values: dict[str, Any] = {}
    if changes.name is not UNSET or creating:
        name = None if changes.name is UNSET else changes.name
        values["name"] = text(name, ["name"], max_length=NAME_MAX, required=True, errors=errors)
    if changes.description is not UNSET:
        values["description"] = (
            text(changes.description, ["description"], max_length=TEXT_MAX, errors=errors) or ""
        )
    if changes.municipality_code is not UNSET:
        if changes.municipality_code is None:
            errors.append(DomainError(ErrorCode.REQUIRED, field=["municipalityCode"]))
        else:
            try:
                values["municipality"] = await municipality_row(
                    changes.municipality_code, ["municipalityCode"]
                )
            except DomainError as exc:
                errors.append(exc)
    if changes.location is not UNSET:
        if changes.location is None:
            values["latitude"] = values["longitude"] = None
        else:
            checked = point(*changes.location, ["location"], errors=errors)
            if checked is not None:
                values["latitude"], values["longitude"] = checked
    if changes.area is not UNSET:
        values["area"] = (
            None if changes.area is None else geojson_area(changes.area, ["area"], errors=errors)
        )
    for name in ("starts_on", "ends_on"):
        value = getattr(changes, name)
        if value is not UNSET:
            values[name] = value
    if changes.shared_data is not UNSET:
        shared = changes.shared_data if changes.shared_data is not None else {}
        if not isinstance(shared, dict):
            errors.append(
                DomainError(ErrorCode.INVALID_VALUE, field=["sharedData"], detail="a JSON object")
            )
        else:
            errors += validate(
                await _shared_data_schema(), shared, draft=True, prefix=["sharedData"]
            )
            values["shared_data"] = shared
    raise_all(errors)
    return values


async def project_create(
    viewer: Viewer,
    *,
    bundle_id: int,
    organisation_id: int | None,
    changes: ProjectChanges,
    permit_type_ids: list[int] | None = None,
) -> int:
    """Create a project owned by the viewer, or by an organisation the viewer represents.

    `permit_type_ids` starts the project with those permits (the PTV deep link) as drafts.
    """
    if not policies.can_create_project_for(viewer, organisation_id):
        raise DomainError(ErrorCode.NOT_FOUND, field=["organisationId"])
    if not await ServiceBundle.exists(id=bundle_id):
        raise DomainError(ErrorCode.NOT_FOUND, field=["serviceBundleId"])
    if changes.municipality_code is UNSET:
        changes.municipality_code = None
    values = await _clean(changes, creating=True)
    municipality = values.pop("municipality")
    schedule(values.get("starts_on"), values.get("ends_on"), [], errors=(errors := []))
    raise_all(errors)
    offered = {row["id"]: row for row in await offered_permit_types(municipality)}
    for index, permit_type_id in enumerate(permit_type_ids or []):
        if permit_type_id not in offered:
            raise DomainError(
                ErrorCode.NOT_OFFERED_IN_MUNICIPALITY,
                field=["permitTypeIds", str(index)],
                municipality=municipality["code"],
            )
    async with atomic() as tx:
        project = await Project.create(
            **values,
            bundle_id=bundle_id,
            municipality_id=municipality["code"],
            owner_person_id=viewer.person_id if organisation_id is None else None,
            owner_organisation_id=organisation_id,
            created_by_id=viewer.person_id,
            using_db=tx.conn,
        )
        await Thread.create(project_id=project.id, application_id=None, using_db=tx.conn)
        for permit_type_id in dict.fromkeys(permit_type_ids or []):
            await add_application(tx, viewer, project, offered[permit_type_id])
        if permit_type_ids:
            await reminders.sync(tx, project.id)
    return project.id


async def project_update(
    viewer: Viewer, project_id: int, expected_version: int, changes: ProjectChanges
) -> int:
    async with atomic() as tx:
        access = await access_project(tx, viewer, project_id, lock=True)
        forbid_unless(policies.can_edit_project(viewer, access.facts), ["id"])
        project, applications = access.project, access.applications
        expect_version(project.version, expected_version)
        values = await _clean(changes, creating=False)
        errors: list[DomainError] = []
        starts_on: date | None = values.get("starts_on", project.starts_on)
        ends_on: date | None = values.get("ends_on", project.ends_on)
        schedule(starts_on, ends_on, [], errors=errors)
        raise_all(errors)
        municipality = values.pop("municipality", None)
        if municipality is not None and municipality["code"] != project.municipality_id:
            await _check_municipality_change(municipality, applications)
            values["municipality_id"] = municipality["code"]
        for key, value in values.items():
            setattr(project, key, value)
        project.version += 1
        await project.save(using_db=tx.conn)
        if "starts_on" in values:
            await reminders.sync(tx, project.id)
    return project.id


async def _check_municipality_change(
    municipality: dict[str, Any], applications: list[dict[str, Any]]
) -> None:
    if any(
        a["status"] != ApplicationStatus.DRAFT
        for a in applications
        if a["status"] != ApplicationStatus.WITHDRAWN
    ):
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            field=["municipalityCode"],
            detail="the municipality cannot change once applications have been submitted",
        )
    offered = {row["id"] for row in await offered_permit_types(municipality)}
    for app in applications:
        if app["status"] == ApplicationStatus.DRAFT and app["permit_type_id"] not in offered:
            raise DomainError(
                ErrorCode.NOT_OFFERED_IN_MUNICIPALITY,
                field=["municipalityCode"],
                municipality=municipality["code"],
            )
