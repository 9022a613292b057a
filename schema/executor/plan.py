"""Plans: what the compiled executor does for one (schema, document, operation).

A plan is built once per operation (and per value of the variables its `@skip` and
`@include` directives read) and kept in a small cache. It holds, per selection set, the
fields in response order with everything that does not change between executions worked
out: the field definition, whether the field is a plain attribute read (a Strawberry field
without a resolver or extensions) or goes through the resolver Strawberry built for it
(arguments, permission and field extensions, `Info`), and how its value is completed
(non-null, list, leaf serialiser, object, abstract type). Fields are collected with
graphql-core's own `collect_fields`/`collect_subfields`, so merging, fragments, aliases
and `@skip`/`@include` follow graphql-core exactly.

Operations the plan does not cover raise `Unsupported` while it is built, and the whole
operation then runs on graphql-core (see `schema/executor/__init__.py`).
"""

from __future__ import annotations

import enum
import inspect
import linecache
from collections.abc import Callable
from functools import partial, reduce
from types import CoroutineType
from typing import TYPE_CHECKING, Any, NamedTuple

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    collect_fields,
    collect_subfields,
)
from graphql.pyutils import Path
from strawberry.extensions.field_extension import FieldExtension, build_field_extension_resolvers
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

if TYPE_CHECKING:
    from graphql.execution.executor import Executor

#: the directives a plan understands; any other directive in an operation means fallback
KNOWN_DIRECTIVES = frozenset({"skip", "include"})
#: introspection fields other than __typename are left to graphql-core
INTROSPECTION = frozenset({"__schema", "__type"})
STRAWBERRY_FIELD = "strawberry-definition"
#: argument values a conversion may be kept for (exact types: no subclasses with state)
_IMMUTABLE = frozenset({int, float, str, bool, type(None)})
#: the `is_type_of` Strawberry generates for a type with interfaces: an isinstance check
#: that never reads its `info`
STRAWBERRY_IS_TYPE_OF = (
    "GraphQLCoreConverter.from_object.<locals>._get_is_type_of.<locals>.is_type_of"
)


class Unsupported(Exception):
    """The operation uses something the compiled executor leaves to graphql-core."""


class Kind(enum.IntEnum):
    TYPENAME = 0  # __typename: the parent's type name
    ATTRIBUTE = 1  # a Strawberry field without resolver or extensions: an attribute read
    RESOLVER = 2  # everything else: the resolver Strawberry built (extensions included)


class Shape(enum.IntEnum):
    LEAF = 0
    ENUM = 1
    LIST = 2
    OBJECT = 3
    ABSTRACT = 4


class TypePlan:
    """How a value of one output type is completed at one place of the selection."""

    __slots__ = (
        "abstract",
        "coerce",
        "enum_names",
        "fast",
        "field_details",
        "finish",
        "gtype",
        "item",
        "non_null",
        "object_type",
        "selections",
        "shape",
    )

    def __init__(self, gtype: GraphQLOutputType, field_details: list[FieldDetails]) -> None:
        self.gtype = gtype  # the type at this place, with its NonNull wrapper if any
        self.field_details = field_details
        self.non_null = isinstance(gtype, GraphQLNonNull)
        named: Any = gtype.of_type if isinstance(gtype, GraphQLNonNull) else gtype
        self.item: TypePlan | None = None
        self.coerce: Callable[[Any], Any] | None = None
        #: exact types whose values a built-in scalar returns unchanged (str for String...)
        self.fast: type | None = None
        self.enum_names: dict[Any, Any] | None = None
        self.object_type: GraphQLObjectType | None = None
        self.abstract: GraphQLAbstractType | None = None
        #: selection plans by runtime object type, built on first use
        self.selections: dict[str, Selection] = {}
        #: Run.complete of an awaited value here, generated (codegen.py), if it is written out
        self.finish: Callable[..., None] | None = None
        if isinstance(named, GraphQLList):
            self.shape = Shape.LIST
            self.item = TypePlan(named.of_type, field_details)
        elif isinstance(named, GraphQLEnumType):
            self.shape = Shape.ENUM
            self.coerce = named.coerce_output_value
            self.enum_names = {}
        elif isinstance(named, GraphQLScalarType):
            self.shape = Shape.LEAF
            self.coerce = named.coerce_output_value
            if named is GraphQLString or named is GraphQLID:
                self.fast = str
            elif named is GraphQLBoolean:
                self.fast = bool
        elif isinstance(named, GraphQLObjectType):
            self.shape = Shape.OBJECT
            self.object_type = named
        elif isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            self.shape = Shape.ABSTRACT
            self.abstract = named
        else:  # pragma: no cover - graphql-core knows no other output types
            raise Unsupported(f"output type {named!r}")


