"""Relay global ids: opaque for clients, checked strictly when they come back as input
(models/ids.py decodes them, the one place that does)."""

from __future__ import annotations

from collections.abc import Sequence

from models.errors import DomainError, ErrorCode
from models.ids import MAX_DB_ID, decode_global_id, global_id, local_id

__all__ = ["MAX_DB_ID", "decode_id", "encode_id", "local_id", "parse_global_id"]


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
