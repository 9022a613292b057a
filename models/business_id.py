"""Finnish business ID (Y-tunnus) validation: seven digits, a hyphen and a check digit."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(\d{6,7})-(\d)$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def normalize_business_id(value: str) -> str | None:
    """Return the canonical form (7 digits, hyphen, check digit), or None if invalid.

    Old six-digit ids are padded with a leading zero, as the Business Information System does.
    """
    match = _PATTERN.match(value.strip())
    if match is None:
        return None
    digits, check = match.group(1).zfill(7), int(match.group(2))
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None
    expected = 0 if remainder == 0 else 11 - remainder
    if expected != check:
        return None
    return f"{digits}-{check}"


def is_valid_business_id(value: str) -> bool:
    return normalize_business_id(value) is not None
