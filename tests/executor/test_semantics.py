"""The compiled executor against graphql-core on a schema made to exercise the GraphQL spec:
null propagation, error paths in lists, fragments, aliases, unions and interfaces,
variables, @skip/@include, awaited errors, info.path per item, context variables,
DataLoader batching, serialisers, cancellation and the fallback.

Every query runs on the same Strawberry types twice, once with `CompiledExecutionContext`
and once with Strawberry's own graphql-core execution context; data and errors (message,
locations, path, extensions) must be identical, and each test also states what the answer
is, so that both being wrong the same way cannot pass either.
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import gc
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Annotated, Any

import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.extensions import ParserCache
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.scalars import JSON

from schema.executor import CompiledExecutionContext, stats

seen: ContextVar[str] = ContextVar("seen", default="root")


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


ColourType = strawberry.enum(Colour, description="A colour.")


class Deny(BasePermission):
    message = "No."
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


class DenyLater(BasePermission):
    message = "Not you."
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        await asyncio.sleep(0)
        return bool(source.name.startswith("a"))


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Item(Named):
    name: str
    rank: int = 0

    @strawberry.field
    def fails(self) -> str | None:
        raise ValueError(f"{self.name} fails")

    @strawberry.field
    async def fails_later(self) -> str | None:
        await asyncio.sleep(0)
        raise ValueError(f"{self.name} fails later")

    @strawberry.field
    def must(self) -> str:
        if self.name.startswith("b"):
            raise ValueError(f"{self.name} must not")
        return self.name

    @strawberry.field
    async def must_later(self) -> str:
        await asyncio.sleep(0)
        if self.name.startswith("b"):
            raise ValueError(f"{self.name} must not, later")
        return self.name

    @strawberry.field
    def null_for_b(self) -> str:
        return None if self.name.startswith("b") else self.name  # type: ignore[return-value]

    @strawberry.field
    def path(self, info: strawberry.Info) -> list[str]:
        return [str(k) for k in info.path.as_list()]

    @strawberry.field
    async def path_later(self, info: strawberry.Info) -> list[str]:
        await asyncio.sleep(0)
        return [str(k) for k in info.path.as_list()]

    @strawberry.field
    async def at_once(self) -> Item | None:
        return Item(name=self.name + "!")

    @strawberry.field
    async def marked(self) -> Item:
        seen.set(self.name)
        await asyncio.sleep(0)
        return Item(name=self.name + "+")

    @strawberry.field
    def mark(self) -> str:
        return seen.get()

    @strawberry.field
    async def mark_later(self) -> str:
        await asyncio.sleep(0)
        return seen.get()

    @strawberry.field
    async def loaded(self, info: strawberry.Info) -> str:
        return await info.context["loader"].load(self.name)  # type: ignore[no-any-return]

    @strawberry.field(extensions=[PermissionExtension([Deny()], fail_silently=True)])
    def hidden(self) -> str | None:
        return "hidden"

    @strawberry.field(extensions=[PermissionExtension([Deny()])])
    def forbidden(self) -> str | None:
        return "forbidden"

    @strawberry.field(extensions=[PermissionExtension([DenyLater()])])
    async def only_a(self) -> str | None:
        return self.name

    @strawberry.field
    def info_fields(self, info: strawberry.Info) -> str:
        raw = info._raw_info
        return repr(
            (raw.field_name, str(raw.return_type), raw.parent_type.name, raw.path.as_list())
        )

    @strawberry.field
    def children(self, count: int = 2, prefix: str = "c") -> list[Item]:
        return [Item(name=f"{self.name}.{prefix}{i}", rank=i) for i in range(count)]

    @strawberry.field
    async def children_later(self, count: int = 2) -> list[Item]:
        await asyncio.sleep(0)
        return [Item(name=f"{self.name}.l{i}", rank=i) for i in range(count)]


@strawberry.type
class Other(Named):
    name: str
    number: int


Thing = Annotated[Item | Other, strawberry.union("Thing")]


async def _agen() -> AsyncIterator[int]:
    for i in range(3):
        await asyncio.sleep(0)
        yield i


async def _item(name: str) -> Item:
    await asyncio.sleep(0)
    if name == "boom":
        raise ValueError("item boom")
    return Item(name=name)


class Special(Item):
    """Not a GraphQL type of its own: a Python subclass, completed as Item."""


@strawberry.type
class Query:
    @strawberry.field
    def items(self, names: list[str] | None = None) -> list[Item]:
        return [Item(name=n, rank=i) for i, n in enumerate(names or ["a1", "b1", "a2"])]

    @strawberry.field
    async def items_later(self, names: list[str] | None = None) -> list[Item]:
        await asyncio.sleep(0)
        return [Item(name=n, rank=i) for i, n in enumerate(names or ["a1", "b1", "a2"])]

    @strawberry.field
    def maybe_items(self, names: list[str] | None = None) -> list[Item | None] | None:
        return [Item(name=n) for n in names or ["a1", "b1"]]

    @strawberry.field
    def awaited_items(self, names: list[str]) -> list[Item | None]:
        return [_item(n) for n in names]  # type: ignore[misc]

    @strawberry.field
    def item(self, name: str = "a0") -> Item | None:
        return Item(name=name)

    @strawberry.field
    def nameless(self) -> list[Item | None]:
        return [Item(name=None), Item(name=3)]  # type: ignore[arg-type]

    @strawberry.field
    def required(self, name: str = "a0") -> Item:
        return Item(name=name)

    @strawberry.field
    def named(self) -> list[Named]:
        return [Item(name="a1"), Other(name="o1", number=1)]

    @strawberry.field
    def things(self) -> list[Thing]:
        return [Other(name="o1", number=7), Item(name="b2")]

    @strawberry.field
    def wrong_thing(self) -> Thing | None:
        return Colour.RED  # type: ignore[return-value]

    @strawberry.field
    def big(self) -> int | None:
        return 2**40

    @strawberry.field
    def not_a_list(self) -> list[int] | None:
        return 5  # type: ignore[return-value]

    @strawberry.field
    def mixed(self) -> list[Item | None]:
        """An Other (accepted: Strawberry's is_type_of for Item takes instances of its
        interfaces too), a subclass of Item and a cast among the Items: the generated
        code's fast path (an instance of exactly Item) must leave them to Run.complete."""
        cast = strawberry.cast(Other, Item(name="cast"))
        return [Item(name="a1"), Other(name="o1", number=1), Special(name="s1"), cast]  # type: ignore[list-item]

    @strawberry.field
    async def wrong_later(self) -> Item | None:
        await asyncio.sleep(0)
        return strawberry.cast(Other, Item(name="o2"))  # type: ignore[no-any-return]

    @strawberry.field
    async def special_later(self) -> Item:
        await asyncio.sleep(0)
        return Special(name="s2")

    @strawberry.field
    def info_fields(self, info: strawberry.Info, tag: str = "") -> str:
        raw = info._raw_info
        return repr(
            (
                raw.field_name,
                [n.alias.value if n.alias else n.name.value for n in raw.field_nodes],
                str(raw.return_type),
                raw.parent_type.name,
                raw.path.as_list(),
                sorted(raw.fragments),
                raw.root_value,
                raw.operation.name.value if raw.operation.name else None,
                raw.variable_values,
                sorted(raw.context),
                raw.abort_signal,
                raw.operation_extensions,
                tag,
            )
        )

    @strawberry.field
    def streamed(self) -> list[int]:
        return _agen()  # type: ignore[return-value]

    @strawberry.field
    def colour(self) -> ColourType:  # type: ignore[valid-type]
        return Colour.GREEN

    @strawberry.field
    def colours(self) -> list[ColourType]:  # type: ignore[valid-type]
        return [Colour.RED, Colour.GREEN, Colour.RED]

    @strawberry.field
    def bad_colour(self) -> ColourType | None:  # type: ignore[valid-type]
        return "purple"

    @strawberry.field
    def when(self) -> datetime.date:
        return datetime.date(2027, 7, 1)

    @strawberry.field
    def blob(self) -> JSON:
        return {"a": [1, 2, {"b": None}]}  # type: ignore[return-value]

    @strawberry.field
    async def wait(self, info: strawberry.Info) -> str | None:
        try:
            awaited = info.context["awaited"] = asyncio.get_running_loop().create_future()
            await awaited
        finally:
            info.context["finally"].append("wait")
        return None


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> Item:
        return Item(name="touched")


