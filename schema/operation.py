"""Per-operation state on WebSocket connections."""

from __future__ import annotations

from collections.abc import Iterator

from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension

from resolvers.context import current_loaders
from resolvers.loaders import Loaders


class FreshLoaders(SchemaExtension):
    """A WebSocket connection has one context for all its operations: give each operation
    its own loaders, so that no cached row outlives the operation that read it."""

    def on_operation(self) -> Iterator[None]:
        request = getattr(self.execution_context.context, "request", None)
        if not isinstance(request, WebSocket):
            yield
            return
        token = current_loaders.set(Loaders())
        try:
            yield
        finally:
            try:
                current_loaders.reset(token)
            except ValueError:  # finished in another context (a cancelled subscription)
                current_loaders.set(None)
