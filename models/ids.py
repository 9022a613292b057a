"""Global ids as clients see them: base64 of "<Type>:<id>" (Relay's and Strawberry's format).

Ids that come back as input are decoded here, strictly, and only here: a global id is
standard base64 (with padding) of ASCII "<Type>:<digits>", the digits plain ASCII 0-9
without a leading zero, naming a positive integer a database key can hold. Anything else
(`Application:²`, 375,000 digits, a negative or empty number, bad base64) is not an id:
the decoders answer None, never an exception.
"""

from __future__ import annotations

import base64
import binascii
import re

#: PostgreSQL `integer` primary keys: larger ids cannot exist.
MAX_DB_ID = 2**31 - 1

#: a decoded global id is never longer than this (type names are short; ids ≤ 10 digits)
_MAX_ENCODED = 120
_LOCAL = re.compile(r"[1-9][0-9]{0,9}")
_TYPE = re.compile(r"[A-Z][A-Za-z]{0,59}")


def global_id(type_name: str, db_id: int) -> str:
    return base64.b64encode(f"{type_name}:{db_id}".encode()).decode()


def local_id(text: object) -> int | None:
    """The database id a global id's local part names: plain ASCII digits of 1..MAX_DB_ID."""
    if not isinstance(text, str) or _LOCAL.fullmatch(text) is None:
        return None
    value = int(text)
    return value if value <= MAX_DB_ID else None


def decode_global_id(value: object) -> tuple[str, int] | None:
    """(type name, database id) of a well-formed global id; None for anything else."""
    if not isinstance(value, str) or not value or len(value) > _MAX_ENCODED:
        return None
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True).decode("ascii")
    except (UnicodeError, binascii.Error, ValueError):
        return None
    type_name, colon, local = raw.partition(":")
    if not colon or _TYPE.fullmatch(type_name) is None:
        return None
    db_id = local_id(local)
    return None if db_id is None else (type_name, db_id)
