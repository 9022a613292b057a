"""Live events: one GraphQL execution per event, operation and audience, not per subscriber.

A subscription executes its selection for every event it delivers. With a thousand
subscribers on one project that was a thousand executions of the same selection on the
same rows. Every field an event can reach depends on the viewer only through the
policies, and the policies of one project depend on the viewer only through its
*audience* (`permissions.policies.audience`: customer or not, person or system, and its
roles among the project's authorities). So subscribers with the same operation, variables
and audience receive the same result: it is computed once per event and process, and the
others await it.

Content reads stay audited per viewer: the shared execution records which applications'
content it read, and every subscriber adds its own audit entries for them.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from contextvars import ContextVar
from typing import Any

import orjson
from graphql import OperationType

from actions.audit import audit_row
from models.authority_work import AuditAction
from resolvers.context import subscription_executor
from schema.executor import CompiledExecutionContext

#: While a shared execution runs: the content reads (application id, authority id) it makes.
content_reads: ContextVar[list[tuple[int, int, int | None]] | None] = ContextVar(
    "luukku_content_reads", default=None
)

_MAX_EVENTS = 256
_results: OrderedDict[str, dict[tuple[Any, ...], asyncio.Future[Any]]] = OrderedDict()
executions = 0  # how many shared executions ran (tests and the benchmark read it)


def _variables_key(values: Any) -> bytes:
    try:
        return orjson.dumps(values, option=orjson.OPT_SORT_KEYS, default=str)
    except TypeError:
        return repr(values).encode()


def _futures(event_id: str) -> dict[tuple[Any, ...], asyncio.Future[Any]]:
    futures = _results.get(event_id)
    if futures is None:
        futures = _results[event_id] = {}
        while len(_results) > _MAX_EVENTS:
            _results.popitem(last=False)
    return futures


class SharingExecutionContext(CompiledExecutionContext):
    """Shares one execution per event, operation and audience; runs through the compiled
    executor (`schema.executor`)."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        """graphql-core's `Executor.build`; a subscription's executor is also left in
        `subscription_executor`, for its resolver to keep if it parks (resolvers/live/table.py)."""
        built = super().build(*args, **kwargs)
        operation = getattr(built, "operation", None)
        if operation is not None and operation.operation is OperationType.SUBSCRIPTION:
            subscription_executor.set(built)
        return built

    def execute_operation(self, serially: bool | None = None) -> Any:
        share = getattr(self.root_value, "share_key", None)
        if share is None:
            return super().execute_operation(serially)
        return self._shared(share, serially)

    def variables_key(self) -> bytes:
        """The operation's coerced variables as a key (kept by a parked subscription)."""
        return _variables_key(self.variable_values.coerced)

    def _key(self, audience: Any, variables: bytes) -> tuple[Any, ...]:
        return (audience, self.compiled, id(self.operation), variables)

    def shared_result(self, root: Any, variables: bytes) -> Any | None:
        """The result of the shared execution for this event object (`root`, as
        `build_per_event_executor` would take it) if it has already ended well, with this
        subscriber's audit entries for the content it read; None otherwise (then execute as
        ever). A parked subscription's fan-out (resolvers/live/table.py) asks this first:
        the subscribers after the first of their audience need no executor of their own."""
        share = getattr(root, "share_key", None)
        if share is None:
            return None
        event_id, audience = share
        futures = _results.get(event_id)
        execution = None if futures is None else futures.get(self._key(audience, variables))
        if execution is None or not execution.done() or execution.cancelled():
            return None
        if execution.exception() is not None:
            return None
        result, reads = execution.result()
        self._audit(reads)
        return result

    async def _shared(self, share: tuple[str, Any], serially: bool | None) -> Any:
        event_id, audience = share
        key = self._key(audience, self.variables_key())
        futures = _futures(event_id)
        execution = futures.get(key)
        if execution is None:
            # a task of its own, not the first subscriber's: a subscriber that leaves (its
            # task cancelled) stops waiting for it, and it goes on for the others
            execution = futures[key] = asyncio.ensure_future(self._execute(futures, key, serially))
            execution.add_done_callback(_retrieved)
        result, reads = await asyncio.shield(execution)
        self._audit(reads)
        return result

    async def _execute(
        self,
        futures: dict[tuple[Any, ...], asyncio.Future[Any]],
        key: tuple[Any, ...],
        serially: bool | None,
    ) -> tuple[Any, list[tuple[int, int, int | None]]]:
        """The shared execution, in its own task (and context): the result and the content
        reads it made."""
        global executions
        reads: list[tuple[int, int, int | None]] = []
        content_reads.set(reads)
        try:
            result = super().execute_operation(serially)
            if self.is_awaitable(result):  # sync selections return the result itself
                result = await result
        except BaseException:
            futures.pop(key, None)  # the next subscriber tries again
            raise
        executions += 1
        return result, reads

    def _audit(self, reads: list[tuple[int, int, int | None]]) -> None:
        context = self.context_value
        viewer = context.viewer
        for application_id, authority_id, acting_for in reads:
            context.pending_audit.append(
                audit_row(
                    viewer,
                    AuditAction.CONTENT_READ,
                    "Application",
                    application_id,
                    authority_id,
                    acting_for=acting_for,
                )
            )


class GraphQLCoreSharingExecutionContext(SharingExecutionContext):
    """The same sharing, executed by graphql-core (LUUKKU_EXECUTOR=graphql-core)."""

    compiled = False


def _retrieved(execution: asyncio.Future[Any]) -> None:
    """Its failure is re-raised in the subscribers waiting; none may be left to read it."""
    if not execution.cancelled():
        execution.exception()
