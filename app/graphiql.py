"""GraphiQL without internet: Strawberry's page, with its assets served from npm packages.

Strawberry's page loads React and GraphiQL from unpkg.com. `make demo` installs the very
same files from npm into app/graphiql/node_modules (same versions, same SRI hashes), and
this module rewrites the page to load them from Luukku itself.

It also makes the page a client of the browser sign-in: its requests send
`X-Luukku-CSRF: 1` (a same-origin page, so mutations work with the session cookie alone;
its fetches are same-origin, so the cookie goes with them, and its socket authenticates by
the cookie when *Headers* has no `Authorization`), and when sign-in is configured its logo
shows who is signed in, with *Sign in* (`/auth/login?returnTo=/graphql`) or *Sign out*.
"""

from __future__ import annotations

import base64
import hashlib
import json
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


CSRF_HEADER = "X-Luukku-CSRF"
_DEFAULT_HEADERS = "const defaultHeaders = {};"
_RENDERED = re.compile(r"(shouldPersistHeaders:\s*true,\s*\})\)")
_EXPLORER = "function GraphiQLWithExplorer()"

#: GraphiQL's logo: the session's person with *Sign out*, or *Sign in*. LUUKKU_LOGIN is the
#: sign-in link, or null when the server offers no browser sign-in.
_LOGO = """
      function LuukkuLogo() {
        const [viewer, setViewer] = React.useState(null);
        React.useEffect(function () {
          fetch(fetchURL, {
            method: "POST",
            headers: { "Content-Type": "application/json", ...defaultHeaders },
            body: JSON.stringify({ query: "{ viewer { hasSession person { name } } }" }),
          })
            .then(function (r) { return r.json(); })
            // an ended session answers 401 (and drops the cookie): signed out
            .then(function (r) { setViewer((r.data && r.data.viewer) || { hasSession: false }); })
            .catch(function () { setViewer({ hasSession: false }); });
        }, []);
        function signOut() {
          fetch("/auth/logout", {
            method: "POST",
            headers: { Accept: "application/json", ...defaultHeaders },
          })
            .then(function (r) { return r.json(); })
            .then(function (r) { window.location.assign(r.endSessionUrl || fetchURL); });
        }
        const e = React.createElement;
        let who = null;
        if (viewer && viewer.hasSession) {
          who = e("span", { className: "luukku-session" },
            (viewer.person && viewer.person.name) || "Signed in", " ",
            e("button", { type: "button", className: "luukku-sign-out", onClick: signOut,
              style: { font: "inherit", color: "inherit", textDecoration: "underline",
                       background: "none", border: "none", cursor: "pointer", padding: 0 } },
              "Sign out"));
        } else if (LUUKKU_LOGIN && viewer) {
          who = e("a", { className: "luukku-sign-in", href: LUUKKU_LOGIN }, "Sign in");
        }
        return e(React.Fragment, null, "Luukku", who ? " · " : null, who);
      }

"""


def localize(page: str, sign_in: bool | None = None) -> str:
    """The page Luukku serves: every unpkg.com reference pointed at Luukku's own asset
    route, the CSRF header on every request, and the sign-in in the logo (`sign_in`:
    whether browser sign-in is configured; by default from AUTH_CONFIG)."""
    if sign_in is None:
        from actions.auth.config import get_auth_config

        sign_in = bool(get_auth_config().providers)
    page = _UNPKG.sub(lambda m: f"{ASSETS_PREFIX}{m.group(1)}/{m.group(2)}", page)
    login = json.dumps("/auth/login?returnTo=%2Fgraphql" if sign_in else None)
    # Strawberry's page changes only with its (pinned) version; fail loudly if it did
    if not (_DEFAULT_HEADERS in page and _EXPLORER in page and _RENDERED.search(page)):
        raise RuntimeError("Strawberry's GraphiQL page changed: update app/graphiql.py")
    page = page.replace(
        _DEFAULT_HEADERS, f'const defaultHeaders = {{{json.dumps(CSRF_HEADER)}: "1"}};', 1
    )
    page = page.replace(_EXPLORER, f"const LUUKKU_LOGIN = {login};\n{_LOGO}      {_EXPLORER}", 1)
    return _RENDERED.sub(
        r"\1, React.createElement(GraphiQL.Logo, null, React.createElement(LuukkuLogo)))",
        page,
        count=1,
    )


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
