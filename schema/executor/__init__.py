"""The compiled executor: Strawberry's execution context with a planned walk of the selection.

graphql-core's executor does the same work per field and object on every request: collect
the sub-fields, build a path and an info object, look up how to complete the type, await
through a coroutine per field and a gather per object. `CompiledExecutionContext` (plugged
in as the schema's `execution_context_class`) builds a plan per (schema, operation, and
the values of the variables its `@skip`/`@include` read) once, keeps it in an LRU cache,
and runs it (`schema.executor.run`, each selection as a Python function generated for it,
`schema.executor.codegen`): attribute reads where a Strawberry field has no
resolver or extensions, the resolver Strawberry built (arguments, permission and field
extensions, `Info`) where it has, each type's serialiser, the GraphQL spec's errors, null
propagation and paths through graphql-core's own `handle_field_error`, and awaited fields
stepped in waves so that DataLoaders batch per level as before.

What it does not handle runs on graphql-core, per operation: mutations (their root fields
run serially), introspection (`__schema`, `__type`), any directive other than `@skip` and
`@include`, `@defer`/`@stream`, fragment variables, resolver middleware (a schema extension
with `resolve`), abort signals and execution hooks. `LUUKKU_EXECUTOR=graphql-core` turns
the compiled path off altogether.

It relies on internals of the pinned versions (strawberry-graphql 0.341.2, graphql-core
3.3.2): the `_get_basic_result`/`_is_default` marks of Strawberry's basic-field resolver,
Strawberry's resolve-info tuple (`_OperationContextAwareGraphQLResolveInfo`, made by the
generated code from the field's part and the run's) and the `is_type_of` it generates (an
isinstance check, reduced to its `strawberry.cast` check for an instance of the type's own
class), the `strawberry-definition` extension of graphql-core fields, and graphql-core's
`Executor` methods (`build_resolve_info`, `handle_field_error`, `ensure_valid_runtime_type`,
`build_response`, `complete_leaf_value`) and `collect_fields`. The sameness tests
(`tests/executor/`, and every request of the permission matrix, the journeys and the
benchmark through both executors) catch an upgrade that changes them.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, ClassVar

from graphql import GraphQLError, OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.executor.plan import Plan, Unsupported, directive_variables, root_selection
from schema.executor.run import Run

__all__ = ["CompiledExecutionContext", "stats"]

log = logging.getLogger("luukku.executor")

_MAX_PLANS = 512
#: (schema id, operation id) -> (operation, the @skip/@include variables, or None: unsupported)
_directives: OrderedDict[tuple[int, int], tuple[Any, tuple[str, ...] | None]] = OrderedDict()
#: ((schema id, operation id), @skip/@include values) -> (operation, plan or None: graphql-core's)
_plans: OrderedDict[tuple[Any, ...], tuple[Any, Plan | None]] = OrderedDict()


class Stats:
    """How operations were executed in this process (tests and the benchmark read it)."""

    __slots__ = ("compiled", "fallback", "plans")

    def __init__(self) -> None:
        self.compiled = 0
        self.fallback = 0
        self.plans = 0


stats = Stats()


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    while len(cache) > _MAX_PLANS:
        cache.popitem(last=False)


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Runs queries and subscription events from a cached plan; the rest on graphql-core."""

    #: False: always graphql-core (LUUKKU_EXECUTOR=graphql-core, and the sameness tests)
    compiled: ClassVar[bool] = True
    #: False: the plan's generic field loop instead of its generated functions (codegen.py)
    generated: ClassVar[bool] = True

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = self._plan(serially) if self.compiled else None
        if plan is None:
            stats.fallback += 1
            return super().execute_operation(serially)
        stats.compiled += 1
        return Run(self, plan).execute()

    def _plan(self, serially: bool | None) -> Plan | None:
        operation = self.operation
        if serially or (serially is None and operation.operation is OperationType.MUTATION):
            return None
        if self.abort_signal is not None or self.hooks is not None:
            return None
        middleware = self.middleware_manager
        if middleware is not None and middleware._middleware_resolvers:
            return None
        base = (id(self.schema), id(operation))
        known = _directives.get(base)
        if known is None or known[0] is not operation:
            try:
                names: tuple[str, ...] | None = directive_variables(
                    operation, self.fragment_definitions
                )
            except Unsupported as why:
                log.debug("graphql-core executes this operation: %s", why)
                names = None
            known = (operation, names)
            _remember(_directives, base, known)
        names = known[1]
        if names is None:
            return None
        coerced = self.variable_values.coerced
        key = (base, tuple(coerced.get(name) for name in names))
        found = _plans.get(key)
        if found is not None and found[0] is operation:
            _plans.move_to_end(key)
            return found[1]
        plan = self._build(operation)
        _remember(_plans, key, (operation, plan))
        return plan

    def _build(self, operation: Any) -> Plan | None:
        root_type = self.schema.get_root_type(operation.operation)
        if root_type is None:
            return None
        try:
            root = root_selection(self, root_type)
        except (Unsupported, GraphQLError, RecursionError) as why:
            log.debug("graphql-core executes this operation: %s", why)
            return None
        stats.plans += 1
        return Plan(self.schema, operation, root)
