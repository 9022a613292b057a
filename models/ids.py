"""Global ids as clients see them: base64 of "<Type>:<token>", the token sealing the database id.

A database id is a small sequential integer: handed out as it is (`Application:12`), anyone
could walk 1, 2, 3 … and count what exists. So the id is sealed with the installation's key
(LUUKKU_ID_KEY): the token is 15 bytes in URL-safe base64 (20 characters),

- an 88-bit keyed BLAKE2s tag over the type name and the id, then
- the id (4 bytes), masked with a keyed BLAKE2s stream derived from that tag

(a deterministic authenticated encryption in the SIV manner: the same object always has the
same id, and only the key's holder can make or read one). Without the key an id cannot be
guessed (one chance in 2**88 per try), counted or turned into another type's id, and a
forged one is refused before the database is asked, in constant time (hmac.compare_digest).

Ids that come back as input are decoded here, strictly, and only here. Anything that is not
a sealed id of this key (bad base64, a token of the wrong length or tag, `Application:²`,
375,000 digits) is not an id: the decoders answer None, never an exception. Ids of the old,
unsealed format (`<Type>:<digits>`) are read only when LUUKKU_LEGACY_IDS=accept, for an
installation whose mails, bookmarks and authority systems still hold them; they are read as
strictly as before (plain ASCII digits, no leading zero, within MAX_DB_ID).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from functools import lru_cache

from models.settings import get_settings

#: PostgreSQL `integer` primary keys: larger ids cannot exist.
MAX_DB_ID = 2**31 - 1

#: a decoded global id is never longer than this (type names are short; tokens 20 characters)
_MAX_ENCODED = 120
_LOCAL = re.compile(r"[1-9][0-9]{0,9}")
_TYPE = re.compile(r"[A-Z][A-Za-z]{0,59}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20}")
_TAG_BYTES = 11
_ID_BYTES = 4


class IdCodec:
    """Seals and opens the ids of one key (LUUKKU_ID_KEY)."""

    def __init__(self, key: bytes) -> None:
        # two subkeys, so that the tag and the mask never share a keyed hash
        self._tag_key = hashlib.blake2s(key, person=b"luukku-t").digest()
        self._mask_key = hashlib.blake2s(key, person=b"luukku-m").digest()
        # keyed once: each tag and mask copies these (the key block is not hashed again)
        self._tag_hash = hashlib.blake2s(key=self._tag_key, digest_size=_TAG_BYTES)
        self._mask_hash = hashlib.blake2s(key=self._mask_key, digest_size=_ID_BYTES)
        self.token = lru_cache(maxsize=65_536)(self._token)
        #: base64("<Type>:<token>"), the id clients see: what every object's `id` answers
        self.global_id = lru_cache(maxsize=65_536)(self._global_id)

    def _tag(self, type_name: str, id_bytes: bytes) -> bytes:
        tag = self._tag_hash.copy()
        tag.update(type_name.encode("ascii") + b":" + id_bytes)
        return tag.digest()

    def _mask(self, tag: bytes) -> int:
        stream = self._mask_hash.copy()
        stream.update(tag)
        return int.from_bytes(stream.digest(), "big")

    def _global_id(self, type_name: str, db_id: int) -> str:
        # its own cache, so the token is not kept a second time in `token`'s
        return base64.b64encode(f"{type_name}:{self._token(type_name, db_id)}".encode()).decode()

    def _token(self, type_name: str, db_id: int) -> str:
        id_bytes = db_id.to_bytes(_ID_BYTES, "big")
        tag = self._tag(type_name, id_bytes)
        masked = (db_id ^ self._mask(tag)).to_bytes(_ID_BYTES, "big")
        return base64.urlsafe_b64encode(tag + masked).decode("ascii")

    def open(self, type_name: str, token: str) -> int | None:
        """The database id a token of `type_name` seals, or None if this key did not seal it."""
        if _TOKEN.fullmatch(token) is None:
            return None
        raw = base64.urlsafe_b64decode(token)
        tag, masked = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
        db_id = int.from_bytes(masked, "big") ^ self._mask(tag)
        expected = self._tag(type_name, db_id.to_bytes(_ID_BYTES, "big"))
        if not hmac.compare_digest(tag, expected) or not 1 <= db_id <= MAX_DB_ID:
            return None
        return db_id


_codec: tuple[bytes, IdCodec] | None = None


def codec() -> IdCodec:
    """The codec of the configured key (built again if a test changes the settings)."""
    global _codec
    key = get_settings().id_key
    if _codec is None or _codec[0] != key:
        _codec = (key, IdCodec(key))
    return _codec[1]


def sealed_token(type_name: str, db_id: int) -> str:
    """The part after "<Type>:" of the id clients see (a Node's `resolve_id`)."""
    return codec().token(type_name, db_id)


def global_id(type_name: str, db_id: int) -> str:
    """The id clients see for the object `db_id` of `type_name`."""
    return codec().global_id(type_name, db_id)


def legacy_global_id(type_name: str, db_id: int) -> str:
    """The old, unsealed format (read only with LUUKKU_LEGACY_IDS=accept)."""
    return base64.b64encode(f"{type_name}:{db_id}".encode()).decode()


def local_id(text: object) -> int | None:
    """The database id plain ASCII digits of 1..MAX_DB_ID name (a legacy id's local part)."""
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
    db_id = codec().open(type_name, local)
    if db_id is None and get_settings().legacy_ids:
        db_id = local_id(local)
    return None if db_id is None else (type_name, db_id)