# the parser cache keeps one document per query text, as in Luukku: plans are kept per document
COMPILED = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[Other],
    execution_context_class=CompiledExecutionContext,
    extensions=[lambda: ParserCache(maxsize=64)],
)
REFERENCE = strawberry.Schema(
    query=Query, mutation=Mutation, types=[Other], extensions=[lambda: ParserCache(maxsize=64)]
)


@pytest.fixture(autouse=True, params=["generated", "loop"])
def walk(request: pytest.FixtureRequest) -> Any:
    """Every test twice: with the selections' generated functions (schema/executor/codegen.py)
    and with the generic field loop they are written from."""
    CompiledExecutionContext.generated = request.param == "generated"
    yield request.param
    CompiledExecutionContext.generated = True


def _context() -> dict[str, Any]:
    batches: list[list[str]] = []

    async def load(keys: list[str]) -> list[str]:
        batches.append(list(keys))
        return [k.upper() for k in keys]

    return {"loader": DataLoader(load_fn=load), "batches": batches, "finally": []}


async def both(
    query: str, variables: dict[str, Any] | None = None, *, planned: bool = True
) -> tuple[Any, list[Any], dict[str, Any]]:
    """Run on both executors; they must agree. Returns data, formatted errors, context.
    `planned`: whether the compiled path must have run (not for request errors, mutations
    or introspection)."""
    before = stats.compiled
    compiled_context, reference_context = _context(), _context()
    compiled = await COMPILED.execute(query, variables, context_value=compiled_context)
    ran = stats.compiled - before
    reference = await REFERENCE.execute(query, variables, context_value=reference_context)
    mine = [e.formatted for e in compiled.errors or []]
    theirs = [e.formatted for e in reference.errors or []]
    assert compiled.data == reference.data, (compiled.data, reference.data)
    assert mine == theirs, (mine, theirs)
    assert compiled_context["batches"] == reference_context["batches"]
    assert ran == (1 if planned else 0)
    return compiled.data, mine, compiled_context


