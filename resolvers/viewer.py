"""Authentication: from a bearer token to the Viewer the policies decide on."""

from __future__ import annotations

from datetime import UTC, datetime

from actions.identity import TOKEN_PREFIX, hash_token
from models import ApiToken, Membership
from models.enums import Role, TokenKind
from permissions.facts import Viewer

MAX_TOKEN_LENGTH = 200


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def viewer_for_token(token: str) -> Viewer | None:
    """The viewer for a valid, unexpired, unrevoked token; None otherwise."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    rows = await ApiToken.filter(token_hash=hash_token(token), revoked_at=None).values(
        "id",
        "kind",
        "label",
        "expires_at",
        "organisation_id",
        "person_id",
        person_name="person__name",
        person_language="person__language",
        person_active="person__is_active",
        person_operator="person__is_operator",
    )
    if not rows:
        return None
    row = rows[0]
    if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
        return None
    if row["kind"] == TokenKind.AUTHORITY_SYSTEM:
        return Viewer(
            system_authority_id=row["organisation_id"], name=row["label"], token_id=row["id"]
        )
    if not row["person_active"]:
        return None
    represented: set[int] = set()
    handler_of: set[int] = set()
    admin_of: set[int] = set()
    for membership in await Membership.filter(person_id=row["person_id"]).values(
        "organisation_id", "role"
    ):
        org, role = membership["organisation_id"], membership["role"]
        if role == Role.CUSTOMER_REPRESENTATIVE:
            represented.add(org)
        elif role == Role.AUTHORITY_HANDLER:
            handler_of.add(org)
        elif role == Role.AUTHORITY_ADMIN:
            admin_of.add(org)
            handler_of.add(org)
    return Viewer(
        person_id=row["person_id"],
        name=row["person_name"],
        language=row["person_language"],
        represented=frozenset(represented),
        handler_of=frozenset(handler_of),
        admin_of=frozenset(admin_of),
        is_operator=row["person_operator"],
        token_id=row["id"],
    )
