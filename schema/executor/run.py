"""One execution of a plan: completing values, null propagation, and the awaited fields.

The synchronous part walks the selection depth first, as graphql-core does: attribute
reads, resolver calls, serialisers, `__typename`, lists item by item, error handling with
graphql-core's own `handle_field_error` (so messages, locations, paths and the "no error
twice under a nulled position" rule are graphql-core's). Values are written into the
response dicts in place, in response-key order. Each selection's part of the walk runs as
the function `codegen.py` generates for it (`Run.fields` is what it is written from, and
runs instead with `CompiledExecutionContext.generated` off).

A resolver (or list item) that returns an awaitable leaves a placeholder and becomes a
`Pending`. Pendings are not asyncio tasks: the driver steps their coroutines itself, the
way a task would, in waves. Every pending created in one wave is stepped before the driver
yields to the event loop, so all DataLoader loads of a level are made together and batch
as before; when a pending completes, its value is completed by the same depth-first walk
(the next wave). What a task would guarantee, a pending keeps:

- each pending runs in its own copy of the context-variable context, taken when the wave
  that created it ends (as a task of graphql-core's gather copies it), and the fields under
  its value are completed in that context, so a resolver sees what its parents set and a
  sibling never sees what another sibling set;
- a future it awaits is waited on like a task does (`_asyncio_future_blocking` cleared, a
  done callback, exceptions and cancellation thrown into the coroutine; a bare `yield`
  waits one loop iteration);
- `info.path` is the item's own path, and an error of an awaited field is located at its
  full path, since every pending carries its position (the response container, key and
  path, and the position of the object holding it, for null propagation);
- a pending under a position that was nulled by an error gets `CancelledError` thrown in
  at its next step and its result is ignored, like graphql-core's cancelled siblings; if
  the operation itself is cancelled, every pending is cancelled and waited for.

A resolver's coroutine takes its first step at once (`Run.eager`), in its own copy of the
context as its pending would: most finish there, because the loads they await were primed
by planned loading or are cached, and their value is completed on the spot instead of in
the next wave, without a pending. The loads of a wave still go out together (nothing yields
to the event loop before the wave ends). One that waits becomes a pending that is already
waiting; one that fails fails in the next wave, as a pending would. Errors keep the order
the waves give them (graphql-core's, where its tasks run level by level): each is tagged with
its loop iteration and wave, and `OrderedErrors` puts them back in that order, leaving out,
as graphql-core does, an error under a position already nulled before it. What differs from
a pending: the first step runs before the wave's later siblings have resolved (a context
variable a later sibling's synchronous resolver sets is not seen), and runs even if a
sibling nulls their common parent later in the same wave.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
from collections import deque
from collections.abc import Awaitable, Callable
from itertools import pairwise
from types import CoroutineType
from typing import Any

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfoHelpers
from graphql.execution import ExecutionResult
from graphql.execution.executor import CollectedErrors, Executor, invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.executor.codegen import compile_selection
from schema.executor.plan import (
    FieldPlan,
    Kind,
    Plan,
    Position,
    Selection,
    Shape,
    TypePlan,
    selection,
)

_TYPENAME, _ATTRIBUTE = Kind.TYPENAME, Kind.ATTRIBUTE
_LEAF, _ENUM, _LIST, _OBJECT = Shape.LEAF, Shape.ENUM, Shape.LIST, Shape.OBJECT
_IMMUTABLE = (str, int, float, bool, type(None), tuple)
_NONE: dict[str, Any] = {}  # no arguments (never changed: convert_arguments builds new dicts)
_STRAWBERRY_BUILD_INFO = StrawberryGraphQLCoreExecutionContext.build_resolve_info
#: callbacks of awaited futures need no context of their own
_CALLBACK_CONTEXT = contextvars.Context()
#: what `Run.eager` notes for a coroutine whose first step raised
_FAILED = object()


def _ended(*_: Any) -> Any:
    raise RuntimeError("the operation has ended")


_ENDED = GraphQLResolveInfoHelpers(gather=_ended, track=_ended)


class Pending:
    """An awaitable the driver steps, and what to do with its result."""

    __slots__ = (
        "args",
        "callback",
        "context",
        "dead",
        "done",
        "exc",
        "failed",
        "gen",
        "it",
        "path",
    )

    def __init__(
        self,
        it: Any,
        path: Path,
        done: Callable[..., None],
        failed: Callable[..., None],
        args: tuple[Any, ...],
        gen: int,
    ) -> None:
        self.it = it
        self.path = path
        self.done = done
        self.failed = failed
        self.args = args
        #: its wave, counted from the start of the loop iteration it runs in (OrderedErrors)
        self.gen = gen
        self.exc: BaseException | None = None
        self.dead = False
        self.context: contextvars.Context | None = None
        self.callback: Callable[[asyncio.Future[Any]], None] | None = None


def _await_iterator(awaitable: Any) -> Any:
    if hasattr(awaitable, "send") and hasattr(awaitable, "throw"):
        return awaitable  # a coroutine (or generator-based coroutine)
    return awaitable.__await__()


async def _collect(items: Any) -> list[Any]:
    return [item async for item in items]


class _Raising:
    """What a pending steps for a coroutine whose first step already ran and raised."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def send(self, _: None) -> Any:
        raise self.error

    def throw(self, error: BaseException) -> Any:
        raise error


