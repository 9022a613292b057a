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
the GraphQL name grammar) appear in comments. The source is kept on the selection
(`Selection.source`) and registered with `linecache` while the function lives, so
tracebacks show its lines.
"""

from __future__ import annotations

import builtins
import itertools
import keyword
import linecache
import re
import weakref
from collections.abc import Callable
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from graphql import GraphQLList, GraphQLNonNull
from graphql.pyutils import Path

from schema.executor.plan import FieldPlan, Kind, Shape, StrawberryCall

if TYPE_CHECKING:
    from schema.executor.plan import Selection

__all__ = ["compile_selection"]

#: a generated function: (run, source, path, out, position) -> None, as Run.fields
Generated = Callable[[Any, Any, Any, dict[str, Any], Any], None]

_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*\Z")
_counter = itertools.count(1)
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


class _Writer:
    def __init__(self, sel: Selection) -> None:
        self.sel = sel
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {
            "Path": Path,
            "CoroutineType": CoroutineType,
            "TYPE_NAME": sel.type_name,
            "OTYPE": sel.object_type,
            "NO_ARGS": _NONE,
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
        other value is completed by `Run.attribute_value` (Run.fields' own path)."""
        tp = fp.type_plan
        self.emit(1, f"# {where}: an attribute read ({_type_label(fp.return_type)})")
        if fp.getter is builtins.getattr and _identifier(fp.attribute):
            read = f"source.{fp.attribute}"
        else:
            read = (
                f"{self.bind(f'get{i}', fp.getter)}(source, {self.bind(f'attr{i}', fp.attribute)})"
            )
        self.emit(1, "try:")
        self.emit(2, f"value = {read}")
        self.emit(1, "except Exception as error:")
        self.emit(2, f"handle(error, rt{i}, det{i}, Path(path, k{i}, TYPE_NAME))")
        self.emit(2, f"out[k{i}] = None")
        self.emit(1, "else:")
        if fp.fast is not None:
            self.emit(2, f"if type(value) is {self.bind(f'fast{i}', fp.fast)}:")
            self.emit(3, f"out[k{i}] = value")
            self.emit(2, "else:")
            self.emit(3, f"run.attribute_value(fp{i}, value, path, out, pos)")
        elif tp.shape is Shape.ENUM and not fp.needs_info:
            # the names of the enum values this place has completed before (Run.complete)
            self.bind(f"names{i}", tp.enum_names)
            self.emit(2, "try:")
            self.emit(3, f"name = names{i}[type(value), value]")
            self.emit(2, "except (KeyError, TypeError):  # not seen yet, None, or unhashable")
            self.emit(3, "name = None")
            self.emit(2, "if name is not None:")
            self.emit(3, f"out[k{i}] = name")
            self.emit(2, "else:")
            self.emit(3, f"run.attribute_value(fp{i}, value, path, out, pos)")
        else:
            self.emit(2, f"run.attribute_value(fp{i}, value, path, out, pos)")

    def resolver(self, i: int, fp: FieldPlan, where: str) -> None:
        """A resolver call, then Run.fields' handling of its value."""
        self.bind(f"tp{i}", fp.type_plan)
        self.emit(1, f"# {where}: a resolver ({_type_label(fp.return_type)})")
        self.emit(1, f"fpath = Path(path, k{i}, TYPE_NAME)")
        if fp.info_free:
            self.emit(1, "info = None")
        else:
            self.bind(f"fd{i}", fp.field_def)
            self.bind(f"nodes{i}", fp.nodes)
            self.emit(1, f"info = build_info(fd{i}, nodes{i}, OTYPE, fpath)")
        self.emit(1, "try:")
        self.emit(2, f"value = {self.call(i, fp)}")
        self.emit(1, "except Exception as error:")
        self.emit(2, f"handle(error, rt{i}, det{i}, fpath)")
        self.emit(2, f"out[k{i}] = None")
        self.emit(1, "else:")
        self.emit(2, "if type(value) is CoroutineType:  # the most common awaitable")
        self.emit(3, f"out[k{i}] = None")
        self.emit(3, f"run.eager(value, (tp{i}, fp{i}, info, fpath, pos, out, k{i}))")
        self.emit(2, "elif is_awaitable(value):")
        self.emit(3, f"out[k{i}] = None")
        self.emit(3, f"run.defer(value, tp{i}, fp{i}, info, fpath, pos, out, k{i})")
        self.emit(2, "else:")
        self.emit(3, "try:")
        self.emit(4, f"complete(tp{i}, value, fp{i}, info, fpath, pos, out, k{i})")
        self.emit(3, "except Exception as error:")
        self.emit(4, f"handle(error, rt{i}, det{i}, fpath)")
        self.emit(4, f"out[k{i}] = None")

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


def compile_selection(sel: Selection) -> tuple[Generated, str]:
    """The generated function for `sel`'s fields, and its source."""
    writer = _Writer(sel)
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
        "    is_awaitable = run.is_awaitable",
        "    complete = run.complete",
    ]
    if not body:
        body.append("    pass")
    source = "\n".join(header + body) + "\n"
    filename = f"<luukku generated {name}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(code, writer.namespace)
    # taken out of its own namespace: no reference cycle for the collector to find
    function: Generated = writer.namespace.pop(name)
    weakref.finalize(function, linecache.cache.pop, filename, None)
    return function, source
