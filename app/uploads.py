"""GraphQL multipart requests (the multipart request spec), parsed with limits and checked
strictly.

Strawberry parses the body with Starlette's defaults (1000 files, 1 MiB kept in memory per
file) and maps files into the variables without checking the map. Here:
- at most ATTACHMENT_MAX_REQUEST_FILES files and a few fields per request; each file is kept
  in memory only up to 64 KiB, then spooled to a temporary file, so memory per upload is
  bounded; the whole body is bounded by ATTACHMENT_MAX_REQUEST_BYTES (app/main.py BodyLimit);
- the `map` must be an object of file part names to lists of `variables.` paths whose value
  is null in `operations`; every file part is mapped exactly once and every path at most
  once (two uploads to one variable are refused), and no part is missing (a body cut off
  mid-upload loses its last part);
- the temporary files are closed when the request ends (app/main.py).
Every problem is a 400 with a coded error (BAD_MULTIPART), before any resolver runs.
"""

from __future__ import annotations

from typing import Any

from cross_web import FormData, StarletteRequestAdapter
from starlette.datastructures import FormData as StarletteForm
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from models.settings import get_settings

SPOOL_BYTES = 64 * 1024
MAX_FIELDS = 10


class BadMultipart(Exception):
    """The multipart request does not follow the spec (or Luukku's limits)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class _Parser(MultiPartParser):
    spool_max_size = SPOOL_BYTES  # per instance: Starlette's own stays as it is


class UploadRequestAdapter(StarletteRequestAdapter):
    async def get_form_data(self) -> FormData:
        request = self._request
        parser = _Parser(
            request.headers,
            request.stream(),
            max_files=get_settings().attachment_max_request_files,
            max_fields=MAX_FIELDS,
            max_part_size=1024 * 1024,
        )
        try:
            form = await parser.parse()
        except MultiPartException as exc:
            cause = f": {exc.__cause__}" if exc.__cause__ is not None else ""
            raise BadMultipart(exc.message.rstrip(".") + cause) from exc
        except ClientDisconnect as exc:
            raise BadMultipart("the client disconnected before the body was complete") from exc
        request.state.luukku_form = form  # closed when the request ends
        # A body that ends inside a file part (cut off mid-upload) leaves that part unfinished:
        # Starlette neither returns nor closes its temporary file.
        kept = {id(value.file) for _, value in form.multi_items() if isinstance(value, UploadFile)}
        unfinished = [f for f in parser._files_to_close_on_error if id(f) not in kept]
        for spooled in unfinished:
            spooled.close()
        if unfinished:
            raise BadMultipart("the body ended inside a file part (was the upload cut off?)")
        return FormData(files=form, form=form)


def _set(operations: Any, path: str, upload: UploadFile) -> None:
    keys = path.split(".")
    if len(keys) < 2 or keys[0] != "variables":
        raise BadMultipart(f"map path {path!r} must start with 'variables.'")
    target = operations
    for key in keys[:-1]:
        target = _step(target, key, path)
    last = keys[-1]
    if isinstance(target, list):
        if not last.isdigit() or int(last) >= len(target):
            raise BadMultipart(f"map path {path!r} does not exist in the variables")
        if target[int(last)] is not None:
            raise BadMultipart(f"map path {path!r} must be null in the variables")
        target[int(last)] = upload
    elif isinstance(target, dict):
        if last not in target or target[last] is not None:
            raise BadMultipart(f"map path {path!r} must be null in the variables")
        target[last] = upload
    else:
        raise BadMultipart(f"map path {path!r} does not exist in the variables")


def _step(target: Any, key: str, path: str) -> Any:
    if isinstance(target, list) and key.isdigit() and int(key) < len(target):
        return target[int(key)]
    if isinstance(target, dict) and key in target:
        return target[key]
    raise BadMultipart(f"map path {path!r} does not exist in the variables")


def map_files(operations: Any, files_map: Any, form: StarletteForm) -> dict[str, Any]:
    """The operation with each mapped file put in its variable."""
    if not isinstance(operations, dict):
        raise BadMultipart("'operations' must be one JSON object (no batches)")
    if not isinstance(files_map, dict):
        raise BadMultipart("'map' must be a JSON object")
    files = {name: value for name, value in form.multi_items() if isinstance(value, UploadFile)}
    unmapped = set(files) - set(files_map)
    if unmapped:
        raise BadMultipart(f"file part(s) {sorted(unmapped)} are not in the map")
    seen: set[str] = set()
    for name, paths in files_map.items():
        if name not in files:
            raise BadMultipart(
                f"file part {name!r} is in the map but not in the body (was the upload cut off?)"
            )
        if len([v for k, v in form.multi_items() if k == name]) != 1:
            raise BadMultipart(f"file part {name!r} appears more than once")
        if not isinstance(paths, list) or len(paths) != 1 or not isinstance(paths[0], str):
            raise BadMultipart(f"map entry {name!r} must list exactly one variable path")
        if paths[0] in seen:
            raise BadMultipart(f"two files are mapped to {paths[0]!r}")
        seen.add(paths[0])
        _set(operations, paths[0], files[name])
    return operations
