"""Planned loading: what a page of projects' nested fields read, in one SQL statement.

The `project` and `projects` roots call `plan_projects` with the projects they are about
to return (or to hide). One statement reads, for those projects, the rows that the
request's DataLoaders would read one loader at a time: the projects, their applications
and statement requests (the policies' facts), and, when the operation selects them, the
status history, decisions, discussions, and the people and companies named in them. Each
row is built exactly as Tortoise's `.values()` builds it (the same keys in the same order,
each value through its field's `to_python_value` unless the driver already gives the
Python type), and the loaders are primed with them: every field then runs as before, asks
the same `permissions/` functions on the same facts, and finds its rows already loaded.

Nothing here decides what the viewer sees: a project read and then hidden by
`can_see_project` costs this one statement, as a missing one does. LUUKKU_PLANNER=off
leaves every read to the loaders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import orjson
from graphql import FieldNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode
from tortoise import connections
from tortoise.fields import DateField, DatetimeField, FloatField, JSONField
from tortoise.models import Model

from models import (
    Application,
    Decision,
    Message,
    Organisation,
    Person,
    Project,
    StatementRequest,
    StatusChange,
    Thread,
)
from models.enums import OrganisationKind
from resolvers.context import Info
from resolvers.loaders import APPLICATION_FIELDS, MESSAGE_FIELDS, STATEMENT_FIELDS, Loaders, Row

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    """One key of a row: the SQL that reads it and how its JSON value becomes Python."""

    key: str
    sql: str
    convert: Convert | None  # None: the JSON value is already what `.values()` gives


@dataclass(frozen=True)
class Part:
    """One loader's rows for the planned projects: `FROM ... WHERE ...` with `{ids}`."""

    name: str
    columns: tuple[Column, ...]
    source: str


def _pg_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _column(dialect: str, key: str, sql: str, model: type[Model], name: str) -> Column:
    """What the driver gives for the field is rebuilt from its JSON text, then goes through
    what Tortoise's ValuesQuery applies (`resolve_to_python_value`): nothing for the
    model's native fields on this database, else the field's `to_python_value`."""
    field = model._meta.fields_map[name]
    driver: Convert | None = None
    if dialect == "postgres":
        if isinstance(field, DatetimeField):
            driver = _pg_datetime
        elif isinstance(field, DateField):
            driver = date.fromisoformat
        elif isinstance(field, FloatField):
            driver = float  # a float8 of integral value is a JSON integer
        elif isinstance(field, JSONField):
            sql = f"{sql}::text"  # asyncpg gives json as text; to_python_value decodes it
    elif isinstance(field, FloatField):
        # SQLite's JSON writes 15 significant digits; 17 give the double back exactly
        sql = f"CASE WHEN {sql} IS NULL THEN NULL ELSE printf('%!.17g', {sql}) END"
        driver = float
    native = any(n == name for _, n, _ in model._meta.db_native_fields)
    python = None if native else field.to_python_value
    return Column(key, sql, _chain(driver, python))


def _chain(driver: Convert | None, python: Convert | None) -> Convert | None:
    """The driver's conversion (not for NULL), then Tortoise's (for NULL too, as it does)."""
    if driver is None:
        return python
    first = driver

    def convert(value: Any) -> Any:
        value = None if value is None else first(value)
        return value if python is None else python(value)

    return convert


def _columns(
    dialect: str,
    model: type[Model],
    alias: str,
    keys: Sequence[str] | None = None,
    extra: Iterable[tuple[str, str, type[Model], str]] = (),
) -> tuple[Column, ...]:
    """The columns of `model.values(*keys)` (all its fields when None), then `extra`."""
    meta = model._meta
    if keys is None:
        keys = [k for k in meta.fields_map if k in meta.fields_db_projection]
    columns = [
        _column(dialect, k, f"{alias}.{meta.fields_db_projection[k]}", model, k) for k in keys
    ]
    columns += [_column(dialect, k, sql, m, n) for k, sql, m, n in extra]
    return tuple(columns)