class FieldPlan:
    """One response key of a selection set."""

    __slots__ = (
        "attribute",
        "cacheable_args",
        "call",
        "details",
        "fast",
        "field_def",
        "first",
        "getter",
        "has_args",
        "info_free",
        "key",
        "kind",
        "name",
        "needs_info",
        "nodes",
        "parent_name",
        "parent_type",
        "resolve",
        "return_type",
        "static_args",
        "type_plan",
    )

    def __init__(
        self,
        key: str,
        parent_type: GraphQLObjectType,
        details: list[FieldDetails],
        field_def: GraphQLField | None,
        default_field_resolver: Callable[..., Any],
        converter: Any,
    ) -> None:
        self.key = key
        self.details = details
        self.first = details[0]
        self.nodes: list[FieldNode] = [d.node for d in details]
        self.name = self.first.node.name.value
        self.parent_type = parent_type
        self.parent_name = parent_type.name
        self.field_def = field_def
        self.attribute = ""
        self.getter: Callable[[Any, str], Any] | None = None
        self.resolve: Callable[..., Any] = default_field_resolver
        #: Strawberry's resolver for this field, minus its per-call set-up (StrawberryCall)
        self.call: Callable[[Any, Any, dict[str, Any]], Any] | None = None
        self.has_args = False
        self.cacheable_args = True
        self.static_args: dict[str, Any] | None = None
        self.needs_info = False
        #: a resolver that takes neither `Info` nor arguments, whose value needs no `info` to
        #: complete: no resolve info is built for it
        self.info_free = False
        #: an attribute read of a String, ID or Boolean: the value's exact type, if kept as is
        self.fast: type | None = None
        if self.name == "__typename":
            self.kind = Kind.TYPENAME
            return
        assert field_def is not None
        self.return_type = field_def.type
        self.type_plan = TypePlan(field_def.type, details)
        self.needs_info = _needs_info(self.type_plan)
        self.has_args = bool(field_def.args or self.first.node.arguments)
        self.cacheable_args = not _uses_variables(self.first.node)
        definition = field_def.extensions.get(STRAWBERRY_FIELD)
        resolve = field_def.resolve
        if (
            isinstance(definition, StrawberryField)
            and resolve is not None
            and getattr(resolve, "_is_default", False)
            and getattr(resolve, "__name__", "") == "_get_basic_result"
            and definition.is_basic_field
            and type(definition).get_result is StrawberryField.get_result
        ):
            # Strawberry's resolver for such a field is `field.get_result(source, None, [],
            # {})`, which is `field.default_resolver(source, field.python_name)`.
            self.kind = Kind.ATTRIBUTE
            self.getter = definition.default_resolver
            self.attribute = definition.python_name
            if self.type_plan.shape is Shape.LEAF:
                self.fast = self.type_plan.fast
        else:
            self.kind = Kind.RESOLVER
            if resolve is not None:
                self.resolve = resolve
            if isinstance(definition, StrawberryField):
                self.call = StrawberryCall.build(definition, resolve, converter)
            call = getattr(self.call, "__self__", None)
            self.info_free = (
                isinstance(call, StrawberryCall)
                and call.bare
                and getattr(self.call, "__func__", None) is StrawberryCall.run
                and not self.needs_info
            )


