"""Generated code: one Python function per selection plan, instead of the generic field loop.

`Run.fields` walks a `Selection`'s fields in a loop that, for every field of every object,
reads the field plan's attributes and branches on its kind, its shape and what its resolver
needs. Everything it branches on is fixed once the plan is built, so `compile_selection`
writes the loop out: one straight-line block per response key, with the branches that
cannot be taken left out, attribute reads inlined (`source.name`), the enum-name cache and
the resolver bound as names of the function's namespace, and the resolvers Strawberry would
call with only `self`/`root`/`info` called directly. What a block does is exactly what
`Run.fields` does for that field (which stays, and is what runs with
`CompiledExecutionContext.generated` off): the same calls to `handle_field_error` with the
same paths, the same placeholders for awaited values, the same completion (`Run.complete`).

The source is built from the plan alone: response keys, paths' type names, argument values
and every other value of the document are passed in the namespace (`k3`, `fp3`, ...), never
written into the source. Only Python attribute and parameter names taken from the schema's
own Python code appear in it, checked to be identifiers, and GraphQL names (checked against
the GraphQL name grammar) appear in comments. The source is registered with `linecache`
while the function lives (`Selection.source` reads it there), so tracebacks show its lines.
"""

from __future__ import annotations

import builtins
import datetime
import decimal
import itertools
import keyword
import linecache
import re
import weakref
from collections.abc import Callable
from types import CoroutineType, GeneratorType
from typing import TYPE_CHECKING, Any

from graphql import GraphQLList, GraphQLNonNull
from graphql.execution.executor import Executor
from graphql.pyutils import Path
from strawberry.schema.schema import _OperationContextAwareGraphQLResolveInfo as RESOLVE_INFO
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from schema.executor.plan import (
    STRAWBERRY_IS_TYPE_OF,
    FieldPlan,
    Kind,
    Position,
    Shape,
    StrawberryCall,
    TypePlan,
    selection,
)

if TYPE_CHECKING:
    from schema.executor.plan import Selection

__all__ = ["compile_selection"]

#: a generated function: (run, source, path, out, position) -> None, as Run.fields
Generated = Callable[[Any, Any, Any, dict[str, Any], Any], None]
#: TypePlan.finish: (run, value, fp, info, path, position, container, key) -> None
Finish = Callable[[Any, Any, Any, Any, Any, Any, Any, Any], None]

#: a graphql-core object type's Strawberry definition (whose `origin` is the Python class)
STRAWBERRY_TYPE = "strawberry-definition"
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*\Z")
_counter = itertools.count(1)
#: types of values a leaf field's serialiser takes that are neither awaitable nor exceptions
_LEAF_TYPES = frozenset(
    {int, float, str, bool, datetime.datetime, datetime.date, datetime.time, decimal.Decimal}
)
_NONE: dict[str, Any] = {}  # no arguments (never changed: convert_arguments builds new dicts)


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _label(name: str) -> str:
    """A GraphQL name for a comment (any other text is left out)."""
    return name if _GRAPHQL_NAME.match(name) else "?"


def _type_label(gtype: Any) -> str:
    """An output type as the SDL writes it (`[Item!]!`), for a comment."""
    if isinstance(gtype, GraphQLNonNull):
        return _type_label(gtype.of_type) + "!"
    if isinstance(gtype, GraphQLList):
        return f"[{_type_label(gtype.of_type)}]"
    return _label(getattr(gtype, "name", "?"))


class _Target:
    """What `_Writer.object_target` found for an object-typed place."""

    __slots__ = ("cls", "generated", "is_type_of", "type_name")

    def __init__(self, type_name: str, cls: type, is_type_of: Any, generated: Generated) -> None:
        self.type_name = type_name
        self.cls = cls
        self.is_type_of = is_type_of
        self.generated = generated


