"""GraphiQL without internet: Strawberry's page, with its assets served from npm packages.

Strawberry's page loads React and GraphiQL from unpkg.com. `make demo` installs the very
same files from npm into app/graphiql/node_modules (same versions, same SRI hashes), and
this module rewrites the page to load them from Luukku itself.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

ASSETS_DIR = Path(__file__).resolve().parent / "graphiql" / "node_modules"
ASSETS_PREFIX = "/graphiql/assets/"
_UNPKG = re.compile(r"https://unpkg\.com/(@[^/@]+/[^/@]+|[^/@]+)@[^/]+/([^\"']+)")

#: The only files served: exactly the ones the page references.
ALLOWED = {
    "react/umd/react.production.min.js",
    "react-dom/umd/react-dom.production.min.js",
    "js-cookie/dist/js.cookie.min.js",
    "graphiql/graphiql.min.css",
    "graphiql/graphiql.min.js",
    "@graphiql/plugin-explorer/dist/style.css",
    "@graphiql/plugin-explorer/dist/index.umd.js",
}


def localize(page: str) -> str:
    """Point every unpkg.com reference of the page at Luukku's own asset route."""
    return _UNPKG.sub(lambda m: f"{ASSETS_PREFIX}{m.group(1)}/{m.group(2)}", page)


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def csp(page: str) -> str:
    """The page's Content-Security-Policy: its own assets, its inline script by hash, the
    API on the same origin; nothing else, and it may not be framed."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(page)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def assets_installed() -> bool:
    return all((ASSETS_DIR / name).is_file() for name in ALLOWED)


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ALLOWED:
        return PlainTextResponse("Not found", status_code=404)
    path = ASSETS_DIR / name
    if not path.is_file():
        return PlainTextResponse(
            "GraphiQL assets are not installed: run `make graphiql` (npm ci in app/graphiql).",
            status_code=404,
        )
    media = "text/css" if name.endswith(".css") else "text/javascript"
    return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=86400"})
