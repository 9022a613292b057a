"""Cross-site request forgery: cookie-authenticated mutations need `X-Luukku-CSRF: 1`.

The session cookie is SameSite=Lax, so browsers do not send it with cross-site POSTs; the
header is the second line of defence (old browsers, same-site subdomains). A page on
another origin cannot add a custom header without a CORS preflight, which only
ALLOWED_ORIGINS pass. Queries need no header: they change nothing, and a cross-site page
cannot read their answers. Bearer-token requests carry no ambient credential and need none.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

CSRF_CODE = "CSRF_HEADER_REQUIRED"


class CsrfGuard(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if (
            getattr(context, "csrf_missing", False)
            and self.execution_context.operation_type is OperationType.MUTATION
        ):
            self.execution_context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Signed in with the session cookie: send the header X-Luukku-CSRF: 1 "
                        "with mutations.",
                        extensions={"code": CSRF_CODE},
                    )
                ],
            )
        yield
