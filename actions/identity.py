"""People, organisations, memberships and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from actions.base import atomic
from actions.sql import param
from models import ApiToken, Membership, Organisation, Person
from models.business_id import normalize_business_id
from models.enums import LANGUAGES, OrganisationKind, Role, TokenKind
from models.errors import DomainError, ErrorCode, excerpt, raise_all
from models.validation import NAME_MAX, email, text
from notifications.events import publish_identity_change
from permissions.facts import Viewer

TOKEN_PREFIX = "lk_"
MAX_TOKEN_LENGTH = 200


#: Called in this process when a token or a person's memberships change (viewer caches).
_on_change: list[Callable[[], None]] = []


def on_identity_change(callback: Callable[[], None]) -> None:
    _on_change.append(callback)


async def identity_changed(
    *, token_id: int | None = None, person_id: int | None = None, session_id: int | None = None
) -> None:
    """After the commit: tell this process at once, and every other one through the bus."""
    for callback in _on_change:
        callback()
    await publish_identity_change(token_id=token_id, person_id=person_id, session_id=session_id)


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
        raise DomainError(ErrorCode.DUPLICATE, field=["email"], value=excerpt(clean_email))
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
            DomainError(
                ErrorCode.INVALID_BUSINESS_ID, field=["businessId"], value=excerpt(business_id)
            )
        )
    raise_all(errors)
    assert clean_name is not None and normal is not None
    if await Organisation.exists(business_id=normal):
        raise DomainError(ErrorCode.DUPLICATE, field=["businessId"], value=excerpt(normal))
    return await Organisation.create(
        kind=kind, name={"fi": clean_name, "sv": clean_name, "en": clean_name}, business_id=normal
    )


async def membership_add(person: Person, organisation: Organisation, role: Role) -> Membership:
    authority_role = role in (Role.AUTHORITY_HANDLER, Role.AUTHORITY_ADMIN)
    if authority_role != (organisation.kind is OrganisationKind.AUTHORITY):
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            field=["role"],
            detail="{role} of a {kind}",
            role=role.value,
            kind=organisation.kind.value,
        )
    async with atomic() as tx:
        membership, created = await Membership.get_or_create(
            person=person, organisation=organisation, role=role, using_db=tx.conn
        )
        if created:
            tx.after_commit(lambda: identity_changed(person_id=person.id))
    return membership


async def membership_remove(person: Person, organisation: Organisation, role: Role) -> bool:
    """End a role; the person's live connections lose the access at once."""
    async with atomic() as tx:
        removed = (
            await Membership.filter(person_id=person.id, organisation_id=organisation.id, role=role)
            .using_db(tx.conn)
            .delete()
        )
        if removed:
            tx.after_commit(lambda: identity_changed(person_id=person.id))
    return removed > 0


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
    """Revoke a token; live connections using it are closed at once."""
    async with atomic() as tx:
        updated = (
            await ApiToken.filter(id=token_id, revoked_at=None)
            .using_db(tx.conn)
            .update(revoked_at=now)
        )
        if updated:
            tx.after_commit(lambda: identity_changed(token_id=token_id))
    return updated > 0


#: The token with its person and the person's memberships, one row per membership (a token
#: without a person, or a person without memberships, gives one row with NULLs there).
_TOKEN_SQL = (
    "SELECT t.id, t.kind, t.label, t.expires_at, t.organisation_id, t.person_id,"
    " p.name, p.language, p.is_active, p.is_operator, m.organisation_id, m.role"
    " FROM api_token t"
    " LEFT JOIN person p ON p.id = t.person_id"
    " LEFT JOIN membership m ON m.person_id = t.person_id"
    " WHERE t.token_hash = {hash} AND t.revoked_at IS NULL"
)

#: how Tortoise reads `ApiToken.expires_at` (SQLite gives text, asyncpg an aware datetime)
_EXPIRES = ApiToken._meta.fields_map["expires_at"]


async def viewer_for_token(token: str) -> Viewer | None:
    """The viewer for a valid, unexpired, unrevoked token; None otherwise. One statement:
    a request whose viewer is not cached pays it before anything else."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    conn = connections.get("default")
    _, rows = await conn.execute_query(_TOKEN_SQL.format(hash=param(conn)(1)), [hash_token(token)])
    if not rows:
        return None
    first = rows[0]
    token_id, kind, label, expires, organisation_id, person_id = first[:6]
    expires_at = _EXPIRES.to_python_value(expires)
    if expires_at is not None and expires_at <= datetime.now(UTC):
        return None
    if TokenKind(kind) is TokenKind.AUTHORITY_SYSTEM:
        return Viewer(
            system_authority_id=organisation_id,
            name=label,
            token_id=token_id,
            expires_at=expires_at,
        )
    name, language, is_active, is_operator = first[6:10]
    if not is_active:
        return None
    memberships = [(row[10], Role(row[11])) for row in rows if row[10] is not None]
    return _viewer_of(
        person_id, name, language, bool(is_operator), token_id, memberships, expires_at
    )


async def viewer_for_person(person: Person, conn: BaseDBAsyncClient | None = None) -> Viewer:
    """The viewer of a person acting in their own name (the CLI and demo seeding use this; an
    action deciding about someone else reads it with its transaction's `conn`)."""
    return await _person_viewer(
        person.id, person.name, person.language, person.is_operator, None, conn
    )


async def _person_viewer(
    person_id: int,
    name: str,
    language: str,
    is_operator: bool,
    token_id: int | None,
    conn: BaseDBAsyncClient | None = None,
) -> Viewer:
    memberships = Membership.filter(person_id=person_id)
    if conn is not None:
        memberships = memberships.using_db(conn)
    rows = await memberships.values_list("organisation_id", "role")
    return _viewer_of(person_id, name, language, is_operator, token_id, rows)


def _viewer_of(
    person_id: int,
    name: str,
    language: str,
    is_operator: bool,
    token_id: int | None,
    memberships: Iterable[tuple[int, Role]],
    expires_at: datetime | None = None,
) -> Viewer:
    """The viewer of a person with these (organisation id, role) memberships."""
    represented: set[int] = set()
    handler_of: set[int] = set()
    admin_of: set[int] = set()
    for org, role in memberships:
        if role == Role.CUSTOMER_REPRESENTATIVE:
            represented.add(org)
        elif role == Role.AUTHORITY_HANDLER:
            handler_of.add(org)
        elif role == Role.AUTHORITY_ADMIN:
            admin_of.add(org)
            handler_of.add(org)
    return Viewer(
        person_id=person_id,
        name=name,
        language=language,
        represented=frozenset(represented),
        handler_of=frozenset(handler_of),
        admin_of=frozenset(admin_of),
        is_operator=is_operator,
        token_id=token_id,
        expires_at=expires_at,
    )
