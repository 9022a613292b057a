"""Input rules shared by the actions: text lengths, e-mail addresses, locations and dates."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from models.errors import DomainError, ErrorCode, size

NAME_MAX = 200
TEXT_MAX = 10_000
COMMENT_MAX = 5_000
MESSAGE_MAX = 10_000
EMAIL_MAX = 254

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
#: WGS84 bounds of Finland with a margin (mainland, Åland and territorial waters).
FINLAND_BOUNDS = (59.0, 71.0, 19.0, 32.0)
_MAX_AREA_POINTS = 10_000


def text(
    value: str | None,
    field: Sequence[str],
    *,
    max_length: int,
    required: bool = False,
    errors: list[DomainError],
) -> str | None:
    """Trimmed text, or None; appends REQUIRED / TOO_LONG / INVALID_VALUE errors."""
    if value is None:
        if required:
            errors.append(DomainError(ErrorCode.REQUIRED, field=field))
        return None
    if "\x00" in value or has_control_characters(value, multiline=max_length > NAME_MAX):
        errors.append(DomainError(ErrorCode.INVALID_VALUE, field=field, detail="control character"))
        return None
    cleaned = value.strip()
    if required and not cleaned:
        errors.append(DomainError(ErrorCode.REQUIRED, field=field))
        return None
    if len(cleaned) > max_length:
        errors.append(DomainError(ErrorCode.TOO_LONG, field=field, max=size(max_length)))
        return None
    return cleaned


def email(value: str | None, field: Sequence[str], *, errors: list[DomainError]) -> str | None:
    cleaned = text(value, field, max_length=EMAIL_MAX, required=True, errors=errors)
    if cleaned is not None and not (_EMAIL.match(cleaned) and is_mail_address(cleaned)):
        errors.append(DomainError(ErrorCode.INVALID_VALUE, field=field, detail="e-mail address"))
        return None
    return cleaned


def point(
    latitude: float, longitude: float, field: Sequence[str], *, errors: list[DomainError]
) -> tuple[float, float] | None:
    lat_min, lat_max, lon_min, lon_max = FINLAND_BOUNDS
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        errors.append(DomainError(ErrorCode.INVALID_VALUE, field=field, detail="not a number"))
        return None
    if not (lat_min <= latitude <= lat_max and lon_min <= longitude <= lon_max):
        errors.append(
            DomainError(
                ErrorCode.INVALID_VALUE,
                field=field,
                detail="WGS84 point outside Finland ({lat_min}–{lat_max} N, {lon_min}–{lon_max} E)",
                lat_min=lat_min,
                lat_max=lat_max,
                lon_min=lon_min,
                lon_max=lon_max,
            )
        )
        return None
    return latitude, longitude


def _ring_ok(ring: Any) -> bool:
    if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
        return False
    lat_min, lat_max, lon_min, lon_max = FINLAND_BOUNDS
    for position in ring:
        if not (
            isinstance(position, list)
            and len(position) in (2, 3)
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in position)
        ):
            return False
        lon, lat = position[0], position[1]
        if not (lon_min <= lon <= lon_max and lat_min <= lat <= lat_max):
            return False
    return True


def geojson_area(value: Any, field: Sequence[str], *, errors: list[DomainError]) -> Any:
    """A GeoJSON Polygon or MultiPolygon in WGS84 ([lon, lat]) inside Finland."""
    detail = "GeoJSON Polygon or MultiPolygon with closed rings of [longitude, latitude] in Finland"
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        errors.append(DomainError(ErrorCode.INVALID_VALUE, field=field, detail=detail))
        return None
    coordinates = value.get("coordinates")
    polygons = [coordinates] if value["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        errors.append(DomainError(ErrorCode.INVALID_VALUE, field=field, detail=detail))
        return None
    points = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon or not all(_ring_ok(r) for r in polygon):
            errors.append(DomainError(ErrorCode.INVALID_VALUE, field=field, detail=detail))
            return None
        points += sum(len(r) for r in polygon)
    if points > _MAX_AREA_POINTS:
        errors.append(
            DomainError(ErrorCode.TOO_LONG, field=field, max=size(_MAX_AREA_POINTS, "points"))
        )
        return None
    return {"type": value["type"], "coordinates": coordinates}


def schedule(
    starts_on: date | None, ends_on: date | None, field: Sequence[str], *, errors: list[DomainError]
) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors.append(
            DomainError(
                ErrorCode.INVALID_VALUE, field=[*field, "endsOn"], detail="ends before it starts"
            )
        )


def expect_version(actual: int, expected: int) -> None:
    """Optimistic concurrency: the client must have seen the current version."""
    if actual != expected:
        raise DomainError(
            ErrorCode.STALE_VERSION, field=["expectedVersion"], actual=actual, expected=expected
        )


# --- hostile input (issue 11): every value that reaches a query, a mail or the database ---

_MUNICIPALITY_CODE = re.compile(r"[0-9]{3}")
#: C0 controls but TAB, LF and CR; DEL; C1 controls; lone surrogates (not valid Unicode)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: ... and in single-line values (names, codes, addresses) also TAB, LF, CR and the Unicode
#: line and paragraph separators
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: An address that a mail server accepts as a recipient: dot-atom local part (RFC 5322,
#: no quoted forms), a domain of LDH labels with a dot and a letter in its last label.
_MAIL_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)
#: Nesting of JSON content (forms, shared data, areas) beyond any form's needs
MAX_JSON_DEPTH = 32


def is_municipality_code(value: str) -> bool:
    """A municipality code as Statistics Finland gives them: three digits ("091")."""
    return _MUNICIPALITY_CODE.fullmatch(value) is not None


def municipality_code(value: str, field: Sequence[str]) -> str:
    """The code, or INVALID_MUNICIPALITY before it reaches a query."""
    if not is_municipality_code(value):
        raise DomainError(ErrorCode.INVALID_MUNICIPALITY, field=field, value=value[:10])
    return value


def has_control_characters(value: str, *, multiline: bool = True) -> bool:
    """Control characters with no business in text (TAB, LF and CR are fine in multi-line
    text), or lone surrogates."""
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    return pattern.search(value) is not None


def is_mail_address(value: str) -> bool:
    """An address that may become a mail recipient: no `a@b`, no CR/LF, no NUL."""
    return len(value) <= EMAIL_MAX and _MAIL_ADDRESS.fullmatch(value) is not None


def content_problems(document: Any, prefix: Sequence[str]) -> list[DomainError]:
    """Strings with control characters, and nesting deeper than MAX_JSON_DEPTH, in JSON
    content; iterative, so any depth is looked at without recursion."""
    errors: list[DomainError] = []
    stack: list[tuple[Any, list[str], int]] = [(document, list(prefix), 0)]
    while stack and len(errors) < 20:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            errors.append(
                DomainError(ErrorCode.INVALID_VALUE, field=path, detail="nested too deeply")
            )
            continue
        if isinstance(value, str):
            if has_control_characters(value):
                errors.append(
                    DomainError(ErrorCode.INVALID_VALUE, field=path, detail="control character")
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                key_path = [*path, str(key)[:100]]
                if not isinstance(key, str) or has_control_characters(key, multiline=False):
                    errors.append(
                        DomainError(ErrorCode.INVALID_VALUE, field=path, detail="control character")
                    )
                    continue
                stack.append((item, key_path, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, [*path, str(i)], depth + 1) for i, item in enumerate(value))
    return errors
