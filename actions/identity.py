"""People, organisations, memberships and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from tortoise.transactions import in_transaction

from models import ApiToken, Membership, Organisation, Person
from models.business_id import normalize_business_id
from models.enums import LANGUAGES, OrganisationKind, Role, TokenKind
from models.errors import DomainError, ErrorCode, raise_all
from models.validation import NAME_MAX, email, text

TOKEN_PREFIX = "lk_"


def hash_token(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is a safe one-way hash for them."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def person_create(
    name: str, email_address: str, language: str = "fi", *, is_operator: bool = False
) -> Person:
    errors: list[DomainError] = []
    clean_name = text(name, ["name"], max_length=NAME_MAX, required=True, errors=errors)
    clean_email = email(email_address, ["email"], errors=errors)
    if language not in LANGUAGES:
        errors.append(
            DomainError(ErrorCode.INVALID_VALUE, field=["language"], detail="fi, sv or en")
        )
    raise_all(errors)
    assert clean_name is not None and clean_email is not None
    if await Person.exists(email=clean_email.lower()):
        raise DomainError(ErrorCode.DUPLICATE, field=["email"], detail=clean_email)
    return await Person.create(
        name=clean_name, email=clean_email.lower(), language=language, is_operator=is_operator
    )


async def organisation_create(kind: OrganisationKind, name: str, business_id: str) -> Organisation:
    """A company or an association, identified by a valid business ID (Y-tunnus)."""
    if kind is OrganisationKind.AUTHORITY:
        raise DomainError(
            ErrorCode.INVALID_VALUE, field=["kind"], detail="authorities come from the catalogue"
        )
    errors: list[DomainError] = []
    clean_name = text(name, ["name"], max_length=NAME_MAX, required=True, errors=errors)
    normal = normalize_business_id(business_id)
    if normal is None:
        errors.append(
            DomainError(ErrorCode.INVALID_BUSINESS_ID, field=["businessId"], value=business_id[:20])
        )
    raise_all(errors)
    assert clean_name is not None and normal is not None
    if await Organisation.exists(business_id=normal):
        raise DomainError(ErrorCode.DUPLICATE, field=["businessId"], detail=normal)
    return await Organisation.create(
        kind=kind, name={"fi": clean_name, "sv": clean_name, "en": clean_name}, business_id=normal
    )


async def membership_add(person: Person, organisation: Organisation, role: Role) -> Membership:
    authority_role = role in (Role.AUTHORITY_HANDLER, Role.AUTHORITY_ADMIN)
    if authority_role != (organisation.kind is OrganisationKind.AUTHORITY):
        raise DomainError(
            ErrorCode.INVALID_VALUE, field=["role"], detail=f"{role} of a {organisation.kind}"
        )
    membership, _ = await Membership.get_or_create(
        person=person, organisation=organisation, role=role
    )
    return membership


async def token_issue(
    *,
    label: str,
    person: Person | None = None,
    authority: Organisation | None = None,
    expires_at: datetime | None = None,
) -> str:
    """Issue a bearer token for a person, or an API-client token for an authority's system.

    Returns the token itself; only its hash is stored, so it cannot be shown again.
    """
    if (person is None) == (authority is None):
        raise ValueError("a token is for a person or for an authority system")
    if authority is not None and authority.kind is not OrganisationKind.AUTHORITY:
        raise DomainError(ErrorCode.INVALID_VALUE, field=["authority"], detail="not an authority")
    token = new_token()
    await ApiToken.create(
        token_hash=hash_token(token),
        kind=TokenKind.PERSONAL if person is not None else TokenKind.AUTHORITY_SYSTEM,
        label=label[:200],
        person=person,
        organisation=authority,
        expires_at=expires_at,
    )
    return token


async def token_revoke(token_id: int, now: datetime) -> bool:
    async with in_transaction() as conn:
        updated = (
            await ApiToken.filter(id=token_id, revoked_at=None)
            .using_db(conn)
            .update(revoked_at=now)
        )
    return updated > 0
