"""Global ids as clients see them: base64 of "<Type>:<id>" (Relay's and Strawberry's format)."""

from __future__ import annotations

import base64


def global_id(type_name: str, db_id: int) -> str:
    return base64.b64encode(f"{type_name}:{db_id}".encode()).decode()
