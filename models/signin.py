"""Sign-in: who a person is at an issuer, browser sessions, pending logins, mapped roles.

Nothing here holds a personal identity code: `PersonCodeIndex` keeps only a keyed HMAC of
it (a blind index), and ID tokens are never stored.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.identity import Membership, Organisation, Person

#: E-mail domain of people whose issuer sent no address: reserved (RFC 2606), never mailed.
NO_EMAIL_DOMAIN = "no-email.invalid"


def has_real_email(address: str) -> bool:
    return not address.endswith("@" + NO_EMAIL_DOMAIN)


class PersonIdentity(Model):
    """A person as an OpenID Connect issuer knows them: (issuer, subject)."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="identities", on_delete=fields.CASCADE
    )
    person_id: int
    issuer = fields.CharField(max_length=500)
    subject = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "person_identity"
        unique_together = (("issuer", "subject"),)
        table_description = "Who a person is at an OpenID Connect issuer (its iss and sub)."


class PersonCodeIndex(Model):
    """A personal identity code as a keyed HMAC (blind index), never the code itself."""

    id = fields.IntField(primary_key=True)
    person: fields.OneToOneRelation[Person] = fields.OneToOneField(
        "models.Person", related_name="code_index", on_delete=fields.CASCADE
    )
    person_id: int
    key_version = fields.IntField(description="Version of the HMAC key (HETU_INDEX_KEYS)")
    digest = fields.CharField(max_length=64, unique=True, description="HMAC-SHA256, hex")

    class Meta:
        table = "person_code_index"
        table_description = (
            "Blind index of personal identity codes: the same person across issuers."
        )


class AuthSession(Model):
    """A browser session: the cookie holds a random value, only its SHA-256 is stored."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="sessions", on_delete=fields.CASCADE
    )
    person_id: int
    provider = fields.CharField(max_length=64, description="The configured provider's name")
    issuer = fields.CharField(max_length=500)
    subject = fields.CharField(max_length=255)
    issuer_sid = fields.CharField(max_length=255, null=True, description="The ID token's sid")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(description="Absolute end, whatever the activity")
    revoked_at = fields.DatetimeField(null=True)
    acting_for: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation",
        related_name="sessions_acting_for",
        null=True,
        on_delete=fields.SET_NULL,
    )
    acting_for_id: int | None
    mandate: fields.JSONField[dict[str, Any] | None] = fields.JSONField(
        null=True,
        description="The mandate answer: service, organisations with roles, checked_at, and "
        "the mandate service's own session (for re-checks)",
    )

    class Meta:
        table = "auth_session"
        indexes = (Index(fields=("person_id", "revoked_at")),)
        table_description = "Browser sessions (revocable, with idle and absolute lifetimes)."


class AuthRequest(Model):
    """A login or mandate selection under way: its state, nonce and PKCE verifier. One use."""

    id = fields.IntField(primary_key=True)
    state_hash = fields.CharField(max_length=64, unique=True)
    browser_hash = fields.CharField(
        max_length=64, description="SHA-256 of the login cookie that binds it to one browser"
    )
    kind = fields.CharField(max_length=16, description="LOGIN or MANDATE")
    provider = fields.CharField(max_length=64)
    nonce = fields.CharField(max_length=128)
    code_verifier = fields.CharField(max_length=128)
    return_to = fields.CharField(max_length=500)
    session: fields.ForeignKeyNullableRelation[AuthSession] = fields.ForeignKeyField(
        "models.AuthSession", related_name="requests", null=True, on_delete=fields.CASCADE
    )
    session_id: int | None
    extra: fields.JSONField[dict[str, Any]] = fields.JSONField(
        default=dict, description="Mandate service's session id etc."
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "auth_request"
        table_description = "Logins under way (state, nonce, PKCE), each used once."


class MembershipGrant(Model):
    """A membership that a mapping rule gave at sign-in (removed when the rule stops matching)."""

    id = fields.IntField(primary_key=True)
    membership: fields.OneToOneRelation[Membership] = fields.OneToOneField(
        "models.Membership", related_name="grant", on_delete=fields.CASCADE
    )
    membership_id: int
    issuer = fields.CharField(max_length=500)
    rule = fields.CharField(max_length=300, description="The rule that matched, as text")
    granted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "membership_grant"
        table_description = "Memberships given by an issuer's mapping rules at sign-in."
