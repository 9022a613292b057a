"""What a document may ask for: depth, aliases and cost, measured in one linear pass.

Strawberry's depth and alias limiters expand every fragment spread where it occurs, so a
document of forty fragments that each spread the next one twice (1.6 KB) cost 2^40 steps
before anything else ran. Here every fragment is measured once and its measure reused
wherever it is spread, so the work is linear in the document's size whatever it expands to.

The measure of a selection set:

- *depth*: nesting of fields with selections (fragments add none; `__schema` and `__type`
  are not counted, the standard introspection query nests eleven levels);
- *aliases*: aliased fields in the expanded document;
- *cost*: how many fields the operation may resolve. Each field costs 1; a list multiplies
  what it selects by its size: a connection's `edges` and `nodes` by the page asked for
  (`first`: its literal value, `MAX_PAGE_SIZE` when it is a variable, 20 when absent), any
  other list by its `list_size` (field metadata; `DEFAULT_LIST_SIZE` when not given). A
  selection set's cost is `fixed + per_page * page`, linear in the page of the connection
  it selects from, so a fragment's measure does not depend on where it is spread.

The numbers are capped at `CAP`, so they stay small integers however large the expansion.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

#: Size assumed for a plain list (not a connection) without `list_size` metadata.
DEFAULT_LIST_SIZE = 10
#: Page size of a connection without `first` (as `schema.common.page_size`).
DEFAULT_PAGE = 20
#: Every measure is capped here: beyond every limit, and small enough to stay cheap.
CAP = 10**12
INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


@dataclass(frozen=True)
class Limits:
    """The limits of one schema (from the settings)."""

    max_depth: int
    max_aliases: int
    max_cost: int
    max_page: int


@dataclass
class Measure:
    depth: int = 0
    aliases: int = 0
    fixed: int = 0
    per_page: int = 0
    introspection: bool = False

    def add(self, other: Measure) -> None:
        self.depth = max(self.depth, other.depth)
        self.aliases = min(CAP, self.aliases + other.aliases)
        self.fixed = min(CAP, self.fixed + other.fixed)
        self.per_page = min(CAP, self.per_page + other.per_page)
        self.introspection = self.introspection or other.introspection

    def cost(self, page: int) -> int:
        return min(CAP, self.fixed + self.per_page * page)


@dataclass
class DocumentMeasure:
    """The measure of each operation, and what the pass itself did (`steps`)."""

    operations: dict[str, Measure] = field(default_factory=dict)
    steps: int = 0

    @property
    def introspection(self) -> bool:
        return any(m.introspection for m in self.operations.values())


def _is_connection(type_: GraphQLNamedType | None) -> bool:
    return isinstance(type_, GraphQLObjectType) and "pageInfo" in type_.fields


def _field_def(
    parent: GraphQLNamedType | None, name: str, schema: GraphQLSchema
) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if parent is schema.query_type and name == "__schema":
        return SchemaMetaFieldDef
    if parent is schema.query_type and name == "__type":
        return TypeMetaFieldDef
    fields = getattr(parent, "fields", None)
    return fields.get(name) if fields is not None else None


def _list_size(definition: GraphQLField) -> int:
    strawberry_field = (definition.extensions or {}).get("strawberry-definition")
    metadata = getattr(strawberry_field, "metadata", None) or {}
    size = metadata.get("list_size", DEFAULT_LIST_SIZE)
    return int(size)


class _Measurer:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, limits: Limits) -> None:
        self.schema = schema
        self.limits = limits
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, Measure] = {}
        self.steps = 0

    def page(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                return self._page_value(argument)
        return min(DEFAULT_PAGE, self.limits.max_page)

    def _page_value(self, argument: ArgumentNode) -> int:
        value = argument.value
        if isinstance(value, IntValueNode):
            try:
                return max(1, min(int(value.value), self.limits.max_page))
            except ValueError:
                return self.limits.max_page
        if isinstance(value, VariableNode):
            return self.limits.max_page
        return min(DEFAULT_PAGE, self.limits.max_page)

    def fragment(self, name: str) -> Measure:
        """A fragment's measure, each fragment measured once (in dependency order, without
        recursion over fragments: a chain of hundreds of fragments cannot exhaust the stack)."""
        if name in self.memo:
            return self.memo[name]
        # Iterative depth-first order over the spreads; a cycle (reported by graphql-core's
        # NoFragmentCyclesRule) is cut by measuring the back edge as empty.
        order: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, Iterator[str]]] = []

        def push(fragment_name: str) -> None:
            on_path.add(fragment_name)
            definition = self.fragments[fragment_name]
            stack.append((fragment_name, iter(self.spreads(definition.selection_set))))

        if name not in self.fragments:
            return Measure()
        push(name)
        while stack:
            current, spreads = stack[-1]
            child = next(spreads, None)
            if child is None:
                stack.pop()
                on_path.discard(current)
                order.append(current)
                self.memo.setdefault(current, Measure())  # placeholder for cycles
                continue
            if child in self.fragments and child not in self.memo and child not in on_path:
                push(child)
        for fragment_name in order:
            definition = self.fragments[fragment_name]
            parent = self.schema.get_type(definition.type_condition.name.value)
            self.memo[fragment_name] = self.selection_set(definition.selection_set, parent)
        return self.memo[name]

    def spreads(self, selection_set: SelectionSetNode) -> Iterable[str]:
        """Names of the fragments spread anywhere inside, each once."""
        seen: set[str] = set()
        stack = [selection_set]
        while stack:
            current = stack.pop()
            for selection in current.selections:
                self.steps += 1
                if isinstance(selection, FragmentSpreadNode):
                    if selection.name.value not in seen:
                        seen.add(selection.name.value)
                        yield selection.name.value
                elif (
                    isinstance(selection, FieldNode | InlineFragmentNode)
                    and selection.selection_set is not None
                ):
                    stack.append(selection.selection_set)

    def selection_set(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None
    ) -> Measure:
        """The measure of one selection set on `parent`, recursing over field nesting only
        (which the parser bounds: graphql-core's MAX_NESTING_DEPTH, 200)."""
        total = Measure()
        connection = _is_connection(parent)
        for selection in selection_set.selections:
            self.steps += 1
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in self.fragments:
                    total.add(self.memo.get(name) or self.fragment(name))
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition is not None
                    else parent
                )
                total.add(self.selection_set(selection.selection_set, condition))
            elif isinstance(selection, FieldNode):
                total.add(self.field(selection, parent, connection))
        return total

    def field(
        self, node: FieldNode, parent: GraphQLNamedType | None, in_connection: bool
    ) -> Measure:
        name = node.name.value
        definition = _field_def(parent, name, self.schema)
        measure = Measure(aliases=1 if node.alias is not None else 0)
        introspection = name in INTROSPECTION_ROOTS
        measure.introspection = introspection
        children = Measure()
        child_cost = 0
        if node.selection_set is not None:
            child_type = get_named_type(definition.type) if definition is not None else None
            children = self.selection_set(node.selection_set, child_type)
            page = self.page(node) if _is_connection(child_type) else 1
            child_cost = children.cost(page)
            measure.depth = 0 if introspection else children.depth + 1
            measure.aliases = min(CAP, measure.aliases + children.aliases)
            measure.introspection = introspection or children.introspection
        is_list = definition is not None and is_list_type(get_nullable_type(definition.type))
        if is_list and in_connection:
            measure.fixed, measure.per_page = 1, child_cost  # edges / nodes: one per item
        elif is_list and definition is not None:
            measure.fixed = min(CAP, 1 + _list_size(definition) * child_cost)
        else:
            measure.fixed = min(CAP, 1 + child_cost)
        return measure


