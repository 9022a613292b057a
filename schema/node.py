"""Relay global ids: opaque for clients, sealed so that they cannot be guessed or counted,
and checked strictly when they come back as input (models/ids.py seals and opens them, the
one place that does)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from strawberry import relay

from models.errors import DomainError, ErrorCode
from models.ids import MAX_DB_ID, decode_global_id, global_id, local_id, sealed_token

__all__ = ["MAX_DB_ID", "Node", "decode_id", "encode_id", "local_id", "parse_global_id"]


class Node(relay.Node):
    """Relay's Node, its `id` sealed: base64("<Type>:<token>") instead of the database id.

    Every Luukku type that implements Node derives from this (a test checks it). Not a
    GraphQL type itself: the schema's interface is still relay's `Node`.
    """

    @classmethod
    def resolve_id(cls, root: Any, *, info: Any) -> str:
        return sealed_token(cls.__name__, getattr(root, cls.resolve_id_attr()))


def parse_global_id(value: str, type_name: str) -> int | None:
    """The database id inside a global id of `type_name`, or None if it is not one."""
    decoded = decode_global_id(value)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]


def decode_id(value: str, type_name: str, field: Sequence[str]) -> int:
    """Like parse_global_id, but raises NOT_FOUND (with the field path) for a bad id."""
    db_id = parse_global_id(value, type_name)
    if db_id is None:
        raise DomainError(ErrorCode.NOT_FOUND, field=field)
    return db_id


def encode_id(type_name: str, db_id: int) -> str:
    return global_id(type_name, db_id)