class _Writer:
    def __init__(self, sel: Selection, executor: Any) -> None:
        self.sel = sel
        self.executor = executor
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {
            "Path": Path,
            "Position": Position,
            "CoroutineType": CoroutineType,
            "TYPE_NAME": sel.type_name,
            "OTYPE": sel.object_type,
            "NO_ARGS": _NONE,
            "INFO": RESOLVE_INFO,
            # Path, Position and the resolve info are named tuples: made as their __new__ does
            "new": tuple.__new__,
            "CAST": TYPE_CAST_ATTRIBUTE,
            "LEAF_TYPES": _LEAF_TYPES,
            "leaf": Executor.complete_leaf_value,
        }

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def bind(self, name: str, value: Any) -> str:
        self.namespace[name] = value
        return name

    # --- per field ----------------------------------------------------------------------

    def field(self, i: int, fp: FieldPlan) -> None:
        k = self.bind(f"k{i}", fp.key)
        where = f"{_label(self.sel.type_name)}.{_label(fp.name)}"
        if fp.key != fp.name:
            where += f" as {_label(fp.key)}"
        if fp.kind is Kind.TYPENAME:
            self.emit(1, f"# {where}: the object's type name")
            self.emit(1, f"out[{k}] = TYPE_NAME")
            return
        self.bind(f"fp{i}", fp)
        self.bind(f"rt{i}", fp.return_type)
        self.bind(f"det{i}", fp.details)
        if fp.kind is Kind.ATTRIBUTE:
            self.attribute(i, fp, where)
        else:
            self.resolver(i, fp, where)

    def attribute(self, i: int, fp: FieldPlan, where: str) -> None:
        """An attribute read; String, ID, Boolean and enum values are written at once, any
        other value is handled as Run.fields handles it."""
        tp = fp.type_plan
        emit = self.emit
        emit(1, f"# {where}: an attribute read ({_type_label(fp.return_type)})")
        if fp.getter is builtins.getattr and _identifier(fp.attribute):
            read = f"source.{fp.attribute}"
        else:
            read = (
                f"{self.bind(f'get{i}', fp.getter)}(source, {self.bind(f'attr{i}', fp.attribute)})"
            )
        emit(1, "try:")
        emit(2, f"value = {read}")
        emit(1, "except Exception as error:")
        emit(2, f"handle(error, rt{i}, det{i}, new(Path, (path, k{i}, TYPE_NAME)))")
        emit(2, f"out[k{i}] = None")
        emit(1, "else:")
        depth = 2
        if fp.fast is not None:
            emit(2, f"if type(value) is {self.bind(f'fast{i}', fp.fast)}:")
            emit(3, f"out[k{i}] = value")
            emit(2, "else:")
            depth = 3
        elif tp.shape is Shape.ENUM and not fp.needs_info:
            # the names of the enum values this place has completed before (Run.complete)
            self.bind(f"names{i}", tp.enum_names)
            emit(2, "try:")
            emit(3, f"name = names{i}[type(value), value]")
            emit(2, "except (KeyError, TypeError):  # not seen yet, None, or unhashable")
            emit(3, "name = None")
            emit(2, "if name is not None:")
            emit(3, f"out[k{i}] = name")
            emit(2, "else:")
            depth = 3
        emit(depth, f"fpath = new(Path, (path, k{i}, TYPE_NAME))")
        if fp.needs_info:
            self.info(depth, i, fp)
        else:
            emit(depth, "info = None")
        self.value(i, fp, depth, checked_fast=fp.fast is not None)

    def resolver(self, i: int, fp: FieldPlan, where: str) -> None:
        """A resolver call, then Run.fields' handling of its value."""
        emit = self.emit
        emit(1, f"# {where}: a resolver ({_type_label(fp.return_type)})")
        emit(1, f"fpath = new(Path, (path, k{i}, TYPE_NAME))")
        if fp.info_free:
            emit(1, "info = None")
        else:
            self.info(1, i, fp)
        emit(1, "try:")
        emit(2, f"value = {self.call(i, fp)}")
        emit(1, "except Exception as error:")
        emit(2, f"handle(error, rt{i}, det{i}, fpath)")
        emit(2, f"out[k{i}] = None")
        emit(1, "else:")
        self.value(i, fp, 2)

    def info(self, d: int, i: int, fp: FieldPlan) -> None:
        """`info = ` the field's resolve info: Strawberry's build_resolve_info, or, where the
        executor's is Strawberry's own, the same tuple made from the field's part and the
        run's (`Run.info_tail`)."""
        self.bind(f"fd{i}", fp.field_def)
        self.bind(f"nodes{i}", fp.nodes)
        self.bind(f"head{i}", (fp.name, fp.nodes, fp.return_type, self.sel.object_type))
        self.emit(d, "if info_tail is not None:")
        self.emit(d + 1, f"info = new(INFO, (*head{i}, fpath, *info_tail))")
        self.emit(d, "else:")
        self.emit(d + 1, f"info = build_info(fd{i}, nodes{i}, OTYPE, fpath)")

    def value(self, i: int, fp: FieldPlan, d: int, *, checked_fast: bool = False) -> None:
        """Run.fields' handling of a field's `value` (with `fpath` and `info` set): awaited
        values become pendings; an object of the field's own (concrete) type and a list of
        such objects are completed here, calling the generated function of their
        selection, exactly as Run.complete would; any other value goes to Run.complete."""
        tp = fp.type_plan
        emit = self.emit
        self.bind(f"tp{i}", tp)
        emit(d, "if type(value) is CoroutineType:  # the most common awaitable")
        emit(d + 1, f"out[k{i}] = None")
        emit(d + 1, f"run.eager(value, (tp{i}, fp{i}, info, fpath, pos, out, k{i}))")
        if not tp.non_null:
            emit(d, "elif value is None:")
            emit(d + 1, f"out[k{i}] = None")
        if tp.shape is Shape.LEAF:
            if tp.fast is not None and not checked_fast:  # (an attribute's block checked it)
                emit(d, f"elif type(value) is {self.bind(f'fast{i}', tp.fast)}:")
                emit(d + 1, f"out[k{i}] = value")
            gtype: Any = tp.gtype
            self.bind(f"named{i}", gtype.of_type if tp.non_null else gtype)
            emit(d, "elif type(value) in LEAF_TYPES:")
            self.guarded(
                d + 1,
                [f"out[k{i}] = leaf(named{i}, value)"],
                f"rt{i}, det{i}, fpath",
                f"out[k{i}] = None",
            )
        target = self.object_target(tp)
        if target is not None:
            emit(d, f"elif {self.object_test(f'{i}', target, 'value')}:")
            emit(d + 1, f"# completed as {_label(target.type_name)}")
            emit(d + 1, "sub = {}")
            emit(d + 1, f"out[k{i}] = sub")
            self.bind(f"gt{i}", tp.gtype)
            self.bind(f"tdet{i}", tp.field_details)
            self.guarded(
                d + 1,
                [
                    f"gen{i}(run, value, fpath, sub, "
                    f"new(Position, (pos, out, k{i}, gt{i}, tdet{i}, fpath)))"
                ],
                f"rt{i}, det{i}, fpath",
                f"out[k{i}] = None",
            )
        item = tp.item
        item_target = self.object_target(item) if item is not None else None
        if item is not None and item_target is not None:
            self.bind(f"gt{i}", tp.gtype)
            self.bind(f"tdet{i}", tp.field_details)
            self.bind(f"itp{i}", item)
            self.bind(f"igt{i}", item.gtype)
            self.bind(f"itdet{i}", item.field_details)
            emit(d, "elif type(value) is list:")
            emit(d + 1, f"# a list of {_label(item_target.type_name)} (Run.complete_list)")
            emit(d + 1, "items = []")
            emit(d + 1, f"out[k{i}] = items")
            emit(d + 1, f"here = new(Position, (pos, out, k{i}, gt{i}, tdet{i}, fpath))")
            emit(d + 1, "try:")
            emit(d + 2, "index = 0")
            emit(d + 2, "for element in value:")
            emit(d + 3, "item_path = new(Path, (fpath, index, None))")
            emit(d + 3, f"if {self.object_test(f'{i}i', item_target, 'element')}:")
            emit(d + 4, "sub = {}")
            emit(d + 4, "items.append(sub)")
            self.guarded(
                d + 4,
                [
                    f"gen{i}i(run, element, item_path, sub, "
                    f"new(Position, (here, items, index, igt{i}, itdet{i}, item_path)))"
                ],
                f"igt{i}, itdet{i}, item_path",
                "items[index] = None",
            )
            emit(d + 3, "else:")
            emit(d + 4, "items.append(None)")
            emit(
                d + 4, f"run.list_item(itp{i}, element, fp{i}, info, item_path, here, items, index)"
            )
            emit(d + 3, "index += 1")
            emit(d + 1, "except Exception as error:")
            emit(d + 2, f"handle(error, rt{i}, det{i}, fpath)")
            emit(d + 2, f"out[k{i}] = None")
        emit(d, "elif is_awaitable(value):")
        emit(d + 1, f"out[k{i}] = None")
        emit(d + 1, f"run.defer(value, tp{i}, fp{i}, info, fpath, pos, out, k{i})")
        emit(d, "else:")
        self.guarded(
            d + 1,
            [f"complete(tp{i}, value, fp{i}, info, fpath, pos, out, k{i})"],
            f"rt{i}, det{i}, fpath",
            f"out[k{i}] = None",
        )

    def guarded(self, d: int, body: list[str], handled: str, nulled: str) -> None:
        """`body` in the try/except of Run.fields: an error is handle_field_error's."""
        self.emit(d, "try:")
        for line in body:
            self.emit(d + 1, line)
        self.emit(d, "except Exception as error:")
        self.emit(d + 1, f"handle(error, {handled})")
        self.emit(d + 1, nulled)

    def object_test(self, suffix: str, target: _Target, value: str) -> str:
        """The test that `value` is an instance of the target's class that Run.complete would
        complete as the target's object type (no awaitable, no exception, is_type_of)."""
        self.bind(f"cls{suffix}", target.cls)
        self.bind(f"gen{suffix}", target.generated)
        test = f"type({value}) is cls{suffix}"
        if target.is_type_of is not None:
            # Strawberry's is_type_of, for an instance of the type's own class: true unless
            # strawberry.cast gave it another type (then Run.complete asks is_type_of)
            test += f" and getattr({value}, CAST, None) is None"
        return test

    def object_target(self, tp: TypePlan | None) -> _Target | None:
        """For a place whose values are of one concrete object type defined by a Strawberry
        class: that class, its is_type_of, and the generated function of the place's
        selection on it (built now, as Run.complete_object would on first use). The class
        has no `__await__` and is no exception, so its instances are neither awaited nor
        raised by Run.complete (an instance attribute named `__await__` would be seen by
        graphql-core's is_awaitable and not here: Strawberry's types have none)."""
        if tp is None or tp.shape is not Shape.OBJECT or tp.object_type is None:
            return None
        object_type = tp.object_type
        definition = object_type.extensions.get(STRAWBERRY_TYPE)
        cls = getattr(definition, "origin", None)
        if (
            not isinstance(cls, type)
            or issubclass(cls, BaseException | CoroutineType | GeneratorType)
            or hasattr(cls, "__await__")
        ):
            return None
        is_type_of = object_type.is_type_of
        if is_type_of is not None and (
            getattr(is_type_of, "__qualname__", "") != STRAWBERRY_IS_TYPE_OF
        ):
            return None  # a custom is_type_of may be awaitable: Run.complete_object's
        try:
            child = selection(self.executor, object_type, tp)
        except Exception:  # left to Run.complete, which raises it where graphql-core would
            return None
        generated = child.generated
        if generated is None:
            generated = compile_selection(child, self.executor)
            child.generated = generated
        target = _Target(object_type.name, cls, is_type_of, generated)
        if tp.finish is None:
            tp.finish = _compile_finish(tp, target)
        return target

    def call(self, i: int, fp: FieldPlan) -> str:
        """The expression that calls the field's resolver."""
        call = fp.call
        strawberry = getattr(call, "__self__", None)
        if isinstance(strawberry, StrawberryCall) and getattr(call, "__func__", None) is (
            StrawberryCall.run
        ):
            direct = self.direct(i, strawberry)
            if direct is not None:
                return direct
        if call is not None:
            self.bind(f"call{i}", call)
            return f"call{i}(source, info, {self.arguments(i, fp)})"
        self.bind(f"resolve{i}", fp.resolve)
        if fp.has_args:
            return f"resolve{i}(source, info, **run.arguments(fp{i}))"
        return f"resolve{i}(source, info)"

    def arguments(self, i: int, fp: FieldPlan) -> str:
        return f"run.arguments(fp{i})" if fp.has_args else "NO_ARGS"

    def direct(self, i: int, call: StrawberryCall) -> str | None:
        """StrawberryCall.run written out for a resolver without arguments, argument mappers
        or field extensions: the function, with the source and Strawberry's `Info` for the
        parameters that take them; None for any other resolver."""
        if call.arguments or call.mappers or call.chain:
            return None
        names = [n for n in (call.parent_name, call.root_name, call.info_name) if n is not None]
        if not all(_identifier(n) for n in names) or len(set(names)) != len(names):
            return None
        func = self.bind(f"func{i}", call.func)
        args = ["source"] if call.self_parameter else []
        if call.parent_name is not None:
            args.append(f"{call.parent_name}=source")
        if call.root_name is not None:
            args.append(f"{call.root_name}=source")
        if call.info_name is not None:
            self.bind(f"info_class{i}", call.info_class)
            self.bind(f"field{i}", call.field)
            args.append(f"{call.info_name}=info_class{i}(_raw_info=info, _field=field{i})")
        return f"{func}({', '.join(args)})"