#: parts read for every planned project (the facts need them) and, by name, the parts
#: read when the operation selects one of the fields named
ALWAYS = ("application", "statement")
WHEN_SELECTED = {
    "status_change": {"statusHistory"},
    "decision": {"decision", "comment"},
    "thread": {"thread"},
    "message": {"messages"},
    "person": {"assignedTo", "actor", "owner"},
    "organisation": {"owner", "actingForName"},
}


@cache
def _parts(dialect: str) -> dict[str, Part]:
    apps = "application a WHERE a.project_id IN {ids}"
    joined = "JOIN application a ON a.id = t.application_id WHERE a.project_id IN {ids}"
    people = (
        "person t WHERE t.id IN (SELECT a.assigned_to_id FROM application a "
        "WHERE a.project_id IN {ids} "
        "UNION SELECT s.actor_id FROM status_change s JOIN application a "
        "ON a.id = s.application_id WHERE a.project_id IN {ids} "
        "UNION SELECT p.owner_person_id FROM project p WHERE p.id IN {ids})"
    )
    companies = (
        f"organisation t WHERE t.kind <> '{OrganisationKind.AUTHORITY.value}' AND t.id IN ("
        "SELECT p.owner_organisation_id FROM project p WHERE p.id IN {ids} "
        "UNION SELECT s.acting_for_id FROM status_change s JOIN application a "
        "ON a.id = s.application_id WHERE a.project_id IN {ids} "
        "UNION SELECT m.acting_for_id FROM message m JOIN thread h ON h.id = m.thread_id "
        "WHERE h.project_id IN {ids})"
    )
    return {
        "project": Part(
            "project", _columns(dialect, Project, "t"), "project t WHERE t.id IN {ids}"
        ),
        "application": Part(
            "application", _columns(dialect, Application, "a", APPLICATION_FIELDS), apps
        ),
        "statement": Part(
            "statement",
            _columns(
                dialect,
                StatementRequest,
                "t",
                STATEMENT_FIELDS,
                [("project_id", "a.project_id", Application, "project_id")],
            ),
            f"statement_request t {joined}",
        ),
        "status_change": Part(
            "status_change", _columns(dialect, StatusChange, "t"), f"status_change t {joined}"
        ),
        "decision": Part("decision", _columns(dialect, Decision, "t"), f"decision t {joined}"),
        "thread": Part(
            "thread", _columns(dialect, Thread, "t"), "thread t WHERE t.project_id IN {ids}"
        ),
        "message": Part(
            "message",
            _columns(
                dialect,
                Message,
                "t",
                MESSAGE_FIELDS,
                [("project_id", "h.project_id", Thread, "project_id")],
            ),
            "message t JOIN thread h ON h.id = t.thread_id WHERE h.project_id IN {ids}",
        ),
        "person": Part(
            "person", _columns(dialect, Person, "t", ("id", "name", "language")), people
        ),
        # authorities come from the catalogue (OrganisationLoader), the others from here
        "organisation": Part("organisation", _columns(dialect, Organisation, "t"), companies),
    }


@cache
def statement(dialect: str, names: tuple[str, ...]) -> str:
    """One SELECT with a column per part: a JSON array of its rows."""
    ids = (
        "(SELECT value FROM json_each(?1))" if dialect == "sqlite" else "(SELECT unnest($1::int[]))"
    )
    pairs = "json_object" if dialect == "sqlite" else "json_build_object"
    array = "json_group_array" if dialect == "sqlite" else "json_agg"
    parts = _parts(dialect)
    selects = []
    for name in names:
        part = parts[name]
        fields = ", ".join(f"'{c.key}', {c.sql}" for c in part.columns)
        source = part.source.format(ids=ids)
        selects.append(f"(SELECT {array}({pairs}({fields})) FROM {source}) AS {name}")
    return "SELECT " + ", ".join(selects)


def _rows(part: Part, raw: Any) -> list[Row]:
    if raw is None:
        return []
    rows: list[Row] = []
    for item in orjson.loads(raw) if isinstance(raw, str | bytes) else raw:
        row: Row = {}
        for column in part.columns:
            value = item[column.key]
            row[column.key] = value if column.convert is None else column.convert(value)
        rows.append(row)
    rows.sort(key=lambda r: r["id"])  # the loaders read in id order
    return rows


