"""Everything that runs on a document before execution: parsing, limits and validation.

One extension replaces Strawberry's ParserCache, ValidationCache, MaxTokensLimiter,
QueryDepthLimiter and MaxAliasesLimiter. Each step is linear in the document's size:

1. parsing, with at most MAX_TOKENS tokens (graphql-core also stops at 200 levels of
   nesting); a document that does not parse gets a coded error, never an exception;
2. `schema.limits`: depth, aliases and cost, each fragment measured once; a document over a
   limit stops here, so nothing later sees its expansion;
3. graphql-core's rules, with OverlappingFieldsCanBeMergedRule (quadratic) replaced by
   `schema.overlap`, which does the same check in one pass over the bounded expansion.

Results are cached per document text (512 entries); who may use introspection is decided
per request (`permissions.limits.can_introspect`), after the cache.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import OverlappingFieldsCanBeMergedRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from app.security import client_address
from app.throttle import Throttled, throttle
from models.settings import Settings, get_settings
from permissions.facts import Viewer
from permissions.limits import budget_key, can_introspect
from schema.limits import Limits, limit_errors, measure_document
from schema.overlap import FieldsCanMergeRule

RULES = (
    *(rule for rule in specified_rules if rule is not OverlappingFieldsCanBeMergedRule),
    FieldsCanMergeRule,
    MaybeNullValidationRule,
    OneOfInputValidationRule,
)
CACHE_SIZE = 512
#: Documents up to this length are cached (so the cache holds at most 512 × 20,000 chars)
CACHED_CHARS = 20_000
#: The least a mutation costs of the THROTTLE_COST budget (it writes, and may send mail)
MUTATION_COST = 100


@dataclass(frozen=True)
class Checked:
    """A document text after the checks: its document (None if it did not parse), the
    errors, and whether it uses introspection."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    introspection: bool
    #: each operation's cost points (a mutation's are at least MUTATION_COST), by name
    costs: tuple[tuple[str, int], ...] = ()

    def cost(self, operation_name: str | None) -> int:
        costs = dict(self.costs)
        if operation_name is not None:
            return costs.get(operation_name, 0)
        return max(costs.values(), default=0)


def limits_of(settings: Settings) -> Limits:
    return Limits(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_cost=settings.max_query_cost,
        max_page=settings.max_page_size,
    )


#: What a document too long to parse is replaced with, so that Strawberry does not parse it
#: either; the request gets the DOCUMENT_TOO_LARGE error instead of a result.
_STUB = parse("{ __typename }")


def too_large(length: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"The document has {length} characters; at most {limit} are allowed "
        "(send long texts as variables).",
        extensions={"code": "DOCUMENT_TOO_LARGE", "limit": limit},
    )


def check_document(
    schema: GraphQLSchema,
    query: str,
    limits: Limits,
    max_tokens: int,
    suggestions: bool,
    max_chars: int = 100_000,
) -> Checked:
    """Parse, measure and validate one document (uncached)."""
    if len(query) > max_chars:
        return Checked(_STUB, (too_large(len(query), max_chars),), False)
    try:
        document = parse(query, max_tokens=max_tokens)
    except (GraphQLSyntaxError, RecursionError) as error:
        # Strawberry parses it again to report the error (schema.errors gives it a code)
        return (
            Checked(None, (), False)
            if isinstance(error, RecursionError)
            else Checked(None, (error,), False)
        )
    measure = measure_document(schema, document, limits)
    over = limit_errors(measure, limits)
    if over:
        return Checked(document, tuple(over), measure.introspection)
    errors = validate(schema, document, RULES, hide_suggestions=not suggestions)
    mutations = {
        d.name.value if d.name else ""
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.operation is OperationType.MUTATION
    }
    costs = tuple(
        (name, max(m.cost(1), MUTATION_COST) if name in mutations else m.cost(1))
        for name, m in measure.operations.items()
    )
    return Checked(document, tuple(errors), measure.introspection, costs)


@lru_cache(maxsize=CACHE_SIZE)
def _cached(
    schema: GraphQLSchema,
    query: str,
    limits: Limits,
    max_tokens: int,
    suggestions: bool,
    max_chars: int,
) -> Checked:
    return check_document(schema, query, limits, max_tokens, suggestions, max_chars)


def cache_info() -> object:
    return _cached.cache_info()


def introspection_denied() -> GraphQLError:
    return GraphQLError(
        "Introspection is not available to you.", extensions={"code": "INTROSPECTION_DISABLED"}
    )


class DocumentChecks(SchemaExtension):
    """Parsing and validation with Luukku's limits, cached per document text."""

    def _checked(self) -> Checked | None:
        query = self.execution_context.query
        if query is None:
            return None
        settings = get_settings()
        arguments = (
            self.execution_context.schema._schema,
            query,
            limits_of(settings),
            settings.max_tokens,
            settings.field_suggestions,
            settings.max_document_chars,
        )
        if len(query) > CACHED_CHARS:  # the cache holds its keys: big texts are not kept
            return check_document(*arguments)
        return _cached(*arguments)

    def on_parse(self) -> Iterator[None]:
        checked = self._checked()
        # A document that does not parse is left to Strawberry, which parses it again (with
        # the same token limit) and reports the syntax error in its own way.
        self.execution_context.parse_options["max_tokens"] = get_settings().max_tokens
        if checked is not None and checked.document is not None:
            self.execution_context.graphql_document = checked.document
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        checked = self._checked()
        if checked is not None and checked.document is self.execution_context.graphql_document:
            errors = list(checked.errors)
            context = self.execution_context.context
            viewer = getattr(context, "viewer", None)
            settings = get_settings()
            if (
                not errors
                and checked.introspection
                and not can_introspect(viewer, settings.introspection)
            ):
                errors = [introspection_denied()]
            if not errors:
                errors = await self._spend(checked, context, viewer, settings)
            self.execution_context.pre_execution_errors = errors
        yield

    async def _spend(
        self, checked: Checked, context: object, viewer: Viewer | None, settings: Settings
    ) -> list[GraphQLError]:
        """Charge expensive operations and mutations to the client's THROTTLE_COST budget."""
        cost = checked.cost(self.execution_context.operation_name)
        mutation = cost >= MUTATION_COST and any(
            isinstance(d, OperationDefinitionNode) and d.operation is OperationType.MUTATION
            for d in (checked.document.definitions if checked.document else ())
        )
        if cost < settings.throttle_cost_from and not mutation:
            return []
        request = getattr(context, "request", None)
        address = client_address(request.scope) if request is not None else "unknown"
        try:
            await throttle.spend("cost", [budget_key(viewer, address)], cost, check=True)
        except Throttled as exc:
            response = getattr(context, "response", None)
            if response is not None:
                response.status_code = 429
                response.headers["Retry-After"] = str(exc.retry_after)
            return [
                GraphQLError(
                    f"Too many expensive requests; try again in {exc.retry_after} s.",
                    extensions={"code": "RATE_LIMITED", "retryAfter": exc.retry_after},
                )
            ]
        return []
