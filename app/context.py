"""Building the request context: who is asking, and in which language."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.websockets import WebSocket

from actions.auth.oidc import looks_like_jwt
from actions.identity import on_identity_change
from actions.signin import viewer_for_jwt
from models.settings import get_settings
from permissions.facts import ANONYMOUS, Viewer
from resolvers.context import Context
from resolvers.viewer import bearer_token, viewer_for_token

XROAD_HEADERS = {"x-road-client": "client", "x-road-id": "id", "x-road-userid": "user_id"}
LANGUAGES = ("fi", "sv", "en")


def language_from_header(value: str | None) -> str | None:
    """The best of fi/sv/en in an Accept-Language header, or None."""
    if not value:
        return None
    choices: list[tuple[float, str]] = []
    for part in value.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower()[:2]
        if language in LANGUAGES and quality > 0:
            choices.append((quality, language))
    if not choices:
        return None
    return max(choices, key=lambda c: c[0])[1]


def xroad_headers(request: Request | WebSocket) -> dict[str, str]:
    return {
        key: request.headers[name][:500]
        for name, key in XROAD_HEADERS.items()
        if name in request.headers
    }


class ViewerCache:
    """Viewers by token for VIEWER_CACHE_SECONDS (one statement less per request, that of
    `viewer_for_token`).

    Revoking a token or changing memberships clears it at once in this process and,
    through the bus, in every other; the time limit bounds how stale a viewer can be when
    such a message is lost (the bus was down)."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: dict[str, tuple[float, Viewer]] = {}
        self.max_entries = max_entries

    def clear(self) -> None:
        self._entries.clear()

    def get(self, token: str) -> Viewer | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        until, viewer = entry
        if until < time.monotonic() or (
            viewer.expires_at is not None and viewer.expires_at <= datetime.now(UTC)
        ):
            self._entries.pop(token, None)
            return None
        return viewer

    def put(self, token: str, viewer: Viewer, seconds: float) -> None:
        if seconds <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[token] = (time.monotonic() + seconds, viewer)


viewer_cache = ViewerCache()
on_identity_change(viewer_cache.clear)


async def viewer_for_bearer(token: str) -> Viewer | None:
    """An opaque `lk_` token or a JWT access token of a configured issuer."""
    if looks_like_jwt(token):
        return await viewer_for_jwt(token)
    return await viewer_for_token(token)


async def viewer_from_authorization(value: str | None) -> Viewer | None:
    """None for a present but invalid token; ANONYMOUS when there is no token."""
    token = bearer_token(value)
    if value is None or value.strip() == "":
        return ANONYMOUS
    if token is None:
        return None
    cached = viewer_cache.get(token)
    if cached is not None:
        return cached
    viewer = await viewer_for_bearer(token)
    if viewer is not None:
        viewer_cache.put(token, viewer, get_settings().viewer_cache_seconds)
    return viewer


def build_context(request: Request | WebSocket, viewer: Viewer) -> Context:
    language = (
        language_from_header(request.headers.get("accept-language"))
        or (viewer.language if viewer.is_authenticated else None)
        or get_settings().default_language
    )
    if viewer.is_authenticated:
        viewer = Viewer(**{**viewer.__dict__, "xroad": xroad_headers(request)})
    return Context(request=request, viewer=viewer, language=language)