class Stats:
    """How many plans this process has read (the sameness tests check that it ran)."""

    read = 0


stats = Stats()


async def read(project_ids: Collection[int], names: Sequence[str]) -> dict[str, list[Row]]:
    """The rows of each named part for the projects, in one statement."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    parts = _parts(dialect)
    ids = sorted({int(i) for i in project_ids})
    param: Any = orjson.dumps(ids).decode() if dialect == "sqlite" else ids
    _, result = await conn.execute_query(statement(dialect, tuple(names)), [param])
    stats.read += 1
    row = result[0]
    return {name: _rows(parts[name], row[i]) for i, name in enumerate(names)}


def selected_names(info: GraphQLResolveInfo[Any]) -> set[str]:
    """Every field name selected under the root field (through fragments too)."""
    names: set[str] = set()
    seen: set[str] = set()
    stack: list[Any] = list(info.field_nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode):
            names.add(node.name.value)
        elif isinstance(node, FragmentSpreadNode):
            if node.name.value in seen or node.name.value not in info.fragments:
                continue
            seen.add(node.name.value)
            node = info.fragments[node.name.value]
        elif not isinstance(node, InlineFragmentNode):
            continue
        if node.selection_set is not None:
            stack.extend(node.selection_set.selections)
    return names


def parts_for(selected: set[str], *, projects: bool) -> list[str]:
    names = ["project"] if projects else []
    names += ALWAYS
    names += [name for name, fields in WHEN_SELECTED.items() if fields & selected]
    return names


def prime(loaders: Loaders, project_ids: Iterable[int], rows: dict[str, list[Row]]) -> None:
    """Give the loaders what they would have read for these projects (a key already
    loaded in this request keeps its rows)."""
    ids = list(project_ids)

    def grouped(name: str, key: str, keys: Iterable[int], loader: Any) -> None:
        groups: dict[Any, list[Row]] = defaultdict(list)
        for row in rows[name]:
            groups[row[key]].append(row)
        for k in keys:
            loader.prime(k, groups.get(k, []))

    if "project" in rows:
        by_id = {r["id"]: r for r in rows["project"]}
        for i in ids:
            loaders.project.prime(i, by_id.get(i))
    applications = rows["application"]
    for row in applications:
        loaders.application.prime(row["id"], row)
    grouped("application", "project_id", ids, loaders.applications_by_project)
    grouped("statement", "project_id", ids, loaders.statements_by_project)
    app_ids = [r["id"] for r in applications]
    if "status_change" in rows:
        grouped("status_change", "application_id", app_ids, loaders.status_changes_by_application)
    if "decision" in rows:
        decisions = {r["application_id"]: r for r in rows["decision"]}
        for i in app_ids:
            loaders.decision_by_application.prime(i, decisions.get(i))
    if "thread" in rows:
        grouped("thread", "project_id", ids, loaders.threads_by_project)
    if "message" in rows:
        grouped("message", "project_id", ids, loaders.messages_by_project)
    for row in rows.get("person", ()):
        loaders.person.prime(row["id"], row)
    for row in rows.get("organisation", ()):
        loaders.organisation.prime(row["id"], row)


#: fields of Project that read more than the project's row (the facts or the loaders)
NESTED = {"applications", "thread", "plan", "owner", "viewerIsCustomer", "viewerCanEdit"}


def enabled(info: Info) -> bool:
    """LUUKKU_PLANNER, as the executing schema was built with it."""
    return bool(getattr(info.schema, "planner", True))


async def plan_projects(info: Info, project_ids: Collection[int], *, projects: bool) -> None:
    """Read and prime, in one statement, what the selection under the root field `info`
    will load for these projects; `projects` also reads the projects' own rows (the
    `projects` root has read them already, and plans only when more than they is
    selected)."""
    if not project_ids or not enabled(info):
        return
    selected = selected_names(info._raw_info)
    if not projects and not selected & NESTED:
        return
    names = parts_for(selected, projects=projects)
    prime(info.context.loaders, project_ids, await read(project_ids, names))
