"""The web client (web/, built into web/dist by `make web`), served under /ui.

- Hashed assets (`/ui/assets/<name>-<hash>.<ext>`) get a year's immutable caching.
- Every other path under /ui is one of the client's own routes: it gets index.html (the
  SPA fallback), never cached, with a fresh CSP nonce for styled-components' <style>
  elements (`<meta property="csp-nonce">`) and the same nonce in the policy. The policy
  has no `unsafe-eval` and no `unsafe-inline`, and allows nothing from other origins.
- Without a build, /ui answers 503 and says how to build it.
"""

from __future__ import annotations

import mimetypes
import secrets
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
PREFIX = "/ui"
NONCE_PLACEHOLDER = "__LUUKKU_CSP_NONCE__"
ASSET_CACHE = "public, max-age=31536000, immutable"

mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("font/woff", ".woff")
mimetypes.add_type("image/svg+xml", ".svg")


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            "font-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@lru_cache(maxsize=4)
def _index(mtime_ns: int) -> str:
    return (DIST / "index.html").read_text(encoding="utf-8")


def built() -> bool:
    return (DIST / "index.html").is_file()


def _file(relative: str) -> Path | None:
    """A file of the build, never outside it."""
    if not relative or relative.startswith("/") or "\\" in relative:
        return None
    path = (DIST / relative).resolve()
    if DIST.resolve() not in path.parents or not path.is_file():
        return None
    return path


async def page(request: Request) -> Response:
    """GET /ui and /ui/{path}: an asset of the build, or the client's index.html."""
    relative = request.path_params.get("path", "")
    if not built():
        return PlainTextResponse(
            "The web client is not built: run `make web` (Node.js 20 and npm, see README).",
            status_code=503,
            headers={"Cache-Control": "no-store", **SECURITY_HEADERS},
        )
    if relative.startswith("assets/"):
        path = _file(relative)
        if path is None:
            return PlainTextResponse("Not found", status_code=404, headers=SECURITY_HEADERS)
        return FileResponse(path, headers={"Cache-Control": ASSET_CACHE, **SECURITY_HEADERS})
    path = _file(relative) if relative and relative != "index.html" else None
    if path is not None:
        return FileResponse(
            path, headers={"Cache-Control": "public, max-age=3600", **SECURITY_HEADERS}
        )
    nonce = secrets.token_urlsafe(18)
    html = _index((DIST / "index.html").stat().st_mtime_ns).replace(NONCE_PLACEHOLDER, nonce)
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": content_security_policy(nonce),
            "Cache-Control": "no-cache, no-store, must-revalidate",
            **SECURITY_HEADERS,
        },
    )
