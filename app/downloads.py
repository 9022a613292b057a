"""GET /attachments/<id>: an attachment's file, by the same rules as what it belongs to.

Who asks: a signed link (`?sub=&exp=&sig=`, from `Attachment.downloadUrl` or a delivery), or
an `Authorization: Bearer` token (API clients, authority systems). The file is served with
its detected type, `Content-Disposition: attachment` (its name, RFC 6266/5987),
`X-Content-Type-Options: nosniff`, a sandboxing CSP, no caching, its SHA-256 as the ETag,
and byte ranges (`Range: bytes=a-b`, one range; 206 / 416). Authority users' downloads are
audited like content reads, before a byte is sent.

Errors are JSON with `errors[0].extensions.code`: 404 NOT_FOUND (no such attachment, or not
visible: the two are the same), 401 UNAUTHENTICATED, 403 LINK_EXPIRED (a bad or expired
link), 409 NOT_SCANNED (the virus scan has not passed it: retry later), 410 QUARANTINED.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from actions.attachment_links import verified_subject, viewer_for_subject
from actions.attachments import NotYetScanned, open_download
from actions.storage import StorageError, get_storage
from app.context import viewer_from_authorization, xroad_headers
from models.attachments import ScanStatus
from models.errors import DomainError
from models.ids import global_id
from permissions.facts import Viewer

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _error(status: int, code: str, message: str, **headers: str) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers or None,
    )


def _attachment_id(raw: str) -> int | None:
    from schema.node import parse_global_id

    return parse_global_id(raw, "Attachment")


def content_disposition(name: str) -> str:
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def byte_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """(start, end exclusive) of a single satisfiable range; None for the whole file (no or
    an unsupported Range header); False when unsatisfiable."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or (not match.group(1) and not match.group(2)):
        return None  # several ranges or another unit: the whole file (RFC 9110 allows it)
    first, last = match.group(1), match.group(2)
    if not first:  # the last N bytes
        length = int(last)
        if length == 0:
            return False
        return max(0, size - length), size
    start = int(first)
    end = min(size, int(last) + 1) if last else size
    if start >= size or end <= start:
        return False
    return start, end


async def _viewer(request: Request, attachment_id: int) -> Viewer | Response:
    if "sig" in request.query_params:
        subject = await verified_subject(attachment_id, dict(request.query_params))
        viewer = None if subject is None else await viewer_for_subject(subject)
        if viewer is None:
            return _error(403, "LINK_EXPIRED", "The link is not valid or has expired.")
        return Viewer(**{**viewer.__dict__, "xroad": xroad_headers(request)})
    viewer = await viewer_from_authorization(request.headers.get("authorization"))
    if viewer is None or not viewer.is_authenticated:
        return _error(
            401,
            "UNAUTHENTICATED",
            "Use a download link, or sign in with a bearer token.",
            **{"WWW-Authenticate": "Bearer"},
        )
    return Viewer(**{**viewer.__dict__, "xroad": xroad_headers(request)})


async def download(request: Request) -> Response:
    attachment_id = _attachment_id(request.path_params["id"])
    if attachment_id is None:
        return _error(404, "NOT_FOUND", "No such attachment.")
    viewer = await _viewer(request, attachment_id)
    if isinstance(viewer, Response):
        return viewer
    try:
        row = await open_download(viewer, attachment_id)
    except DomainError:
        return _error(404, "NOT_FOUND", "No such attachment.")
    except NotYetScanned as exc:
        if exc.status is ScanStatus.INFECTED:
            return _error(410, "QUARANTINED", "The file was found infected and is quarantined.")
        return _error(
            409,
            "NOT_SCANNED",
            "The file has not passed the virus scan yet; try again later.",
            **{"Retry-After": "30"},
        )
    size = int(row.size)
    headers = {
        "Content-Disposition": content_disposition(row.name),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
        "Accept-Ranges": "bytes",
        "ETag": f'"{row.sha256}"',
        "X-Luukku-Attachment": global_id("Attachment", row.id),
    }
    wanted = byte_range(request.headers.get("range"), size)
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range != headers["ETag"]:
        wanted = None  # the file changed since (it never does, but the client asked)
    if wanted is False:
        return _error(
            416,
            "RANGE_NOT_SATISFIABLE",
            "The range is outside the file.",
            **{"Content-Range": f"bytes */{size}"},
        )
    start, end = wanted if isinstance(wanted, tuple) else (0, size)
    headers["Content-Length"] = str(end - start)
    status = 200
    if isinstance(wanted, tuple):
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    assert row.storage_key is not None
    store = get_storage()
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=row.content_type)
    stream = store.read(row.storage_key, start, end)
    try:
        first = await anext(stream, b"")
    except StorageError:
        return _error(404, "NOT_FOUND", "No such attachment.")

    async def body() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for chunk in stream:
            yield chunk

    return StreamingResponse(
        body(), status_code=status, headers=headers, media_type=row.content_type
    )