def _compile_finish(tp: TypePlan, target: _Target) -> Finish:
    """`TypePlan.finish` for a place of one concrete object type: Run.complete of a value
    that was awaited (Run.value_done), with an object of the target's class completed by
    its selection's generated function at once."""
    name = f"finish_{target.type_name}_{next(_counter)}"
    namespace: dict[str, Any] = {
        "Position": Position,
        "new": tuple.__new__,
        "CAST": TYPE_CAST_ATTRIBUTE,
        "tp": tp,
        "gt": tp.gtype,
        "tdet": tp.field_details,
        "cls": target.cls,
        "gen": target.generated,
        "is_type_of": target.is_type_of,
    }
    test = "type(value) is cls"
    if target.is_type_of is not None:
        test += " and getattr(value, CAST, None) is None"
    lines = [
        f"def {name}(run, value, fp, info, path, pos, container, key):",
        f'    """Run.complete of an awaited {_label(target.type_name)}, written out."""',
    ]
    if not tp.non_null:
        lines += ["    if value is None:", "        container[key] = None", "        return"]
    lines += [
        f"    if {test}:",
        "        sub = {}",
        "        container[key] = sub",
        "        gen(run, value, path, sub, new(Position, (pos, container, key, gt, tdet, path)))",
        "    else:",
        "        run.complete(tp, value, fp, info, path, pos, container, key)",
    ]
    function: Finish = _define(name, "\n".join(lines) + "\n", namespace)
    return function


