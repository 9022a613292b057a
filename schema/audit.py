"""Reads of application content by authority users are audited, in one statement per request."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from actions.audit import audit_many

log = logging.getLogger("luukku.audit")


class AuditReads(SchemaExtension):
    """Writes the audit entries collected while resolving; if that fails, the response
    carries no data, so that no content leaves unaudited."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        rows = getattr(context, "pending_audit", None)
        if not rows:
            return
        context.pending_audit = []
        try:
            await audit_many(rows)
        except Exception:
            log.exception("could not write %d audit entries; withholding the response", len(rows))
            result = self.execution_context.result
            if result is not None:
                result.data = None
                result.errors = [
                    GraphQLError(
                        "The read could not be recorded in the audit log; try again.",
                        extensions={"code": "INTERNAL_SERVER_ERROR"},
                    )
                ]
