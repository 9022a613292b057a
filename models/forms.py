"""Permit forms: JSON Schema validation with field paths.

A draft is checked without `required` (it may be incomplete, but what is there must be
valid); a submission is checked in full, together with the shared data the permit needs.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import orjson
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError

from models.business_id import is_valid_business_id
from models.enums import LANGUAGES
from models.errors import DomainError, ErrorCode, excerpt, size
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
    """Every violation of `schema` in `document`, each at its own field path, with a message
    in fi, sv and en that never repeats the value itself."""
    hostile = content_problems(document, prefix)
    if hostile:
        return hostile
    raw = orjson.dumps(document)
    if len(raw) > MAX_CONTENT_BYTES:
        return [
            DomainError(
                ErrorCode.TOO_LONG, field=list(prefix), max=size(MAX_CONTENT_BYTES, "bytes")
            )
        ]
    validator = _validator(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS), draft)
    errors: list[DomainError] = []
    seen: set[tuple[str, ...]] = set()
    for error in sorted(
        validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
    ):
        path = [*prefix, *(str(p) for p in error.absolute_path)]
        for found in _errors_of(error, path):
            key = (found.code, *(found.field or []))
            if key not in seen:
                seen.add(key)
                errors.append(found)
    return errors


def _errors_of(error: ValidationError, path: list[str]) -> list[DomainError]:
    keyword, expected, instance = error.validator, error.validator_value, error.instance
    if keyword == "format" and expected == "fi-business-id":
        return [DomainError(ErrorCode.INVALID_BUSINESS_ID, field=path, value=excerpt(instance))]
    # in a valid schema `required` is a list and the keyword's schema an object
    if keyword == "required" and isinstance(instance, dict) and isinstance(expected, list):
        # one error per missing property, at the property's own path
        return [
            DomainError(ErrorCode.REQUIRED, field=[*path, str(name)])
            for name in expected
            if name not in instance
        ]
    if (
        keyword in ("additionalProperties", "unevaluatedProperties")
        and isinstance(instance, dict)
        and isinstance(error.schema, Mapping)
    ):
        return [
            DomainError(
                ErrorCode.SCHEMA_VIOLATION, field=[*path, str(name)], detail=_say("unknown")
            )
            for name in _unknown_properties(instance, error.schema)
        ]
    return [DomainError(ErrorCode.SCHEMA_VIOLATION, field=path, detail=_detail(error))]


def _unknown_properties(instance: dict[str, Any], schema: Mapping[str, Any]) -> list[str]:
    known = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    return sorted(
        name
        for name in instance
        if name not in known and not any(re.search(pattern, name) for pattern in patterns)
    )


#: What a JSON Schema keyword expects, in fi, sv and en ({n}: the keyword's value).
SCHEMA_TEXTS: dict[str, dict[str, str]] = {
    "unknown": {
        "fi": "lomakkeella ei ole tätä kenttää",
        "sv": "blanketten har inte detta fält",
        "en": "the form has no such field",
    },
    "type": {"fi": "odotetaan: {n}", "sv": "väntas: {n}", "en": "expected {n}"},
    "enum": {
        "fi": "odotetaan jotakin näistä: {n}",
        "sv": "ett av följande väntas: {n}",
        "en": "expected one of {n}",
    },
    "const": {"fi": "odotetaan arvoa {n}", "sv": "värdet {n} väntas", "en": "expected {n}"},
    "maxLength": {
        "fi": "enintään {n} merkkiä",
        "sv": "högst {n} tecken",
        "en": "at most {n} characters",
    },
    "minLength": {
        "fi": "vähintään {n} merkkiä",
        "sv": "minst {n} tecken",
        "en": "at least {n} characters",
    },
    "maximum": {"fi": "enintään {n}", "sv": "högst {n}", "en": "at most {n}"},
    "minimum": {"fi": "vähintään {n}", "sv": "minst {n}", "en": "at least {n}"},
    "exclusiveMaximum": {"fi": "alle {n}", "sv": "under {n}", "en": "less than {n}"},
    "exclusiveMinimum": {"fi": "yli {n}", "sv": "över {n}", "en": "more than {n}"},
    "multipleOf": {
        "fi": "luvun {n} monikerta",
        "sv": "en multipel av {n}",
        "en": "a multiple of {n}",
    },
    "maxItems": {"fi": "enintään {n} kohtaa", "sv": "högst {n} poster", "en": "at most {n} items"},
    "minItems": {
        "fi": "vähintään {n} kohtaa",
        "sv": "minst {n} poster",
        "en": "at least {n} items",
    },
    "uniqueItems": {
        "fi": "samaa kohtaa ei voi antaa kahdesti",
        "sv": "samma post kan inte anges två gånger",
        "en": "the same item twice",
    },
    "maxProperties": {
        "fi": "enintään {n} kenttää",
        "sv": "högst {n} fält",
        "en": "at most {n} fields",
    },
    "minProperties": {
        "fi": "vähintään {n} kenttää",
        "sv": "minst {n} fält",
        "en": "at least {n} fields",
    },
    "pattern": {
        "fi": "arvo ei ole odotetussa muodossa",
        "sv": "värdet har inte den form som väntas",
        "en": "the value is not in the expected form",
    },
    "format": {"fi": "odotetaan: {n}", "sv": "väntas: {n}", "en": "expected {n}"},
    "other": {
        "fi": "arvo ei täytä lomakkeen sääntöjä",
        "sv": "värdet uppfyller inte blankettens regler",
        "en": "the value does not meet the form's rules",
    },
}

#: JSON Schema's types and formats as a user reads them.
SCHEMA_NAMES: dict[str, dict[str, str]] = {
    "string": {"fi": "teksti", "sv": "text", "en": "a text"},
    "integer": {"fi": "kokonaisluku", "sv": "ett heltal", "en": "a whole number"},
    "number": {"fi": "luku", "sv": "ett tal", "en": "a number"},
    "boolean": {"fi": "kyllä tai ei", "sv": "ja eller nej", "en": "yes or no (true or false)"},
    "object": {"fi": "kenttäryhmä (objekti)", "sv": "en fältgrupp (objekt)", "en": "an object"},
    "array": {"fi": "luettelo", "sv": "en lista", "en": "a list"},
    "null": {"fi": "tyhjä (null)", "sv": "tomt (null)", "en": "null"},
    "date": {
        "fi": "päivämäärä VVVV-KK-PP",
        "sv": "ett datum ÅÅÅÅ-MM-DD",
        "en": "a date YYYY-MM-DD",
    },
    "date-time": {"fi": "aikaleima", "sv": "en tidsstämpel", "en": "a date and time"},
    "time": {"fi": "kellonaika", "sv": "en tid", "en": "a time of day"},
    "email": {"fi": "sähköpostiosoite", "sv": "en e-postadress", "en": "an e-mail address"},
    "uri": {"fi": "verkko-osoite", "sv": "en webbadress", "en": "a web address (URI)"},
}

_NAMED = ("type", "format")
_COUNTED = ("maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties")
_NUMERIC = ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf")


def _say(text: str, n: Mapping[str, str] | str = "") -> dict[str, str]:
    """One of SCHEMA_TEXTS in each language, `{n}` filled (in that language when localized)."""
    return {
        language: template.format(n=n[language] if isinstance(n, Mapping) else n)
        for language, template in SCHEMA_TEXTS[text].items()
    }


def _names(value: Any) -> dict[str, str]:
    values = value if isinstance(value, list) else [value]
    return {
        language: " / ".join(SCHEMA_NAMES.get(str(v), {}).get(language, excerpt(v)) for v in values)
        for language in LANGUAGES
    }


def _detail(error: ValidationError) -> dict[str, str]:
    """What the failed keyword expects, from the schema (never the value that failed)."""
    keyword, expected = str(error.validator), error.validator_value
    if keyword in _NAMED:
        if keyword == "format" and str(expected) not in SCHEMA_NAMES:
            return _say("pattern")
        return _say(keyword, _names(expected))
    if keyword in _COUNTED or keyword in _NUMERIC:
        return _say(keyword, str(expected))
    if keyword == "enum" and isinstance(expected, list):
        return _say("enum", excerpt(", ".join(map(str, expected)), 200))
    if keyword == "const":
        return _say("const", excerpt(expected))
    if keyword in ("pattern", "uniqueItems"):
        return _say(keyword)
    return _say("other")


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
    location, schedule) that the project does not have yet, each at the path of the
    projectUpdate input field that supplies it (`sharedData.<section>`, `startsOn`, ...)."""
    present = {
        "description": bool(description.strip()),
        "location": has_location,
        "schedule": has_start,
    }
    errors = []
    for key in required:
        if key in PROJECT_REQUIREMENTS:
            if not present[key]:
                errors.append(DomainError(ErrorCode.REQUIRED, field=[PROJECT_REQUIREMENTS[key]]))
        elif not shared_data.get(key):
            errors.append(DomainError(ErrorCode.REQUIRED, field=["sharedData", key]))
    return errors


def merged(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`base` updated with `patch` (shallow: a top-level key in `patch` replaces its value)."""
    result = copy.deepcopy(dict(base))
    result.update(patch)
    return result