async def test_plain_fields_aliases_and_typename() -> None:
    data, errors, _ = await both(
        '{ items { name rank n: name __typename } first: item(name: "x") { name } }'
    )
    assert errors == []
    assert data["items"][1] == {"name": "b1", "rank": 1, "n": "b1", "__typename": "Item"}
    assert data["first"] == {"name": "x"}


async def test_fragments_inline_and_named_merge() -> None:
    query = """
      fragment N on Named { name ... on Item { rank } }
      query { named { ...N __typename ... on Other { number name } }
              maybeItems { ... on Item { must } ...N name } }"""
    data, errors, _ = await both(query)
    assert data["named"] == [
        {"name": "a1", "rank": 0, "__typename": "Item"},
        {"name": "o1", "__typename": "Other", "number": 1},
    ]
    assert data["maybeItems"] == [{"must": "a1", "name": "a1", "rank": 0}, None]
    assert [e["path"] for e in errors] == [["maybeItems", 1, "must"]]


async def test_unions_and_a_wrong_runtime_type() -> None:
    data, errors, _ = await both(
        "{ things { __typename ... on Other { number } ... on Item { name } } wrongThing { __typename } }"
    )
    assert data["things"] == [
        {"__typename": "Other", "number": 7},
        {"__typename": "Item", "name": "b2"},
    ]
    assert data["wrongThing"] is None and errors[0]["path"] == ["wrongThing"]


async def test_non_null_error_nulls_the_nearest_nullable_parent() -> None:
    # items: [Item!]!, must: String! -> the failing item nulls the list, which nulls `data`
    data, errors, _ = await both("{ items { name must } }")
    assert data is None
    assert errors == [
        {
            "message": "b1 must not",
            "locations": [{"line": 1, "column": 16}],
            "path": ["items", 1, "must"],
        }
    ]
    # maybeItems: [Item] -> only the item is nulled
    data, errors, _ = await both("{ maybeItems { name must } item { name } }")
    assert data == {"maybeItems": [{"name": "a1", "must": "a1"}, None], "item": {"name": "a0"}}
    assert [e["path"] for e in errors] == [["maybeItems", 1, "must"]]


