"""Authentication: from a bearer token to the Viewer the policies decide on."""

from __future__ import annotations

from actions.identity import viewer_for_person, viewer_for_token

__all__ = ["bearer_token", "viewer_for_person", "viewer_for_token"]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