def measure_document(
    schema: GraphQLSchema, document: DocumentNode, limits: Limits
) -> DocumentMeasure:
    """Every operation's measure, in time linear in the document's size."""
    measurer = _Measurer(schema, document, limits)
    result = DocumentMeasure()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            name = definition.name.value if definition.name is not None else ""
            result.operations[name] = measurer.selection_set(definition.selection_set, root)
    result.steps = measurer.steps
    return result


def limit_errors(measure: DocumentMeasure, limits: Limits) -> list[GraphQLError]:
    """The limits the document's operations exceed, as coded errors."""
    errors: list[GraphQLError] = []
    for name, operation in measure.operations.items():
        label = f"Operation '{name}'" if name else "The operation"
        if operation.depth > limits.max_depth:
            errors.append(
                GraphQLError(
                    f"{label} exceeds the maximum depth of {limits.max_depth}.",
                    extensions={"code": "MAX_DEPTH_EXCEEDED", "limit": limits.max_depth},
                )
            )
        if operation.aliases > limits.max_aliases:
            errors.append(
                GraphQLError(
                    f"{label} has {_shown(operation.aliases)} aliases; at most "
                    f"{limits.max_aliases} are allowed.",
                    extensions={"code": "MAX_ALIASES_EXCEEDED", "limit": limits.max_aliases},
                )
            )
        cost = operation.cost(1)
        if cost > limits.max_cost:
            errors.append(
                GraphQLError(
                    f"{label} may resolve {_shown(cost)} fields; at most {limits.max_cost} are "
                    "allowed (each list counts its page size, `first`, times what it selects).",
                    extensions={
                        "code": "MAX_COST_EXCEEDED",
                        "limit": limits.max_cost,
                        "cost": cost,
                    },
                )
            )
    return errors


def _shown(value: int) -> str:
    return f"more than {CAP}" if value >= CAP else str(value)
