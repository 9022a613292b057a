"""Relay global ids: opaque for clients, checked strictly when they come back as input."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.relay import GlobalID

from models.errors import DomainError, ErrorCode
from models.ids import global_id

#: PostgreSQL `integer` primary keys: larger ids cannot exist.
MAX_DB_ID = 2**31 - 1


def parse_global_id(value: str, type_name: str) -> int | None:
    """The database id inside a global id of `type_name`, or None if it is not one."""
    try:
        global_id = GlobalID.from_id(value)
    except Exception:  # any malformed id is simply "not found"
        return None
    if global_id.type_name != type_name or not global_id.node_id.isdigit():
        return None
    db_id = int(global_id.node_id)
    return db_id if 0 < db_id <= MAX_DB_ID else None


def decode_id(value: str, type_name: str, field: Sequence[str]) -> int:
    """Like parse_global_id, but raises NOT_FOUND (with the field path) for a bad id."""
    db_id = parse_global_id(value, type_name)
    if db_id is None:
        raise DomainError(ErrorCode.NOT_FOUND, field=field)
    return db_id


def encode_id(type_name: str, db_id: int) -> str:
    return global_id(type_name, db_id)
