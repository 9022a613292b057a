from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from models.enums import (
    ApplicationOrigin,
    AuthorityScope,
    Certainty,
    Channel,
    OrganisationKind,
    Role,
    TokenKind,
)
from models.statuses import ApplicationStatus


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="CatalogueDocument",
            fields=[
                (
                    "key",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64),
                ),
                ("document", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={
                "table": "catalogue_document",
                "app": "models",
                "pk_attr": "key",
                "table_description": "A catalogue-wide document, such as the JSON Schema of the projects' shared data.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Municipality",
            fields=[
                (
                    "code",
                    fields.CharField(
                        primary_key=True,
                        unique=True,
                        db_index=True,
                        description="Statistics Finland code",
                        max_length=3,
                    ),
                ),
                (
                    "name",
                    fields.JSONField(
                        description="Name in fi, sv and en", encoder=JSON_DUMPS, decoder=loads
                    ),
                ),
                (
                    "is_aland",
                    fields.BooleanField(
                        default=False, description="In Åland (national authorities do not serve it)"
                    ),
                ),
            ],
            options={"table": "municipality", "app": "models", "pk_attr": "code"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Organisation",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="COMPANY: COMPANY\nASSOCIATION: ASSOCIATION\nAUTHORITY: AUTHORITY",
                        enum_type=OrganisationKind,
                        max_length=16,
                    ),
                ),
                ("code", fields.CharField(null=True, unique=True, max_length=64)),
                (
                    "name",
                    fields.JSONField(
                        description="Name in fi, sv and en", encoder=JSON_DUMPS, decoder=loads
                    ),
                ),
                ("business_id", fields.CharField(null=True, unique=True, max_length=9)),
                (
                    "scope",
                    fields.CharEnumField(
                        null=True,
                        description="LOCAL: LOCAL\nNATIONAL: NATIONAL",
                        enum_type=AuthorityScope,
                        max_length=8,
                    ),
                ),
                (
                    "municipalities",
                    fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
                ),
                ("system_endpoint", fields.CharField(null=True, max_length=500)),
                ("system_xroad_service", fields.CharField(null=True, max_length=255)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "organisation",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A company, an association or an authority.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PermitKind",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("code", fields.CharField(unique=True, max_length=64)),
                ("name", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ("description", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={
                "table": "permit_kind",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A kind of permit (e.g. the rescue plan), offered by one or more authorities.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PermitType",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("code", fields.CharField(unique=True, max_length=100)),
                (
                    "kind",
                    fields.ForeignKeyField(
                        "models.PermitKind",
                        source_field="kind_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="permit_types",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "authority",
                    fields.ForeignKeyField(
                        "models.Organisation",
                        source_field="authority_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="permit_types",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "bundles",
                    fields.JSONField(
                        default=list,
                        description="Service bundle codes",
                        encoder=JSON_DUMPS,
                        decoder=loads,
                    ),
                ),
                ("name", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ("description", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                (
                    "channel",
                    fields.CharEnumField(
                        description="API: API\nLIGHT: LIGHT", enum_type=Channel, max_length=8
                    ),
                ),
                ("notification_email", fields.CharField(max_length=254)),
                ("processing_days", fields.IntField()),
                ("lead_time_days", fields.IntField(null=True)),
                ("legal_basis", fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ("ptv_service_id", fields.CharField(unique=True, max_length=36)),
                ("form_schema", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                (
                    "required_shared_data",
                    fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
                ),
                ("sort_order", fields.IntField(default=0)),
            ],
            options={
                "table": "permit_type",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A permit as one authority offers it: the unit a customer applies for.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Person",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=200)),
                ("email", fields.CharField(unique=True, max_length=254)),
                ("language", fields.CharField(default="fi", max_length=2)),
                ("is_operator", fields.BooleanField(default=False)),
                ("is_active", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "person", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="PERSONAL: PERSONAL\nAUTHORITY_SYSTEM: AUTHORITY_SYSTEM",
                        enum_type=TokenKind,
                        max_length=24,
                    ),
                ),
                ("label", fields.CharField(max_length=200)),
                (
                    "person",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="person_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "organisation",
                    fields.ForeignKeyField(
                        "models.Organisation",
                        source_field="organisation_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("expires_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "api_token",
                "app": "models",
                "pk_attr": "id",
                "table_description": "An opaque bearer token. Only its SHA-256 hash is stored.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "person",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="person_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="memberships",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "organisation",
                    fields.ForeignKeyField(
                        "models.Organisation",
                        source_field="organisation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="memberships",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "role",
                    fields.CharEnumField(
                        description="CUSTOMER_REPRESENTATIVE: CUSTOMER_REPRESENTATIVE\nAUTHORITY_HANDLER: AUTHORITY_HANDLER\nAUTHORITY_ADMIN: AUTHORITY_ADMIN",
                        enum_type=Role,
                        max_length=32,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "membership",
                "app": "models",
                "unique_together": (("person", "organisation", "role"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ServiceBundle",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("code", fields.CharField(unique=True, max_length=64)),
                ("name", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ("description", fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                (
                    "questions",
                    fields.JSONField(
                        description="Survey questions, see models/survey.py",
                        encoder=JSON_DUMPS,
                        decoder=loads,
                    ),
                ),
                (
                    "rules",
                    fields.JSONField(
                        description="Survey rules, see models/survey.py",
                        encoder=JSON_DUMPS,
                        decoder=loads,
                    ),
                ),
                ("sort_order", fields.IntField(default=0)),
            ],
            options={"table": "service_bundle", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Project",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=200)),
                ("description", fields.TextField(default="", unique=False)),
                (
                    "bundle",
                    fields.ForeignKeyField(
                        "models.ServiceBundle",
                        source_field="bundle_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="projects",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "municipality",
                    fields.ForeignKeyField(
                        "models.Municipality",
                        source_field="municipality_id",
                        db_constraint=True,
                        to_field="code",
                        related_name="projects",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("latitude", fields.FloatField(null=True)),
                ("longitude", fields.FloatField(null=True)),
                (
                    "area",
                    fields.JSONField(
                        null=True,
                        description="GeoJSON Polygon or MultiPolygon (WGS84)",
                        encoder=JSON_DUMPS,
                        decoder=loads,
                    ),
                ),
                ("starts_on", fields.DateField(null=True)),
                ("ends_on", fields.DateField(null=True)),
                ("shared_data", fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                (
                    "owner_person",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="owner_person_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="owned_projects",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "owner_organisation",
                    fields.ForeignKeyField(
                        "models.Organisation",
                        source_field="owner_organisation_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="projects",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="created_by_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="created_projects",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("version", fields.IntField(default=1)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "project",
                "app": "models",
                "indexes": [
                    Index(fields=["owner_person_id", "id"]),
                    Index(fields=["owner_organisation_id", "id"]),
                ],
                "pk_attr": "id",
                "table_description": "A customer's project (hanke). Owned by a person or by an organisation.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Application",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "project",
                    fields.ForeignKeyField(
                        "models.Project",
                        source_field="project_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="applications",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "permit_type",
                    fields.ForeignKeyField(
                        "models.PermitType",
                        source_field="permit_type_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="applications",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "authority",
                    fields.ForeignKeyField(
                        "models.Organisation",
                        source_field="authority_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="applications",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=ApplicationStatus.DRAFT,
                        description="DRAFT: DRAFT\nNOT_STARTED: NOT_STARTED\nIN_PROGRESS: IN_PROGRESS\nINFORMATION_REQUESTED: INFORMATION_REQUESTED\nAPPROVED: APPROVED\nPARTIALLY_APPROVED: PARTIALLY_APPROVED\nREJECTED: REJECTED\nDISMISSED: DISMISSED\nWITHDRAWN: WITHDRAWN\nLAPSED: LAPSED\nTRANSFERRED: TRANSFERRED\nNOT_REQUIRED: NOT_REQUIRED\nPROCESSED: PROCESSED",
                        enum_type=ApplicationStatus,
                        max_length=24,
                    ),
                ),
                (
                    "is_shared",
                    fields.BooleanField(default=False, description="Draft visible to authorities"),
                ),
                ("content", fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                (
                    "origin",
                    fields.CharEnumField(
                        default=ApplicationOrigin.MANUAL,
                        description="SURVEY: SURVEY\nMANUAL: MANUAL",
                        enum_type=ApplicationOrigin,
                        max_length=8,
                    ),
                ),
                (
                    "certainty",
                    fields.CharEnumField(
                        null=True,
                        description="CERTAIN: CERTAIN\nPOSSIBLE: POSSIBLE",
                        enum_type=Certainty,
                        max_length=8,
                    ),
                ),
                ("version", fields.IntField(default=1)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="created_by_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="created_applications",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "submitted_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "submitted_by",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="submitted_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="submitted_applications",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "assigned_to",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="assigned_to_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="assigned_applications",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "assigned_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("notice_email", fields.CharField(null=True, max_length=254)),
                ("final_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "application",
                "app": "models",
                "indexes": [
                    Index(fields=["project_id", "id"]),
                    Index(fields=["authority_id", "status", "submitted_at"]),
                    Index(fields=["authority_id", "assigned_to_id", "submitted_at"]),
                ],
                "pk_attr": "id",
                "table_description": "One permit application of a project, addressed to one authority.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StatusChange",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "application",
                    fields.ForeignKeyField(
                        "models.Application",
                        source_field="application_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="status_changes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "from_status",
                    fields.CharEnumField(
                        null=True,
                        description="DRAFT: DRAFT\nNOT_STARTED: NOT_STARTED\nIN_PROGRESS: IN_PROGRESS\nINFORMATION_REQUESTED: INFORMATION_REQUESTED\nAPPROVED: APPROVED\nPARTIALLY_APPROVED: PARTIALLY_APPROVED\nREJECTED: REJECTED\nDISMISSED: DISMISSED\nWITHDRAWN: WITHDRAWN\nLAPSED: LAPSED\nTRANSFERRED: TRANSFERRED\nNOT_REQUIRED: NOT_REQUIRED\nPROCESSED: PROCESSED",
                        enum_type=ApplicationStatus,
                        max_length=24,
                    ),
                ),
                (
                    "to_status",
                    fields.CharEnumField(
                        description="DRAFT: DRAFT\nNOT_STARTED: NOT_STARTED\nIN_PROGRESS: IN_PROGRESS\nINFORMATION_REQUESTED: INFORMATION_REQUESTED\nAPPROVED: APPROVED\nPARTIALLY_APPROVED: PARTIALLY_APPROVED\nREJECTED: REJECTED\nDISMISSED: DISMISSED\nWITHDRAWN: WITHDRAWN\nLAPSED: LAPSED\nTRANSFERRED: TRANSFERRED\nNOT_REQUIRED: NOT_REQUIRED\nPROCESSED: PROCESSED",
                        enum_type=ApplicationStatus,
                        max_length=24,
                    ),
                ),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="status_changes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("actor_label", fields.CharField(default="", max_length=200)),
                (
                    "acting_for",
                    fields.ForeignKeyField(
                        "models.Organisation",
                        source_field="acting_for_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="status_changes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("comment", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "status_change",
                "app": "models",
                "indexes": [Index(fields=["application_id", "id"])],
                "pk_attr": "id",
                "table_description": "One entry of an application's status history.",
            },
            bases=["Model"],
        ),
    ]
