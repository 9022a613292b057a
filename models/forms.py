"""Permit forms: JSON Schema validation with field paths.

A draft is checked without `required` (it may be incomplete, but what is there must be
valid); a submission is checked in full, together with the shared data the permit needs.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import orjson
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from models.business_id import is_valid_business_id
from models.errors import DomainError, ErrorCode
from models.validation import content_problems, is_mail_address

#: Upper bound for one application's form content, serialised.
MAX_CONTENT_BYTES = 256 * 1024


def _without_required(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_required(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_without_required(v) for v in schema]
    return schema


#: The standard formats (date, email, ...) plus "fi-business-id": a Y-tunnus with a valid
#: check digit.
FORMATS = FormatChecker()
for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMATS.checkers[_name] = _check
FORMATS.checks("fi-business-id")(
    lambda value: not isinstance(value, str) or is_valid_business_id(value)
)
#: "email" as an address a mail may be sent to (jsonschema only asks for an "@")
FORMATS.checks("email")(lambda value: not isinstance(value, str) or is_mail_address(value))


@lru_cache(maxsize=512)
def _validator(schema_json: bytes, draft: bool) -> Draft202012Validator:
    schema = orjson.loads(schema_json)
    if draft:
        schema = _without_required(schema)
    return Draft202012Validator(schema, format_checker=FORMATS)


def check_schema(schema: Any) -> str | None:
    """None if `schema` is a usable JSON Schema, else the problem."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return exc.message
    return None


def validate(
    schema: Mapping[str, Any], document: Any, *, draft: bool, prefix: Sequence[str] = ("content",)
) -> list[DomainError]:
    """Every violation of `schema` in `document`, each with its field path."""
    hostile = content_problems(document, prefix)
    if hostile:
        return hostile
    raw = orjson.dumps(document)
    if len(raw) > MAX_CONTENT_BYTES:
        return [DomainError(ErrorCode.TOO_LONG, field=list(prefix), max=MAX_CONTENT_BYTES)]
    validator = _validator(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS), draft)
    errors = []
    for error in sorted(
        validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
    ):
        path = [*prefix, *(str(p) for p in error.absolute_path)]
        if error.validator == "format" and error.validator_value == "fi-business-id":
            errors.append(
                DomainError(
                    ErrorCode.INVALID_BUSINESS_ID, field=path, value=str(error.instance)[:20]
                )
            )
        elif error.validator == "required":
            # "'x' is a required property": point at the missing property itself.
            missing = error.message.split("'")[1] if "'" in error.message else ""
            errors.append(
                DomainError(ErrorCode.REQUIRED, field=[*path, missing] if missing else path)
            )
        else:
            errors.append(DomainError(ErrorCode.SCHEMA_VIOLATION, field=path, detail=error.message))
    return errors


#: Requirements met by the project's own fields rather than its shared data sections.
PROJECT_REQUIREMENTS = {
    "description": "description",
    "location": "location",
    "schedule": "startsOn",
}


def missing_shared_data(
    shared_data: Mapping[str, Any],
    required: Sequence[str],
    *,
    description: str,
    has_location: bool,
    has_start: bool,
) -> list[DomainError]:
    """What a permit needs from the project (its shared data sections, description,
    location, schedule) that the project does not have yet."""
    present = {
        "description": bool(description.strip()),
        "location": has_location,
        "schedule": has_start,
    }
    errors = []
    for key in required:
        if key in PROJECT_REQUIREMENTS:
            if not present[key]:
                errors.append(
                    DomainError(ErrorCode.REQUIRED, field=["project", PROJECT_REQUIREMENTS[key]])
                )
        elif not shared_data.get(key):
            errors.append(DomainError(ErrorCode.REQUIRED, field=["project", "sharedData", key]))
    return errors


def merged(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`base` updated with `patch` (shallow: a top-level key in `patch` replaces its value)."""
    result = copy.deepcopy(dict(base))
    result.update(patch)
    return result
