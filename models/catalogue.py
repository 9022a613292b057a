"""The public catalogue: municipalities, service bundles, permit kinds and permit types.

Loaded from the data files under data/catalogue by `luukku catalogue load`; read-only
at run time. Texts are JSON objects {"fi": ..., "sv": ..., "en": ...}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from models.enums import Channel

if TYPE_CHECKING:
    from models.identity import Organisation


class Municipality(Model):
    code = fields.CharField(max_length=3, primary_key=True, description="Statistics Finland code")
    name: fields.JSONField[dict[str, str]] = fields.JSONField(description="Name in fi, sv and en")
    is_aland = fields.BooleanField(
        default=False, description="In Åland (national authorities do not serve it)"
    )

    class Meta:
        table = "municipality"


class ServiceBundle(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name: fields.JSONField[dict[str, str]] = fields.JSONField()
    description: fields.JSONField[dict[str, str]] = fields.JSONField()
    questions: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(
        description="Survey questions, see models/survey.py"
    )
    rules: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(
        description="Survey rules, see models/survey.py"
    )
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "service_bundle"


class PermitKind(Model):
    """A kind of permit (e.g. the rescue plan), offered by one or more authorities."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name: fields.JSONField[dict[str, str]] = fields.JSONField()
    description: fields.JSONField[dict[str, str]] = fields.JSONField()
    requires: fields.JSONField[list[str]] = fields.JSONField(
        default=list,
        description="Codes of the kinds whose decision an application of this kind needs "
        "before it is submitted (the permit plan's dependencies)",
    )

    class Meta:
        table = "permit_kind"


class PermitType(Model):
    """A permit as one authority offers it: the unit a customer applies for."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=100, unique=True)
    kind: fields.ForeignKeyRelation[PermitKind] = fields.ForeignKeyField(
        "models.PermitKind", related_name="permit_types", on_delete=fields.RESTRICT
    )
    kind_id: int
    authority: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="permit_types", on_delete=fields.RESTRICT
    )
    authority_id: int
    bundles: fields.JSONField[list[str]] = fields.JSONField(
        default=list, description="Service bundle codes"
    )
    name: fields.JSONField[dict[str, str]] = fields.JSONField()
    description: fields.JSONField[dict[str, str]] = fields.JSONField()
    channel = fields.CharEnumField(Channel, max_length=8)
    notification_email = fields.CharField(max_length=254)
    processing_days = fields.IntField()
    lead_time_days = fields.IntField(null=True)
    legal_basis: fields.JSONField[dict[str, str] | None] = fields.JSONField(null=True)
    ptv_service_id = fields.CharField(max_length=36, unique=True)
    form_schema: fields.JSONField[dict[str, Any]] = fields.JSONField()
    required_shared_data: fields.JSONField[list[str]] = fields.JSONField(default=list)
    attachment_requirements: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(
        default=list, description="The attachments it needs: kind, name, required, types, maxBytes"
    )
    attachment_types: fields.JSONField[list[str]] = fields.JSONField(
        default=list, description="Content types allowed for attachments without a requirement"
    )
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "permit_type"


class CatalogueDocument(Model):
    """A catalogue-wide document, such as the JSON Schema of the projects' shared data."""

    key = fields.CharField(max_length=64, primary_key=True)
    document: fields.JSONField[dict[str, Any]] = fields.JSONField()

    class Meta:
        table = "catalogue_document"


SHARED_DATA_SCHEMA = "shared_data_schema"
#: data/catalogue/attachment_types.json: the default allow-list and every type's label
ATTACHMENT_TYPES = "attachment_types"


def authority_serves(
    scope: str | None, municipalities: list[str] | None, municipality_code: str, is_aland: bool
) -> bool:
    """Local authorities serve their listed municipalities; national ones all but Åland."""
    if scope == "NATIONAL":
        return not is_aland
    return municipality_code in (municipalities or [])