_STRAWBERRY_RESOLVERS = (
    "GraphQLCoreConverter.from_resolver.<locals>._resolver",
    "GraphQLCoreConverter.from_resolver.<locals>._async_resolver",
)


class StrawberryCall:
    """What Strawberry's resolver for a field does on every call (`_resolver`,
    `_async_resolver`, `extension_resolver` and `get_arguments` in
    strawberry/schema/schema_converter.py), with what does not change between calls worked
    out once: the resolver function, which of its parameters take the source and `Info`,
    the field extensions' resolve chain and argument mappers. Per call: `Info`, the
    converted arguments, the chain, the resolver, in Strawberry's order.

    An `async def` field without arguments or extensions calls its resolver at once (that
    only creates the coroutine, as Strawberry's wrapper coroutine would before its first
    step); with arguments or extensions it runs inside a coroutine, as Strawberry's does,
    so that conversion errors and permission checks happen when it is stepped."""

    __slots__ = (
        "arguments",
        "bare",
        "chain",
        "config",
        "converted",
        "field",
        "func",
        "info_class",
        "info_name",
        "mappers",
        "parent_name",
        "root_name",
        "scalar_registry",
        "self_parameter",
    )

    @classmethod
    def build(
        cls, field: StrawberryField, resolve: Any, converter: Any
    ) -> Callable[[Any, Any, dict[str, Any]], Any] | None:
        """The call for `field`, or None when its resolver is not Strawberry's plain one
        (exception handlers, a custom StrawberryField, a subscription): then `resolve` is
        called as it is."""
        resolver = field.base_resolver
        if (
            converter is None
            or resolver is None
            or getattr(resolve, "__qualname__", "") not in _STRAWBERRY_RESOLVERS
            or type(field).get_result is not StrawberryField.get_result
            or not callable(resolver.wrapped_func)
            or field.is_subscription
            or converter._get_field_exception_handlers(field)
        ):
            return None
        call = cls(field, converter)
        if not field.is_async:
            return call.run
        func = call.func
        code = getattr(getattr(func, "__func__", func), "__code__", None)
        real_coroutine = code is not None and bool(code.co_flags & inspect.CO_COROUTINE)
        if real_coroutine and not (call.arguments or call.chain or call.mappers):
            return call.run
        return call.run_async

    def __init__(self, field: StrawberryField, converter: Any) -> None:
        resolver = field.base_resolver
        assert resolver is not None
        self.field = field
        # typed as possibly a staticmethod or classmethod; bound by Strawberry, a function here
        self.func: Callable[..., Any] = resolver.wrapped_func  # type: ignore[assignment]
        self.config = converter.config
        self.scalar_registry = converter.scalar_registry
        self.info_class = converter.config.info_class
        self.arguments = field.arguments
        self.self_parameter = resolver.self_parameter is not None
        self.parent_name = resolver.parent_parameter.name if resolver.parent_parameter else None
        self.root_name = resolver.root_parameter.name if resolver.root_parameter else None
        self.info_name = resolver.info_parameter.name if resolver.info_parameter else None
        self.mappers = [
            extension.map_arguments
            for extension in field.extensions
            if type(extension).map_arguments is not FieldExtension.map_arguments
        ]
        self.chain = build_field_extension_resolvers(field) if field.extensions else []
        #: (raw arguments, their conversion) when the conversion gave immutable values only
        self.converted: tuple[dict[str, Any], dict[str, Any]] | None = None
        self.bare = not (
            self.arguments
            or self.mappers
            or self.chain
            or self.parent_name
            or self.root_name
            or self.info_name
        )

    def run(self, source: Any, raw_info: Any, raw: dict[str, Any]) -> Any:
        if self.bare:  # nothing would see the Info: the resolver takes self alone, or nothing
            return self.func(source) if self.self_parameter else self.func()
        info = self.info_class(_raw_info=raw_info, _field=self.field)
        kwargs = self.convert(raw, info) if self.arguments else {}
        for mapper in self.mappers:
            kwargs = mapper(kwargs)
        args = [source] if self.self_parameter else []
        if self.parent_name is not None:
            kwargs[self.parent_name] = source
        if self.root_name is not None:
            kwargs[self.root_name] = source
        if self.info_name is not None:
            kwargs[self.info_name] = info
        func = self.func
        if not self.chain:
            return func(*args, **kwargs)
        requested = "info" in kwargs
        if requested:
            kwargs.pop("info")

        def get_result(_source: Any, info: Any, **kw: Any) -> Any:
            if requested:
                kw["info"] = info
            return func(*args, **kw)

        chained = reduce(lambda inner, outer: partial(outer, inner), self.chain, get_result)
        return chained(source, info, **kwargs)

    def convert(self, raw: dict[str, Any], info: Any) -> dict[str, Any]:
        """Strawberry's conversion of the raw arguments. The raw arguments of a plan are
        the same dict on every call while they are constant (Run.arguments), and when their
        conversion gave immutable values only (numbers, strings, enums: not input objects),
        it is done once and copied."""
        converted = self.converted
        if converted is not None and converted[0] is raw:
            return dict(converted[1])
        kwargs = convert_arguments(
            raw,
            self.arguments,
            scalar_registry=self.scalar_registry,
            config=self.config,
            info=info,
        )
        if all(type(v) in _IMMUTABLE or isinstance(v, enum.Enum) for v in kwargs.values()):
            self.converted = (raw, dict(kwargs))
        return kwargs

    async def run_async(self, source: Any, raw_info: Any, raw: dict[str, Any]) -> Any:
        result = self.run(source, raw_info, raw)
        if type(result) is CoroutineType or inspect.isawaitable(result):
            return await result
        return result


