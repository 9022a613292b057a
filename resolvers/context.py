"""The per-request context every resolver sees as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strawberry.types import Info as StrawberryInfo

from permissions.facts import ANONYMOUS, Viewer
from resolvers.loaders import Loaders

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket


@dataclass
class Context:
    """Who is asking (viewer), in which language, and the loaders of this request."""

    request: Request | WebSocket | None = None
    response: Response | None = None
    viewer: Viewer = ANONYMOUS
    language: str = "fi"
    loaders: Loaders = field(default_factory=Loaders)
    #: graphql-transport-ws: the payload of connection_init
    connection_params: dict[str, Any] | None = None
    #: audit entries collected during a read, written once at the end of the operation
    pending_audit: list[dict[str, Any]] = field(default_factory=list)


Info = StrawberryInfo[Context, None]