class OrderedErrors(CollectedErrors):
    """graphql-core's collected errors, kept in the order graphql-core adds them.

    graphql-core adds the errors of a loop iteration wave by wave: the synchronous walk's
    first, then those of the awaited fields it started, then of the fields those started.
    The run completes an awaited field that finishes at its first step at once, inside the
    wave that started it, so its errors are added early; each add is therefore tagged with
    (loop iteration, wave) and, if the tags are out of order at the end, the errors are
    added again in tag order, with graphql-core's rule that an error under a position
    already nulled is left out. While running, `_error_positions` holds every position
    nulled so far, as before."""

    __slots__ = ("added", "before", "gen", "turn")

    def __init__(self, before: CollectedErrors) -> None:
        super().__init__()
        #: the loop iterations the run has waited for, and the wave within the current one
        self.turn = 0
        self.gen = 0
        self._errors = list(before._errors)
        self._error_positions = set(before._error_positions)
        self.before = (list(before._errors), set(before._error_positions))
        self.added: list[tuple[int, int, GraphQLError, Path | None]] = []

    def add(self, error: GraphQLError, path: Path | None) -> None:
        self.added.append((self.turn, self.gen, error, path))
        super().add(error, path)

    def reorder(self) -> None:
        added = self.added
        if all(a[:2] <= b[:2] for a, b in pairwise(added)):
            return
        replay = CollectedErrors()
        replay._errors, replay._error_positions = self.before
        for _, _, error, path in sorted(added, key=lambda a: a[:2]):
            replay.add(error, path)
        self._errors, self._error_positions = replay._errors, replay._error_positions