async def test_non_null_field_returning_null() -> None:
    data, errors, _ = await both('{ item(name: "b0") { name nullForB } }')
    assert data == {"item": None}
    assert errors[0]["message"] == "Cannot return null for non-nullable field Item.nullForB."
    assert errors[0]["path"] == ["item", "nullForB"]


async def test_attributes_that_are_not_what_their_type_says() -> None:
    data, errors, _ = await both("{ nameless { name rank } }")
    assert data == {"nameless": [None, {"name": "3", "rank": 0}]}
    assert errors[0]["message"] == "Cannot return null for non-nullable field Item.name."
    assert errors[0]["path"] == ["nameless", 0, "name"]


async def test_error_paths_in_nested_lists() -> None:
    data, errors, _ = await both(
        '{ maybeItems(names: ["a1", "a2"]) { children(count: 2) { fails children(count: 1) { fails } } } }'
    )
    assert data["maybeItems"][1]["children"][1] == {"fails": None, "children": [{"fails": None}]}
    paths = [e["path"] for e in errors]
    assert ["maybeItems", 1, "children", 1, "children", 0, "fails"] in paths
    assert len(paths) == 8


async def test_awaited_errors_keep_their_full_path() -> None:
    data, errors, _ = await both("{ itemsLater { name failsLater childrenLater { failsLater } } }")
    assert data["itemsLater"][2]["childrenLater"][1] == {"failsLater": None}
    paths = [e["path"] for e in errors]
    assert ["itemsLater", 2, "childrenLater", 1, "failsLater"] in paths
    assert ["itemsLater", 0, "failsLater"] in paths


async def test_awaited_non_null_error_propagates() -> None:
    data, errors, _ = await both("{ maybeItems { name mustLater } item { mustLater } }")
    assert data == {
        "maybeItems": [{"name": "a1", "mustLater": "a1"}, None],
        "item": {"mustLater": "a0"},
    }
    assert [e["path"] for e in errors] == [["maybeItems", 1, "mustLater"]]
    data, errors, _ = await both("{ itemsLater { mustLater } item { name } }")
    assert data is None
    assert [e["path"] for e in errors] == [["itemsLater", 1, "mustLater"]]


async def test_awaited_list_items() -> None:
    data, errors, _ = await both(
        "query($n: [String!]!) { awaitedItems(names: $n) { name pathLater } }",
        {"n": ["x", "boom", "y"]},
    )
    assert data["awaitedItems"][1] is None
    assert data["awaitedItems"][2] == {"name": "y", "pathLater": ["awaitedItems", "2", "pathLater"]}
    assert errors[0]["path"] == ["awaitedItems", 1]


async def test_info_path_is_each_items_own() -> None:
    data, _, _ = await both("{ items { path pathLater children { path } } }")
    assert [i["path"] for i in data["items"]] == [["items", str(i), "path"] for i in range(3)]
    assert data["items"][2]["pathLater"] == ["items", "2", "pathLater"]
    assert data["items"][1]["children"][1]["path"] == ["items", "1", "children", "1", "path"]


async def test_context_variables_flow_to_children_not_to_siblings() -> None:
    data, _, _ = await both(
        "{ items { marked { mark markLater marked { markLater } } mark markLater } }"
    )
    first = data["items"][0]
    assert first["marked"]["mark"] == "a1" and first["marked"]["markLater"] == "a1"
    assert first["marked"]["marked"]["markLater"] == "a1+"
    assert first["mark"] == "root" and first["markLater"] == "root"
    assert data["items"][1]["marked"]["mark"] == "b1"
    assert seen.get() == "root"


async def test_dataloaders_batch_per_level() -> None:
    data, _, context = await both(
        "{ itemsLater { loaded childrenLater { loaded } } items { loaded } }"
    )
    assert data["items"][0]["loaded"] == "A1"
    assert context["batches"][0] == ["a1", "b1", "a2"]  # the first level, in one batch
    assert len(context["batches"]) == 2


