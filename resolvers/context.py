"""The per-request context every resolver sees as `info.context`."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strawberry.types import Info as StrawberryInfo

from permissions.facts import ANONYMOUS, Viewer
from resolvers.loaders import Loaders

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket


#: Loaders of the current operation or live event, where they differ from the context's own:
#: a WebSocket connection has one context for all its operations, so each operation (and
#: each event a subscription delivers) sets fresh loaders here, in its own task.
current_loaders: ContextVar[Loaders | None] = ContextVar("luukku_loaders", default=None)

#: graphql-core's executor of the subscription operation being started in this task (set by
#: schema/sharing.py when it is built; a parked subscription keeps it, resolvers/live/table.py)
subscription_executor: ContextVar[Any] = ContextVar("luukku_subscription_executor", default=None)


@dataclass(eq=False)  # compared and hashed by identity: live connections are kept in sets
class Context:
    """Who is asking (viewer), in which language, and the loaders of this request."""

    request: Request | WebSocket | None = None
    response: Response | None = None
    viewer: Viewer = ANONYMOUS
    language: str = "fi"
    _own_loaders: Loaders | None = None
    #: graphql-transport-ws: the payload of connection_init
    connection_params: dict[str, Any] | None = None
    #: audit entries collected during a read, written once at the end of the operation
    pending_audit: list[Any] = field(default_factory=list)
    #: HTTP authenticated by the session cookie without the X-Luukku-CSRF header: mutations
    #: are refused (schema/csrf.py)
    csrf_missing: bool = False

    @property
    def own_loaders(self) -> Loaders:
        """The context's own loaders, made on first use (a live connection seldom needs them)."""
        if self._own_loaders is None:
            self._own_loaders = Loaders()
        return self._own_loaders

    @property
    def loaders(self) -> Loaders:
        return current_loaders.get() or self.own_loaders

    @loaders.setter
    def loaders(self, value: Loaders) -> None:
        if current_loaders.get() is not None:
            current_loaders.set(value)
        else:
            self._own_loaders = value


Info = StrawberryInfo[Context, None]
