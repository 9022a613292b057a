"""Confidential form fields: marked in a permit type's form, removed for co-authorities.

A property of a form's JSON Schema with `"x-confidential": true` (e.g. security
arrangements, other people's personal data) is seen only by the handling authority and
the customer (`permissions.policies.can_read_confidential_fields`); everyone else who may
read the content gets it with those fields removed, wherever content reaches them. Marks
are found in nested objects and in the items of arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import orjson

Path = tuple[str, ...]
#: the path step that stands for every item of an array
EVERY_ITEM = "*"


def _paths(schema: Any, prefix: Path) -> list[Path]:
    if not isinstance(schema, Mapping):
        return []
    found: list[Path] = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping):
            continue
        path = (*prefix, str(name))
        if prop.get("x-confidential") is True:
            found.append(path)
        else:
            found += _paths(prop, path)
    items = schema.get("items")
    if isinstance(items, Mapping):
        found += _paths(items, (*prefix, EVERY_ITEM))
    return found


@lru_cache(maxsize=256)
def _cached(schema_json: bytes) -> tuple[Path, ...]:
    return tuple(_paths(orjson.loads(schema_json), ()))


def confidential_paths(schema: Mapping[str, Any]) -> tuple[Path, ...]:
    """The paths of the confidential fields of a form, e.g. ("security_plan",)."""
    return _cached(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))


def _remove(value: Any, path: Path) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if head == EVERY_ITEM:
        if not isinstance(value, list):
            return value
        return [_remove(item, rest) for item in value]
    if not isinstance(value, Mapping) or head not in value:
        return value
    if not rest:
        return {k: v for k, v in value.items() if k != head}
    return {**value, head: _remove(value[head], rest)}


def redact(content: Any, schema: Mapping[str, Any]) -> Any:
    """The content without its confidential fields (a new object; the input is not changed)."""
    for path in confidential_paths(schema):
        content = _remove(content, path)
    return content


def present_paths(content: Any, schema: Mapping[str, Any]) -> list[str]:
    """Dotted paths of the confidential fields that `content` has (what redaction removes);
    `*` stands for every item of an array."""
    return [
        ".".join(path) for path in confidential_paths(schema) if _remove(content, path) != content
    ]
