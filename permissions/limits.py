"""Who may use the API's self-description, and whose budget a request spends: pure functions."""

from __future__ import annotations

from permissions.facts import Viewer


def can_introspect(viewer: Viewer | None, mode: str) -> bool:
    """Introspection (`__schema`, `__type`) under GRAPHQL_INTROSPECTION: everyone ("on"),
    signed-in people and systems ("signed-in", production's default) or nobody ("off")."""
    if mode == "on":
        return True
    if mode == "signed-in":
        return viewer is not None and viewer.is_authenticated
    return False


def budget_key(viewer: Viewer | None, address: str) -> str:
    """Whose cost budget a request spends: a signed-in person's or system token's own (so
    that users behind one address do not share one), otherwise the client address's."""
    if viewer is not None and viewer.person_id is not None:
        return f"person:{viewer.person_id}"
    if viewer is not None and viewer.token_id is not None:
        return f"token:{viewer.token_id}"
    return f"address:{address}"
