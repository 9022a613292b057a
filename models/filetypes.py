"""What a file is, from its first bytes (magic numbers), never from its name or the client's
header; and the rules for file names.

`detect(head)` looks at the first `HEAD_BYTES` of the content. `claimed_types(name, header)`
is what the name's extension and the client's Content-Type say; a file whose claim does not
match its content (a "PDF" that is not one) is refused by the upload action.
"""

from __future__ import annotations

import re
import unicodedata

HEAD_BYTES = 64 * 1024
OCTET_STREAM = "application/octet-stream"

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
TIFF = "image/tiff"
WEBP = "image/webp"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DWG = "image/vnd.dwg"
KML = "application/vnd.google-earth.kml+xml"
XML = "application/xml"
TEXT = "text/plain"
HTML = "text/html"
SVG = "image/svg+xml"
EXECUTABLE = "application/x-executable"

#: Extensions that name a type (lower case, without the dot).
EXTENSIONS: dict[str, str] = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "gif": GIF,
    "tif": TIFF,
    "tiff": TIFF,
    "webp": WEBP,
    "zip": ZIP,
    "docx": DOCX,
    "xlsx": XLSX,
    "pptx": PPTX,
    "odt": ODT,
    "ods": ODS,
    "dwg": DWG,
    "kml": KML,
    "xml": XML,
    "txt": TEXT,
    "csv": TEXT,
    "html": HTML,
    "htm": HTML,
    "svg": SVG,
    "exe": EXECUTABLE,
}

#: Types whose content is also a valid instance of a more general claimed type.
_GENERAL = {DOCX: ZIP, XLSX: ZIP, PPTX: ZIP, ODT: ZIP, ODS: ZIP, KML: XML}


def _zip_type(head: bytes) -> str:
    """OOXML and OpenDocument files are zip archives; tell them apart by their entries."""
    if head[30:38] == b"mimetype":
        # OpenDocument: the first entry is `mimetype`, stored uncompressed
        value = head[38:120]
        if value.startswith(ODT.encode()):
            return ODT
        if value.startswith(ODS.encode()):
            return ODS
    names = re.findall(rb"PK\x03\x04.{26}([\x20-\x7e]{1,200})", head, flags=re.DOTALL)
    joined = b"\n".join(names)
    if b"[Content_Types].xml" in joined or b"_rels/" in joined:
        if b"word/" in joined:
            return DOCX
        if b"xl/" in joined:
            return XLSX
        if b"ppt/" in joined:
            return PPTX
    return ZIP


def _text_type(head: bytes) -> str:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the end of the head is still text
        if exc.start < len(head) - 3:
            return OCTET_STREAM
        text = head[: exc.start].decode("utf-8")
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return OCTET_STREAM
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html", "<script")) or "<script" in start[:4096]:
        return HTML
    if start.startswith("<?xml") or start.startswith("<"):
        if "<svg" in start[:4096]:
            return SVG
        if "<kml" in start[:4096]:
            return KML
        return XML
    return TEXT


def detect(head: bytes) -> str:
    """The content type of a file from its first bytes (OCTET_STREAM when unknown)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(head)
    if head[:4] == b"AC10" and head[4:6].isdigit():
        return DWG
    if head.startswith((b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"#!")):
        return EXECUTABLE
    if not head:
        return OCTET_STREAM
    return _text_type(head)


def claimed_types(name: str, header: str | None) -> set[str]:
    """The types the file name's extension and the client's Content-Type claim (only those
    this module knows; `application/octet-stream` claims nothing)."""
    claims: set[str] = set()
    _, dot, extension = name.rpartition(".")
    if dot and extension.lower() in EXTENSIONS:
        claims.add(EXTENSIONS[extension.lower()])
    if header:
        value = header.split(";", 1)[0].strip().lower()
        if value in set(EXTENSIONS.values()) or value == "text/csv":
            claims.add(TEXT if value == "text/csv" else value)
    return claims


def matches_claim(detected: str, claims: set[str]) -> bool:
    """The content is what the name and header say it is (or they say nothing)."""
    return all(c == detected or _GENERAL.get(detected) == c for c in claims)


NAME_MAX = 255
_FORBIDDEN_NAMES = {"", ".", ".."}


def name_problem(name: str) -> str | None:
    """Why a file name cannot be kept as it is, or None. The name is shown to users and sent
    in Content-Disposition, so it must be a plain name: no path, no control characters."""
    if len(name) > NAME_MAX:
        return "too long"
    if "/" in name or "\\" in name:
        return "path separator"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        return "control character"
    if name.strip() in _FORBIDDEN_NAMES:
        return "empty"
    return None