async def test_permissions_silent_and_denied_sync_and_async() -> None:
    data, errors, _ = await both("{ items { hidden forbidden onlyA } }")
    assert data["items"][0] == {"hidden": None, "forbidden": None, "onlyA": "a1"}
    assert data["items"][1]["onlyA"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in errors] == [
        (["items", 0, "forbidden"], "FORBIDDEN"),
        (["items", 1, "forbidden"], "FORBIDDEN"),
        (["items", 2, "forbidden"], "FORBIDDEN"),
        (["items", 1, "onlyA"], "FORBIDDEN"),
    ]


async def test_variables_defaults_and_skip_include() -> None:
    query = """query($names: [String!], $count: Int = 1, $skip: Boolean!, $with: Boolean = true) {
      items(names: $names) { name @skip(if: $skip) rank @include(if: $with)
        children(count: $count) { name } } }"""
    data, _, _ = await both(query, {"names": ["a9"], "skip": True})
    assert data == {"items": [{"rank": 0, "children": [{"name": "a9.c0"}]}]}
    data, _, _ = await both(query, {"names": ["a9"], "skip": False, "with": False, "count": 0})
    assert data == {"items": [{"name": "a9", "children": []}]}
    data, _, _ = await both("{ items { name @include(if: false) rank @skip(if: false) } }")
    assert data["items"][0] == {"rank": 0}


async def test_serialisers_and_their_errors() -> None:
    data, errors, _ = await both("{ colour colours when blob big notAList badColour streamed }")
    assert data["colour"] == "GREEN" and data["colours"] == ["RED", "GREEN", "RED"]
    assert data["when"] == "2027-07-01" and data["blob"] == {"a": [1, 2, {"b": None}]}
    assert data["streamed"] == [0, 1, 2]
    assert data["big"] is None and data["notAList"] is None and data["badColour"] is None
    assert [e["path"] for e in errors] == [["big"], ["notAList"], ["badColour"]]


async def test_invalid_variables_are_request_errors() -> None:
    _, errors, _ = await both(
        "query($c: Int) { item { children(count: $c) { name } } }", {"c": "x"}, planned=False
    )
    assert errors and "path" not in errors[0]


async def test_mutations_and_introspection_run_on_graphql_core() -> None:
    before = stats.fallback
    data, _, _ = await both("mutation { touch { name } }", planned=False)
    assert data == {"touch": {"name": "touched"}}
    data, _, _ = await both("{ __schema { queryType { name } } }", planned=False)
    assert data == {"__schema": {"queryType": {"name": "Query"}}}
    assert stats.fallback - before == 2


async def test_a_plan_is_reused() -> None:
    query = "query Again($n: String!) { item(name: $n) { name children { name } } }"
    await both(query, {"n": "a"})
    plans = stats.plans
    data, _, _ = await both(query, {"n": "b"})
    assert stats.plans == plans
    assert data["item"]["children"][0]["name"] == "b.c0"


@pytest.mark.parametrize("schema", [COMPILED, REFERENCE], ids=["compiled", "graphql-core"])
async def test_cancelling_the_operation_cancels_its_resolvers(schema: strawberry.Schema) -> None:
    context = _context()
    task = asyncio.ensure_future(schema.execute("{ wait items { name } }", context_value=context))
    for _ in range(5):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert context["finally"] == ["wait"]
    # the future it awaited is cancelled too, as a task's is: its owner (a driver with a
    # statement in flight) learns of it
    assert context["awaited"].cancelled()


