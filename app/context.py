"""Building the request context: who is asking, and in which language."""

from __future__ import annotations

from starlette.requests import Request
from starlette.websockets import WebSocket

from app.settings import get_settings
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


async def viewer_from_authorization(value: str | None) -> Viewer | None:
    """None for a present but invalid token; ANONYMOUS when there is no token."""
    token = bearer_token(value)
    if value is None or value.strip() == "":
        return ANONYMOUS
    if token is None:
        return None
    return await viewer_for_token(token)


def build_context(request: Request | WebSocket, viewer: Viewer) -> Context:
    language = (
        language_from_header(request.headers.get("accept-language"))
        or (viewer.language if viewer.is_authenticated else None)
        or get_settings().default_language
    )
    if viewer.is_authenticated:
        viewer = Viewer(**{**viewer.__dict__, "xroad": xroad_headers(request)})
    return Context(request=request, viewer=viewer, language=language)