def _define(name: str, source: str, namespace: dict[str, Any]) -> Any:
    """Compile and run `source`, which defines the function `name` in `namespace`."""
    filename = f"<luukku generated {name}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(code, namespace)
    # taken out of its own namespace: no reference cycle for the collector to find
    function = namespace.pop(name)
    weakref.finalize(function, linecache.cache.pop, filename, None)
    return function


def compile_selection(sel: Selection, executor: Any) -> Generated:
    """The generated function for `sel`'s fields; `executor` (the first
    run's) builds the selections of the objects under it, as Run.complete_object would."""
    writer = _Writer(sel, executor)
    name = f"fields_{sel.type_name}_{next(_counter)}"
    if not _identifier(name):  # pragma: no cover - GraphQL type names are identifiers
        name = f"fields_{next(_counter)}"
    body = writer.lines
    for i, fp in enumerate(sel.fields):
        writer.field(i, fp)
    header = [
        f"def {name}(run, source, path, out, pos):",
        f'    """The fields of one selection on {_label(sel.type_name)} (Run.fields, written out)."""',
        "    ex = run.ex",
        "    handle = ex.handle_field_error",
        "    build_info = ex.build_resolve_info",
        "    info_tail = run.info_tail",
        "    is_awaitable = run.is_awaitable",
        "    complete = run.complete",
    ]
    if not body:
        body.append("    pass")
    source = "\n".join(header + body) + "\n"
    function: Generated = _define(name, source, writer.namespace)
    return function