class Run:
    """The state of one execution of a plan."""

    def __init__(self, executor: Executor[Any], plan: Plan) -> None:
        self.ex = executor
        self.plan = plan
        #: the selections' generated functions (codegen.py), or Run.fields' loop
        self.generated: bool = getattr(executor, "generated", True)
        #: what a resolve info holds after the field's own part (name, nodes, return type,
        #: parent type, path), if the executor builds it as Strawberry does (codegen.py)
        self.info_tail: tuple[Any, ...] | None = None
        if type(executor).build_resolve_info is _STRAWBERRY_BUILD_INFO:
            ex: Any = executor
            self.info_tail = (
                ex.schema,
                ex.fragment_definitions,
                ex.root_value,
                ex.operation,
                ex.variable_values.coerced,
                ex.context_value,
                ex.is_awaitable,
                ex.abort_signal,
                ex.async_helpers,
                ex.operation_extensions,
            )
        self.errors = executor.collected_errors = OrderedErrors(executor.collected_errors)
        self.is_awaitable = executor.is_awaitable
        self.ready: deque[Pending] = deque()
        self.fresh: list[Pending] = []
        self.waiting: dict[Pending, asyncio.Future[Any]] = {}
        self.again: list[Pending] = []
        self.args: dict[FieldPlan, dict[str, Any]] = {}
        self.nulled = False
        self.wake: asyncio.Future[None] | None = None
        self.cancelled: BaseException | None = None

    # --- the operation ------------------------------------------------------------------------

    def execute(self) -> ExecutionResult | Awaitable[ExecutionResult]:
        data: dict[str, Any] = {}
        root = self.plan.root
        try:
            self.fields(root, self.ex.root_value, None, data, None)
        except GraphQLError as error:
            self.errors.add(error, None)
            self.nulled = True
        self.seal()
        if not (self.ready or self.waiting or self.again):
            return self.response(data)
        return self.drive(data)

    def response(self, data: dict[str, Any]) -> ExecutionResult:
        self.errors.reorder()
        ex = self.ex
        # not awaitable: the data is a dict, never an awaitable
        result: ExecutionResult = ex.build_response(None if self.nulled else data)  # type: ignore[assignment]
        # graphql-core's executor refers to itself through its resolver helpers: a cycle that
        # kept the request's whole graph (context, loaders, rows) for the cyclic collector;
        # the operation is over, nothing tracks or gathers work any more
        ex.async_helpers = _ENDED
        return result

    # --- the synchronous walk ------------------------------------------------------------------

    def fields(
        self,
        sel: Selection,
        source: Any,
        path: Path | None,
        out: dict[str, Any],
        pos: Position | None,
    ) -> None:
        """Execute the fields of `sel` on `source` into `out` (graphql-core's execute_fields).

        With `generated`, the selection's generated function does it (codegen.py: this
        loop written out per selection); the loop below is what it is written from."""
        if self.generated:
            generated = sel.generated
            if generated is None:
                generated = compile_selection(sel, self.ex)
                sel.generated = generated
            generated(self, source, path, out, pos)
            return
        type_name = sel.type_name
        ex = self.ex
        for fp in sel.fields:
            key = fp.key
            kind = fp.kind
            if kind is _TYPENAME:
                out[key] = type_name
                continue
            if kind is _ATTRIBUTE:
                try:
                    # every _ATTRIBUTE plan has its getter
                    value = fp.getter(source, fp.attribute)  # type: ignore[misc]
                except Exception as error:
                    ex.handle_field_error(
                        error, fp.return_type, fp.details, Path(path, key, type_name)
                    )
                    out[key] = None
                    continue
                fast = fp.fast
                if fast is not None:  # a String, ID or Boolean read: nothing to complete
                    if type(value) is fast:
                        out[key] = value
                        continue
                    if value is None and not fp.type_plan.non_null:
                        out[key] = None
                        continue
                fpath = Path(path, key, type_name)
                info = self.info(fp, fpath) if fp.needs_info else None
            else:
                fpath = Path(path, key, type_name)
                # field_def is None only for __typename, handled above
                info = (
                    None
                    if fp.info_free
                    else ex.build_resolve_info(fp.field_def, fp.nodes, sel.object_type, fpath)  # type: ignore[arg-type]
                )
                try:
                    call = fp.call
                    if call is not None:
                        value = call(source, info, self.arguments(fp) if fp.has_args else _NONE)
                    elif fp.has_args:
                        value = fp.resolve(source, info, **self.arguments(fp))
                    else:
                        value = fp.resolve(source, info)
                except Exception as error:
                    ex.handle_field_error(error, fp.return_type, fp.details, fpath)
                    out[key] = None
                    continue
            if type(value) is CoroutineType:  # the most common awaitable, checked first
                out[key] = None
                self.eager(value, (fp.type_plan, fp, info, fpath, pos, out, key))
                continue
            if self.is_awaitable(value):
                out[key] = None
                self.defer(value, fp.type_plan, fp, info, fpath, pos, out, key)
                continue
            try:
                self.complete(fp.type_plan, value, fp, info, fpath, pos, out, key)
            except Exception as error:
                ex.handle_field_error(error, fp.return_type, fp.details, fpath)
                out[key] = None

    def complete(
        self,
        tp: TypePlan,
        value: Any,
        fp: FieldPlan,
        info: Any,
        path: Path,
        pos: Position | None,
        container: Any,
        key: str | int,
    ) -> None:
        """Complete `value` into container[key] (graphql-core's complete_value); raises the
        error to be handled by the field or list item that produced the value."""
        if isinstance(value, Exception):
            raise value
        if value is None or value is Undefined:
            if tp.non_null:
                raise TypeError(
                    f"Cannot return null for non-nullable field {fp.parent_name}.{fp.name}."
                )
            container[key] = None
            return
        shape = tp.shape
        if shape is _LEAF:
            if type(value) is tp.fast:
                container[key] = value
            else:
                container[key] = Executor.complete_leaf_value(_named(tp), value)
        elif shape is _ENUM:
            names = tp.enum_names
            assert names is not None
            cache_key = (type(value), value)
            try:
                container[key] = names[cache_key]
            except KeyError:
                name = names[cache_key] = Executor.complete_leaf_value(_named(tp), value)
                container[key] = name
            except TypeError:  # unhashable: as graphql-core, every time
                container[key] = Executor.complete_leaf_value(_named(tp), value)
        elif shape is _LIST:
            self.complete_list(tp, value, fp, info, path, pos, container, key)
        elif shape is _OBJECT:
            assert tp.object_type is not None
            self.complete_object(tp, tp.object_type, value, fp, info, path, pos, container, key)
        else:
            abstract = tp.abstract
            assert abstract is not None
            resolve_type = abstract.resolve_type or self.ex.type_resolver
            runtime = resolve_type(value, info, abstract)
            if self.is_awaitable(runtime):
                container[key] = None
                self.pend(
                    runtime,
                    path,
                    self.type_resolved,
                    (tp, value, fp, info, path, pos, container, key),
                )
                return
            object_type = self.ex.ensure_valid_runtime_type(
                runtime, abstract, tp.field_details, info, value
            )
            self.complete_object(tp, object_type, value, fp, info, path, pos, container, key)

    def complete_list(
        self,
        tp: TypePlan,
        value: Any,
        fp: FieldPlan,
        info: Any,
        path: Path,
        pos: Position | None,
        container: Any,
        key: str | int,
    ) -> None:
        if self.ex.is_async_iterable(value):
            container[key] = None
            self.defer(_collect(value), tp, fp, info, path, pos, container, key)
            return
        if not is_iterable(value):
            raise GraphQLError(
                f"Expected Iterable, but did not find one for field '{fp.parent_name}.{fp.name}'."
            )
        item = tp.item
        assert item is not None
        items: list[Any] = []
        container[key] = items
        here = Position(pos, container, key, tp.gtype, tp.field_details, path)
        list_item = self.list_item
        index = 0
        for element in value:
            item_path = Path(path, index, None)
            items.append(None)
            list_item(item, element, fp, info, item_path, here, items, index)
            index += 1

    def list_item(
        self,
        item: TypePlan,
        element: Any,
        fp: FieldPlan,
        info: Any,
        path: Path,
        here: Position,
        items: list[Any],
        index: int,
    ) -> None:
        """Complete one list item into items[index] (a placeholder is there)."""
        if self.is_awaitable(element):
            self.defer(element, item, fp, info, path, here, items, index)
            return
        try:
            self.complete(item, element, fp, info, path, here, items, index)
        except Exception as error:
            self.ex.handle_field_error(error, item.gtype, item.field_details, path)
            items[index] = None

    def complete_object(
        self,
        tp: TypePlan,
        object_type: GraphQLObjectType,
        value: Any,
        fp: FieldPlan,
        info: Any,
        path: Path,
        pos: Position | None,
        container: Any,
        key: str | int,
    ) -> None:
        sel = tp.selections.get(object_type.name) or selection(self.ex, object_type, tp)
        if sel.is_type_of is not None:
            is_type_of = sel.is_type_of(value, info)
            if self.is_awaitable(is_type_of):
                container[key] = None
                self.pend(
                    is_type_of,
                    path,
                    self.type_checked,
                    (tp, object_type, value, fp, info, path, pos, container, key),
                )
                return
            if not is_type_of:
                raise invalid_return_type_error(object_type, value, tp.field_details)
        self.object_fields(tp, sel, value, path, pos, container, key)

    def object_fields(
        self,
        tp: TypePlan,
        sel: Selection,
        value: Any,
        path: Path,
        pos: Position | None,
        container: Any,
        key: str | int,
    ) -> None:
        out: dict[str, Any] = {}
        container[key] = out
        self.fields(
            sel, value, path, out, Position(pos, container, key, tp.gtype, tp.field_details, path)
        )

    def info(self, fp: FieldPlan, path: Path) -> Any:
        # field_def is None only for __typename, which needs no info
        return self.ex.build_resolve_info(fp.field_def, fp.nodes, fp.parent_type, path)  # type: ignore[arg-type]

    def arguments(self, fp: FieldPlan) -> dict[str, Any]:
        """The field's arguments: once per plan if they are constant, once per run if they
        read variables (graphql-core coerces them per call; immutable values only)."""
        if fp.static_args is not None:
            return fp.static_args
        cached = self.args.get(fp)
        if cached is not None:
            return cached
        ex = self.ex
        values: dict[str, Any] = get_argument_values(
            fp.field_def,  # type: ignore[arg-type]  # None only for __typename (no arguments)
            fp.first.node,
            ex.variable_values,
            fp.first.fragment_variable_values,
            ex.hide_suggestions,
        )
        if all(isinstance(v, _IMMUTABLE) or _is_enum(v) for v in values.values()):
            if fp.cacheable_args:
                fp.static_args = values
            else:
                self.args[fp] = values
        return values

    # --- awaited values --------------------------------------------------------------------

    def eager(self, coroutine: Any, args: tuple[Any, ...]) -> None:
        """A resolver's coroutine, stepped at once in its own copy of the context, as the
        pending it would become would be: most finish at that first step (their loads were
        primed or cached), and their value is completed here, in that context, as the next
        wave (`gen`). One that waits becomes a pending that waits already; one that fails
        fails as a pending would, in the next wave. `args`: those of `value_done` after the
        value (type plan, field plan, info, path, position, container, key)."""
        errors = self.errors
        path = args[3]
        if errors._error_positions and errors.has_nulled_position(path):
            self.pend(coroutine, path, self.value_done, args)  # it is cancelled, as before
            return
        context = contextvars.copy_context()
        try:
            yielded = context.run(coroutine.send, None)
        except StopIteration as stop:
            context.run(self.finished, stop.value, args)
            return
        except (Exception, asyncio.CancelledError) as error:
            coroutine = _Raising(error)
            yielded = _FAILED
        p = Pending(coroutine, path, self.value_done, self.value_failed, args, self.errors.gen + 1)
        p.context = context
        if yielded is _FAILED:
            self.fresh.append(p)  # stepped with the others of its wave, and fails there
        else:
            self.park(p, yielded)

    def finished(self, value: Any, args: tuple[Any, ...]) -> None:
        """Complete the value of a coroutine that finished at its first step (in its context):
        the pendings this creates take their context from it."""
        fresh = self.fresh
        start = len(fresh)
        errors = self.errors
        errors.gen += 1
        try:
            self.value_done(value, *args)
        finally:
            errors.gen -= 1
            for pending in fresh[start:]:
                if pending.context is None:
                    pending.context = contextvars.copy_context()

    def defer(
        self,
        awaitable: Any,
        tp: TypePlan,
        fp: FieldPlan,
        info: Any,
        path: Path,
        pos: Position | None,
        container: Any,
        key: str | int,
    ) -> None:
        """An awaited field value or list item, completed as `tp` when it arrives."""
        self.pend(awaitable, path, self.value_done, (tp, fp, info, path, pos, container, key))

    def pend(
        self, awaitable: Any, path: Path, done: Callable[..., None], args: tuple[Any, ...]
    ) -> None:
        self.fresh.append(
            Pending(
                _await_iterator(awaitable), path, done, self.value_failed, args, self.errors.gen + 1
            )
        )

    def seal(self) -> None:
        """End of a wave: the pendings it created get their context (a copy of the current
        one, as a task created now would) and are queued."""
        fresh = self.fresh
        if fresh:
            for pending in fresh:
                if pending.context is None:
                    pending.context = contextvars.copy_context()
            self.ready.extend(fresh)
            fresh.clear()

    def value_done(
        self,
        value: Any,
        tp: TypePlan,
        fp: FieldPlan,
        info: Any,
        path: Path,
        pos: Position | None,
        container: Any,
        key: str | int,
    ) -> None:
        try:
            finish = tp.finish if self.generated else None
            if finish is not None:
                finish(self, value, fp, info, path, pos, container, key)
            else:
                self.complete(tp, value, fp, info, path, pos, container, key)
        except Exception as error:
            self.value_failed(error, tp, fp, info, path, pos, container, key)

    def type_resolved(
        self,
        runtime: Any,
        tp: TypePlan,
        value: Any,
        fp: FieldPlan,
        info: Any,
        path: Path,
        pos: Position | None,
        container: Any,
        key: str | int,
    ) -> None:
        try:
            assert tp.abstract is not None
            object_type = self.ex.ensure_valid_runtime_type(
                runtime, tp.abstract, tp.field_details, info, value
            )
            self.complete_object(tp, object_type, value, fp, info, path, pos, container, key)
        except Exception as error:
            self.value_failed(error, tp, fp, info, path, pos, container, key)

    def type_checked(
        self,
        is_type_of: Any,
        tp: TypePlan,
        object_type: GraphQLObjectType,
        value: Any,
        fp: FieldPlan,
        info: Any,
        path: Path,
        pos: Position | None,
        container: Any,
        key: str | int,
    ) -> None:
        try:
            if not is_type_of:
                raise invalid_return_type_error(object_type, value, tp.field_details)
            sel = tp.selections.get(object_type.name) or selection(self.ex, object_type, tp)
            self.object_fields(tp, sel, value, path, pos, container, key)
        except Exception as error:
            self.value_failed(error, tp, fp, info, path, pos, container, key)

    def value_failed(self, error: Exception, tp: TypePlan, *rest: Any) -> None:
        """An awaited value failed: graphql-core's handle_field_error for the field or item,
        and, for a non-null one, null propagation to the nearest nullable position."""
        path, pos, container, key = rest[-4:]
        try:
            self.ex.handle_field_error(error, tp.gtype, tp.field_details, path)
        except GraphQLError as located:
            self.propagate(located, pos)
            return
        container[key] = None

    def propagate(self, error: GraphQLError, pos: Position | None) -> None:
        while pos is not None:
            try:
                self.ex.handle_field_error(error, pos.return_type, pos.details, pos.path)
            except GraphQLError as again:
                error, pos = again, pos.parent
                continue
            pos.container[pos.key] = None
            return
        self.errors.add(error, None)
        self.nulled = True

    # --- the driver ------------------------------------------------------------------------

    async def drive(self, data: dict[str, Any]) -> ExecutionResult:
        loop = asyncio.get_running_loop()
        ready = self.ready
        while True:
            while ready:
                self.step(ready.popleft())
            try:
                if self.again:  # bare `yield`s: one loop iteration, as a task would
                    for p in self.again:
                        p.gen = 0
                    ready.extend(self.again)
                    self.again.clear()
                    self.errors.turn += 1
                    await asyncio.sleep(0)
                    continue
                if not self.waiting:
                    break
                self.wake = loop.create_future()
                self.errors.turn += 1
                await self.wake
            except asyncio.CancelledError as cancelled:
                self.cancel_all(cancelled)
        if self.cancelled is not None:
            raise self.cancelled
        return self.response(data)

    def step(self, p: Pending) -> None:
        exc, p.exc = p.exc, None
        errors = self.errors
        if not p.dead and errors._error_positions and errors.has_nulled_position(p.path):
            p.dead = True  # under a nulled position: cancelled, as graphql-core's siblings
            exc = asyncio.CancelledError()
        context = p.context
        assert context is not None
        try:
            if exc is None:
                yielded = context.run(p.it.send, None)
            else:
                yielded = context.run(p.it.throw, exc)
        except StopIteration as stop:
            if not p.dead:
                context.run(self.settle, p, p.done, stop.value)
            return
        except asyncio.CancelledError as cancelled:
            if not p.dead and self.cancelled is None:
                # an awaited resolver was cancelled: graphql-core lets that cancel the operation
                self.cancel_all(cancelled)
            return
        except Exception as error:
            if not p.dead:
                context.run(self.settle, p, p.failed, error)
            return
        self.park(p, yielded)

    def park(self, p: Pending, yielded: Any) -> None:
        """A pending's coroutine yielded: wait for the future (or a loop iteration) as a task
        would."""
        if yielded is None:
            self.again.append(p)
            return
        blocking = getattr(yielded, "_asyncio_future_blocking", None)
        if blocking is True:
            yielded._asyncio_future_blocking = False
            callback = p.callback = _wakeup(self, p)
            self.waiting[p] = yielded
            yielded.add_done_callback(callback, context=_CALLBACK_CONTEXT)
            return
        # what asyncio.Task says to a coroutine that yields something else
        if blocking is False:
            p.exc = RuntimeError(f"yield was used instead of yield from with {yielded!r}")
        else:
            p.exc = RuntimeError(f"Task got bad yield: {yielded!r}")
        self.ready.append(p)

    def settle(self, p: Pending, then: Callable[..., None], value: Any) -> None:
        """Run a pending's continuation (in its context), then queue what it created."""
        self.errors.gen = p.gen
        try:
            then(value, *p.args)
        finally:
            self.seal()

    def woken(self, p: Pending, future: asyncio.Future[Any]) -> None:
        if self.waiting.pop(p, None) is None:
            return
        p.callback = None  # it refers to the pending: a cycle the collector would have to find
        p.gen = 0  # the first wave of the loop iteration that runs it
        try:
            future.result()
        except BaseException as exc:  # thrown in, as asyncio.Task does
            p.exc = exc
        self.ready.append(p)
        wake = self.wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    def cancel_all(self, cancelled: BaseException) -> None:
        """Cancel every pending (the operation was cancelled) and keep driving until they end."""
        if self.cancelled is None:
            self.cancelled = cancelled
        for p, future in list(self.waiting.items()):
            if p.callback is not None:
                future.remove_done_callback(p.callback)
                p.callback = None
            # as Task.cancel does: the future is cancelled too, so that what it stands for
            # (a driver's statement in flight) learns of it and ends its part
            future.cancel()
            del self.waiting[p]
            self.ready.append(p)
        for p in (*self.ready, *self.again):
            p.dead = True
            p.exc = asyncio.CancelledError()
        self.ready.extend(self.again)
        self.again.clear()


def _wakeup(run: Run, p: Pending) -> Callable[[asyncio.Future[Any]], None]:
    def callback(future: asyncio.Future[Any]) -> None:
        run.woken(p, future)

    return callback


def _named(tp: TypePlan) -> Any:
    gtype: Any = tp.gtype
    return gtype.of_type if tp.non_null else gtype


def _is_enum(value: Any) -> bool:
    return isinstance(value, enum.Enum)
