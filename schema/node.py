"""Relay global ids: opaque for clients, sealed so that they cannot be guessed or counted,
and checked strictly when they come back as input (models/ids.py seals and opens them, the
one place that does)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry import relay

from models.errors import DomainError, ErrorCode
from models.ids import MAX_DB_ID, decode_global_id, global_id, local_id, sealed_token

__all__ = ["MAX_DB_ID", "Node", "decode_id", "encode_id", "local_id", "parse_global_id"]


@dataclasses.dataclass
class Node(relay.Node):
    """Relay's Node, its `id` sealed: base64("<Type>:<token>") instead of the database id.

    Every Luukku type that implements Node derives from this (a test checks it). Not a
    GraphQL type itself: the schema's interface is still relay's `Node`.
    """

    @classmethod
    def resolve_id(cls, root: Any, *, info: Any) -> str:
        # what relay's own `id` would seal: kept so that it seals as `_id` does, should
        # Strawberry ever resolve a Luukku type's id with relay's field
        return sealed_token(cls.__name__, getattr(root, cls.resolve_id_attr()))

    # relay's own `id` asks for the type name through `info.path` and for the token, then
    # makes a GlobalID that base64-encodes itself when it is serialised, for every object.
    # This one answers what that serialises to (the ID scalar's value, a str), made once
    # per object (models/ids.py `global_id`, cached per key), without `info`. It is a
    # dataclass field, so that the types deriving from this class take it instead of
    # relay's; the lambda keeps the field's GraphQL type that of relay's (`ID!`), which a
    # resolver's own annotation would change.
    # (mypy: the field is typed GlobalID, its resolver answers the str that GlobalID
    # serialises to; ruff: a Strawberry field is a dataclass field)
    _id: relay.GlobalID = strawberry.field(  # type: ignore[assignment]  # noqa: RUF009
        name="id",
        description="The Globally Unique ID of this object",
        resolver=lambda self: _node_id(self),
    )


def _node_id(node: Node) -> str:
    """The global id of a Node object, named by its class (the GraphQL type's name too: a
    test checks it)."""
    cls = type(node)
    return global_id(cls.__name__, getattr(node, cls.resolve_id_attr()))


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
