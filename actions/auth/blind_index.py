"""Personal identity codes (henkilötunnus) as a keyed, versioned blind index.

The code itself is never stored, logged or exposed: only HMAC-SHA256(key, code) is kept,
with the key's version, so that the same person is recognised whichever issuer sent the
code. The keys live outside the database (HETU_INDEX_KEYS, newest first); a digest made
with an older key is found too and rewritten with the newest at the person's next login.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_HETU = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$")
_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def normalize_hetu(value: object) -> str | None:
    """The code in canonical form when it is well formed (date and check character), else None."""
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    match = _HETU.match(code)
    if match is None:
        return None
    day, month, _, _, number, check = match.groups()
    if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
        return None
    if _CHECK[int(day + month + match.group(3) + number) % 31] != check:
        return None
    return code


def digest(key: bytes, code: str) -> str:
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def digests(keys: tuple[tuple[int, bytes], ...], code: str) -> list[tuple[int, str]]:
    """(version, digest) under every configured key, newest first."""
    return [(version, digest(key, code)) for version, key in keys]
