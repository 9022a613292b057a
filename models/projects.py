"""Projects, applications and their status history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import ApplicationOrigin, Certainty
from models.statuses import ApplicationStatus

if TYPE_CHECKING:
    from models.catalogue import Municipality, PermitType, ServiceBundle
    from models.identity import Organisation, Person


class Project(Model):
    """A customer's project (hanke). Owned by a person or by an organisation."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    bundle: fields.ForeignKeyRelation[ServiceBundle] = fields.ForeignKeyField(
        "models.ServiceBundle", related_name="projects", on_delete=fields.RESTRICT
    )
    bundle_id: int
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "models.Municipality", related_name="projects", on_delete=fields.RESTRICT
    )
    municipality_id: str
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    area: fields.JSONField[dict[str, Any] | None] = fields.JSONField(
        null=True, description="GeoJSON Polygon or MultiPolygon (WGS84)"
    )
    starts_on = fields.DateField(null=True)
    ends_on = fields.DateField(null=True)
    shared_data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    owner_person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="owned_projects", null=True, on_delete=fields.RESTRICT
    )
    owner_person_id: int | None
    owner_organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="projects", null=True, on_delete=fields.RESTRICT
    )
    owner_organisation_id: int | None
    created_by: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="created_projects", on_delete=fields.RESTRICT
    )
    created_by_id: int
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "project"
        indexes = (
            Index(fields=("owner_person_id", "id")),
            Index(fields=("owner_organisation_id", "id")),
        )


class Application(Model):
    """One permit application of a project, addressed to one authority."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="applications", on_delete=fields.RESTRICT
    )
    project_id: int
    permit_type: fields.ForeignKeyRelation[PermitType] = fields.ForeignKeyField(
        "models.PermitType", related_name="applications", on_delete=fields.RESTRICT
    )
    permit_type_id: int
    authority: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="applications", on_delete=fields.RESTRICT
    )
    authority_id: int
    status = fields.CharEnumField(ApplicationStatus, max_length=24, default=ApplicationStatus.DRAFT)
    is_shared = fields.BooleanField(default=False, description="Draft visible to authorities")
    content: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    origin = fields.CharEnumField(ApplicationOrigin, max_length=8, default=ApplicationOrigin.MANUAL)
    certainty = fields.CharEnumField(Certainty, max_length=8, null=True)
    version = fields.IntField(default=1)
    created_by: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="created_applications", on_delete=fields.RESTRICT
    )
    created_by_id: int
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    submitted_at = fields.DatetimeField(null=True)
    submitted_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="submitted_applications", null=True, on_delete=fields.RESTRICT
    )
    submitted_by_id: int | None
    assigned_to: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="assigned_applications", null=True, on_delete=fields.RESTRICT
    )
    assigned_to_id: int | None
    assigned_at = fields.DatetimeField(null=True)
    notice_email = fields.CharField(max_length=254, null=True)
    final_at = fields.DatetimeField(null=True)

    class Meta:
        table = "application"
        indexes = (
            Index(fields=("project_id", "id")),
            # the inbox: filters by status or assignee, pages in the order of submission
            # or of the last change (keyset on the order column and id)
            Index(fields=("authority_id", "status", "submitted_at")),
            Index(fields=("authority_id", "assigned_to_id", "submitted_at")),
            Index(fields=("authority_id", "submitted_at", "id")),
            Index(fields=("authority_id", "updated_at", "id")),
        )


class InboxCount(Model):
    """How many submitted applications an authority has in one status.

    The inbox's `totalCount` reads these instead of counting an authority's applications
    (143,000 open ones for the largest authority in the benchmark: 9 ms of PostgreSQL per
    request). `actions.applications.save` keeps them in the same transaction as the change;
    `luukku inbox recount` rebuilds them from the applications.
    """

    id = fields.IntField(primary_key=True)
    authority_id = fields.IntField(description="The addressed authority (organisation id)")
    status = fields.CharEnumField(ApplicationStatus, max_length=24)
    total = fields.IntField(default=0, description="Submitted applications in this status")

    class Meta:
        table = "inbox_count"
        unique_together = (("authority_id", "status"),)


class StatusChange(Model):
    """One entry of an application's status history."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="status_changes", on_delete=fields.CASCADE
    )
    application_id: int
    from_status = fields.CharEnumField(ApplicationStatus, max_length=24, null=True)
    to_status = fields.CharEnumField(ApplicationStatus, max_length=24)
    actor: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="status_changes", null=True, on_delete=fields.RESTRICT
    )
    actor_id: int | None
    actor_label = fields.CharField(max_length=200, default="")
    acting_for: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="status_changes", null=True, on_delete=fields.RESTRICT
    )
    acting_for_id: int | None
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "status_change"
        indexes = (Index(fields=("application_id", "id")),)
