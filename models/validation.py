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
    if "\x00" in value:
        errors.append(DomainError(ErrorCode.INVALID_VALUE, field=field, detail="NUL character"))
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
    if cleaned is not None and not _EMAIL.match(cleaned):
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