async def test_an_execution_leaves_no_cycles_for_the_collector() -> None:
    """Reference counting frees what an execution made (its executor, context and loaders,
    the run and its pendings): the cyclic collector, whose pauses grow with what it finds,
    has nothing of it to find."""
    query = "{ itemsLater { loaded children { name pathLater } } items { loaded } }"
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result = await COMPILED.execute(query, context_value=_context())
        assert result.errors is None and result.data is not None
        del result
        gc.collect()
        left = {type(o).__name__ for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not left & {"Run", "Pending", "CompiledExecutionContext", "DataLoader", "Item"}, left


async def test_errors_of_awaited_fields_that_finish_at_once_keep_graphql_cores_order() -> None:
    """`atOnce` is awaited but never waits: its value is completed in the wave that started
    it, and yet its errors follow the synchronous walk's, as in graphql-core."""
    data, errors, _ = await both("{ items { atOnce { fails } fails } second: items { fails } }")
    assert data["items"][0] == {"atOnce": {"fails": None}, "fails": None}
    assert [e["path"] for e in errors] == [
        *(["items", i, "fails"] for i in range(3)),
        *(["second", i, "fails"] for i in range(3)),
        *(["items", i, "atOnce", "fails"] for i in range(3)),
    ]


async def test_objects_the_generated_fast_path_leaves_to_run_complete() -> None:
    data, errors, _ = await both("{ mixed { name } wrongLater { name } specialLater { name } }")
    assert data == {
        "mixed": [{"name": "a1"}, {"name": "o1"}, {"name": "s1"}, None],
        "wrongLater": None,
        "specialLater": {"name": "s2"},
    }
    assert [e["path"] for e in errors] == [["mixed", 3], ["wrongLater"]]
    assert errors[0]["message"].startswith("Expected value of type 'Item' but got:")


async def test_the_resolve_info_is_strawberrys() -> None:
    """The generated code builds the resolve info from the field's part and the run's; every
    part a resolver can read is the same as Strawberry's build_resolve_info gives."""
    query = """query Infos($tag: String!, $skip: Boolean = false) {
      infoFields(tag: $tag) a: infoFields(tag: "x")
      items { infoFields @skip(if: $skip) ...F } }
      fragment F on Item { children(count: 1) { infoFields } }"""
    data, errors, _ = await both(query, {"tag": "t"})
    assert errors == []
    assert "'Infos'" in data["infoFields"] and "{'tag': 't', 'skip': False}" in data["infoFields"]
    assert data["items"][1]["children"][0]["infoFields"] == repr(
        ("infoFields", "String!", "Item", ["items", 1, "children", 0, "infoFields"])
    )


@pytest.mark.parametrize("walk", ["generated"], indirect=True)  # the loop has no source
async def test_generated_source_holds_no_value_of_the_document(walk: str) -> None:
    """Aliases, argument values and variable names reach the generated code through its
    namespace only: the source has the schema's names and nothing the client wrote (an
    alias, a GraphQL name, in a comment at most)."""
    from schema.executor import _plans

    query = """{ evil_alias: item(name: "\\") import os #") { n_alias: name infoFields } }"""
    data, errors, _ = await both(query)
    assert errors == [] and data["evil_alias"]["n_alias"] == '") import os #'
    sources = []
    for operation, plan in _plans.values():
        if plan is not None and plan.operation is operation and plan.root.source:
            if "evil_alias" in str([f.key for f in plan.root.fields]):
                sources.append(plan.root.source)
                for fp in plan.root.fields:
                    sources += [s.source for s in fp.type_plan.selections.values()]
    assert len(sources) == 2 and all(sources)
    for source in sources:
        assert "import os" not in source and '"' not in source.split('"""')[-1]
        assert "evil_alias" not in source.replace("as evil_alias", "")


async def test_an_awaited_object_completed_at_once_nulls_itself_for_its_non_null_child() -> None:
    """`atOnce` (awaited, finished at its first step) is completed by its generated finish;
    the error of its non-null `must` nulls it. In the generated list loop, a non-null item's
    error goes up through every non-null position to `data`."""
    data, errors, _ = await both('{ maybeItems(names: ["b1", "a1"]) { atOnce { must } } }')
    assert data == {"maybeItems": [{"atOnce": None}, {"atOnce": {"must": "a1!"}}]}
    assert [e["path"] for e in errors] == [["maybeItems", 0, "atOnce", "must"]]
    data, errors, _ = await both("{ specialLater { must } item { name } }")
    assert data == {"specialLater": {"must": "s2"}, "item": {"name": "a0"}}
    data, errors, _ = await both(
        '{ items(names: ["a1", "b1"]) { children(prefix: "x") { must } } }'
    )
    assert data is None  # [Item!]! in [Item!]!: the error of b1.x0's must reaches `data`
    assert [e["path"] for e in errors] == [["items", 1, "children", 0, "must"]]
