"""People, organisations (companies, associations, authorities), memberships and tokens."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import AuthorityScope, OrganisationKind, Role, TokenKind


class Organisation(Model):
    """A company, an association or an authority.

    Authorities also carry their service area: LOCAL ones serve `municipalities`,
    NATIONAL ones the whole country except Åland.
    """

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(OrganisationKind, max_length=16)
    code = fields.CharField(max_length=64, unique=True, null=True)
    name: fields.JSONField[dict[str, str]] = fields.JSONField(description="Name in fi, sv and en")
    business_id = fields.CharField(max_length=9, unique=True, null=True)
    scope = fields.CharEnumField(AuthorityScope, max_length=8, null=True)
    municipalities: fields.JSONField[list[str]] = fields.JSONField(default=list)
    system_endpoint = fields.CharField(max_length=500, null=True)
    system_secrets: fields.JSONField[list[str]] = fields.JSONField(
        default=list, description="Webhook signing secrets, newest first (rotation: sign with all)"
    )
    system_xroad_service = fields.CharField(max_length=255, null=True)
    notification_email = fields.CharField(
        max_length=254, null=True, description="Authorities: where statement requests are sent"
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organisation"


class Person(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254, unique=True)
    language = fields.CharField(max_length=2, default="fi")
    is_operator = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "person"


class Membership(Model):
    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="memberships", on_delete=fields.CASCADE
    )
    person_id: int
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="memberships", on_delete=fields.CASCADE
    )
    organisation_id: int
    role = fields.CharEnumField(Role, max_length=32)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "membership"
        unique_together = (("person", "organisation", "role"),)


class ApiToken(Model):
    """An opaque bearer token. Only its SHA-256 hash is stored."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    kind = fields.CharEnumField(TokenKind, max_length=24)
    label = fields.CharField(max_length=200)
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="tokens", null=True, on_delete=fields.CASCADE
    )
    person_id: int | None
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="tokens", null=True, on_delete=fields.CASCADE
    )
    organisation_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