def converter_of(schema: GraphQLSchema) -> Any:
    """Strawberry's schema converter for a graphql-core schema Strawberry built."""
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    return getattr(strawberry_schema, "schema_converter", None)


class Selection:
    """The fields of one selection set on one runtime object type."""

    __slots__ = ("fields", "generated", "is_type_of", "object_type", "type_name")

    def __init__(self, object_type: GraphQLObjectType, fields: list[FieldPlan]) -> None:
        self.object_type = object_type
        self.type_name = object_type.name
        self.fields = fields
        self.is_type_of = object_type.is_type_of
        #: the fields' generated function (schema/executor/codegen.py), made on first use
        self.generated: Callable[[Any, Any, Any, dict[str, Any], Any], None] | None = None

    @property
    def source(self) -> str:
        """The generated function's Python source ("" before it is made): kept once, in
        `linecache`, for tracebacks, while the function lives."""
        generated = self.generated
        if generated is None:
            return ""
        return "".join(linecache.getlines(generated.__code__.co_filename))


class Position(NamedTuple):
    """A place in the response that holds an object or list: nulled if a non-null field
    under it fails (graphql-core's null propagation), by `handle_field_error` of the field
    or list item that produced it. A named tuple, as graphql-core's Path: the generated code
    makes one per object as `tuple.__new__` does, without a call of its own. Compared by
    identity only (equal tuples would compare the response dicts they hold)."""

    parent: Position | None
    container: Any
    key: str | int
    return_type: Any
    details: list[FieldDetails]
    path: Path


class Plan:
    """The root selection of an operation, and what it needs to build the rest lazily."""

    __slots__ = ("operation", "root", "schema")

    def __init__(
        self, schema: GraphQLSchema, operation: OperationDefinitionNode, root: Selection
    ) -> None:
        self.schema = schema  # kept alive: the cache is keyed by ids
        self.operation = operation
        self.root = root


def _needs_info(plan: TypePlan) -> bool:
    """Whether completing the value calls something that takes `info` (an abstract type's
    resolve_type, an object type's is_type_of): then an attribute field builds it too."""
    while plan.item is not None:
        plan = plan.item
    if plan.shape is Shape.ABSTRACT:
        return True
    if plan.object_type is None:
        return False
    is_type_of = plan.object_type.is_type_of
    return is_type_of is not None and (
        getattr(is_type_of, "__qualname__", "") != STRAWBERRY_IS_TYPE_OF
    )


def _uses_variables(node: Any) -> bool:
    """Whether a field's arguments refer to variables (then they are computed per run)."""
    stack: list[Any] = list(node.arguments or ())
    while stack:
        item = stack.pop()
        if isinstance(item, VariableNode):
            return True
        for attr in getattr(item, "keys", ()):
            if attr in ("loc",):
                continue
            value = getattr(item, attr, None)
            if isinstance(value, tuple | list):
                stack.extend(value)
            elif value is not None and hasattr(value, "keys"):
                stack.append(value)
    return False


def directive_variables(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    """The variables the operation's @skip/@include read (their values key the plan).

    Raises Unsupported for anything a plan does not handle: directives other than @skip
    and @include (on the operation too), fragment variables, __schema and __type."""
    if operation.directives:
        raise Unsupported("operation directives")
    names: set[str] = set()
    seen: set[str] = set()
    stack: list[SelectionSetNode] = [operation.selection_set]
    while stack:
        selection_set = stack.pop()
        for selection in selection_set.selections:
            for directive in selection.directives or ():
                _directive(directive, names)
            if isinstance(selection, FieldNode):
                if selection.name.value in INTROSPECTION:
                    raise Unsupported("introspection")
                if selection.selection_set is not None:
                    stack.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                if selection.arguments:
                    raise Unsupported("fragment arguments")
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    if fragment.variable_definitions or fragment.directives:
                        raise Unsupported("fragment variables or directives")
                    stack.append(fragment.selection_set)
    return tuple(sorted(names))


def _directive(directive: DirectiveNode, names: set[str]) -> None:
    if directive.name.value not in KNOWN_DIRECTIVES:
        raise Unsupported(f"directive @{directive.name.value}")
    for argument in directive.arguments or ():
        value = argument.value
        if isinstance(value, VariableNode):
            names.add(value.name.value)
        elif not isinstance(value, BooleanValueNode):
            raise Unsupported("directive argument")


def selection(executor: Executor[Any], object_type: GraphQLObjectType, plan: TypePlan) -> Selection:
    """The selection plan of `plan`'s field nodes on the runtime type (built on first use)."""
    found = plan.selections.get(object_type.name)
    if found is not None:
        return found
    collected = collect_subfields(
        executor.schema,
        executor.fragments,
        executor.variable_values,
        executor.operation,
        object_type,
        plan.field_details,
        executor.hide_suggestions,
    )
    built = _selection(executor, object_type, collected)
    plan.selections[object_type.name] = built
    return built


def root_selection(executor: Executor[Any], root_type: GraphQLObjectType) -> Selection:
    collected = collect_fields(
        executor.schema,
        executor.fragments,
        executor.variable_values,
        root_type,
        executor.operation,
        executor.hide_suggestions,
    )
    return _selection(executor, root_type, collected)


def _selection(
    executor: Executor[Any], object_type: GraphQLObjectType, collected: Any
) -> Selection:
    grouped, defer_usages, forbidden = collected
    if defer_usages or forbidden:
        raise Unsupported("@defer or @stream")
    fields: list[FieldPlan] = []
    converter = converter_of(executor.schema)
    for key, details in grouped.items():
        if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
            raise Unsupported("deferred fields or fragment variables")
        name = details[0].node.name.value
        if name in INTROSPECTION:
            raise Unsupported("introspection")
        field_def = executor.schema.get_field(object_type, name)
        if field_def is None and name != "__typename":
            continue  # graphql-core leaves such a key out of the response
        fields.append(
            FieldPlan(key, object_type, details, field_def, executor.field_resolver, converter)
        )
    return Selection(object_type, fields)
