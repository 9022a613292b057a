"""Planned loading: what a page of projects' nested fields read, in one SQL statement.

The `project` and `node` roots call `plan_projects` with the projects they are about to
return (or to hide); the `projects` and `inbox` roots read their page, its count and the
plan in one statement (`read_page`). One statement reads, for those projects, the rows
that the request's DataLoaders would read one loader at a time: the projects, their applications
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
from datetime import UTC, date, datetime, tzinfo
from functools import cache, cached_property
from operator import itemgetter
from typing import Any

import orjson
from graphql import FieldNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode
from pypika_tortoise.terms import Parameterizer
from tortoise import connections
from tortoise.fields import DateField, DatetimeField, FloatField, JSONField
from tortoise.fields.data import CharEnumFieldInstance, IntEnumFieldInstance
from tortoise.models import Model
from tortoise.queryset import AwaitableQuery, QuerySet
from tortoise.timezone import get_default_timezone, get_use_tz

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
PERSON_FIELDS = ("id", "name", "language")


@dataclass(frozen=True)
class Column:
    """One key of a row: the SQL that reads it and how its JSON value becomes Python."""

    key: str
    sql: str
    #: None: the JSON value is already what `.values()` gives; `_Datetime`: by the time
    #: zone settings (`_Datetime.at_settings`)
    convert: Convert | type[_Datetime] | None


@dataclass(frozen=True)
class Part:
    """One loader's rows for the planned projects: `FROM ... WHERE ...` with `{ids}`."""

    name: str
    columns: tuple[Column, ...]
    source: str

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    @cached_property
    def _converted(self) -> tuple[tuple[int, Convert | type[_Datetime]], ...]:
        return tuple((i, c.convert) for i, c in enumerate(self.columns) if c.convert is not None)

    def converted(self) -> list[tuple[int, Convert]]:
        """The positions of the columns whose JSON value needs converting, with how (at the
        time zone settings of now)."""
        at = _Datetime.at_settings(get_use_tz(), get_default_timezone())
        return [(i, at if convert is _Datetime else convert) for i, convert in self._converted]


def _pg_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


class _Datetime:
    """A PostgreSQL `timestamptz` through `DatetimeField.to_python_value`, in one step: the
    driver's aware datetime, then Tortoise's conversion to its default time zone (or to a
    naive UTC time without USE_TZ), with Tortoise's time zone settings read once per part's
    rows (`at_settings`) instead of for every value."""

    @staticmethod
    @cache
    def at_settings(use_tz: bool, zone: tzinfo) -> Convert:
        if use_tz:

            def aware(value: str | None) -> datetime | None:
                return None if value is None else datetime.fromisoformat(value).astimezone(zone)

            return aware

        def naive(value: str | None) -> datetime | None:
            if value is None:
                return None
            return datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None)

        return naive


def _enum(field: Any) -> Convert:
    """Tortoise's `to_python_value` of an enum field (`enum_type(value)`, None for NULL), by
    the enum's own map of values to members for the values it has."""
    members = field.enum_type._value2member_map_
    slow = field.to_python_value

    def convert(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):  # NULL, or not a value of the enum: as Tortoise does
            return slow(value)

    return convert


#: Tortoise's conversions of enum fields, `enum_type(value)` (`_enum`)
_ENUM_CONVERSIONS = (CharEnumFieldInstance.to_python_value, IntEnumFieldInstance.to_python_value)


def _column(dialect: str, key: str, sql: str, model: type[Model], name: str) -> Column:
    """What the driver gives for the field is rebuilt from its JSON text, then goes through
    what Tortoise's ValuesQuery applies (`resolve_to_python_value`): nothing for the
    model's native fields on this database, else the field's `to_python_value`."""
    field = model._meta.fields_map[name]
    native = any(n == name for _, n, _ in model._meta.db_native_fields)
    if type(field).to_python_value in _ENUM_CONVERSIONS and not native:
        return Column(key, sql, _enum(field))
    driver: Convert | None = None
    if dialect == "postgres":
        if type(field).to_python_value is DatetimeField.to_python_value and not native:
            return Column(key, sql, _Datetime)
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


def _member(dialect: str, subquery: str) -> str:
    """`IN (subquery)` as a suffix of the column it tests. On PostgreSQL `= ANY(ARRAY(...))`:
    the subquery runs once, before the outer scan, which then uses the index of the column;
    `IN` lets the planner hash-join the whole table against its guessed size (a sequential
    scan of every organisation, for the companies of one project)."""
    return f"IN ({subquery})" if dialect == "sqlite" else f"= ANY(ARRAY({subquery}))"


@cache
def _parts(dialect: str) -> dict[str, Part]:
    # `{ids}` is the membership test of the projects (a suffix: `IN (...)`, `= ANY(...)`)
    apps = "application a WHERE a.project_id {ids}"
    joined = "JOIN application a ON a.id = t.application_id WHERE a.project_id {ids}"
    people = "person t WHERE t.id " + _member(
        dialect,
        "SELECT a.assigned_to_id FROM application a WHERE a.project_id {ids} "
        "UNION SELECT s.actor_id FROM status_change s JOIN application a "
        "ON a.id = s.application_id WHERE a.project_id {ids} "
        "UNION SELECT p.owner_person_id FROM project p WHERE p.id {ids}",
    )
    companies = (
        f"organisation t WHERE t.kind <> '{OrganisationKind.AUTHORITY.value}' AND t.id "
        + _member(
            dialect,
            "SELECT p.owner_organisation_id FROM project p WHERE p.id {ids} "
            "UNION SELECT s.acting_for_id FROM status_change s JOIN application a "
            "ON a.id = s.application_id WHERE a.project_id {ids} "
            "UNION SELECT m.acting_for_id FROM message m JOIN thread h ON h.id = m.thread_id "
            "WHERE h.project_id {ids}",
        )
    )
    return {
        "project": Part("project", _columns(dialect, Project, "t"), "project t WHERE t.id {ids}"),
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
            "thread", _columns(dialect, Thread, "t"), "thread t WHERE t.project_id {ids}"
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
            "message t JOIN thread h ON h.id = t.thread_id WHERE h.project_id {ids}",
        ),
        "person": Part("person", _columns(dialect, Person, "t", PERSON_FIELDS), people),
        # the handlers of an inbox's page (resolvers/authority/queries.py)
        "assigned": Part(
            "assigned",
            _columns(dialect, Person, "t", PERSON_FIELDS),
            "person t WHERE t.id {assigned}",
        ),
        # authorities come from the catalogue (OrganisationLoader), the others from here
        "organisation": Part("organisation", _columns(dialect, Organisation, "t"), companies),
    }


def _dialect_sql(dialect: str) -> tuple[str, str]:
    """The JSON array builders of the database: of one row's values, of the rows."""
    if dialect == "sqlite":
        return "json_array", "json_group_array"
    return "json_build_array", "json_agg"


@cache
def _subqueries(
    dialect: str, names: tuple[str, ...], ids: str, assigned: str = ""
) -> tuple[str, ...]:
    """A subquery per part: a JSON array of its rows, each an array of the part's columns
    in their order (PostgreSQL builds an array in about half the time of an object with the
    same values, and the text is shorter), for the projects `ids` (SQL) names (and the
    people `assigned` names, for the part of that name)."""
    row, array = _dialect_sql(dialect)
    parts = _parts(dialect)
    selects = []
    for name in names:
        part = parts[name]
        values = ", ".join(c.sql for c in part.columns)
        source = part.source.format(ids=ids, assigned=assigned)
        selects.append(f"(SELECT {array}({row}({values})) FROM {source})")
    return tuple(selects)


#: the ids a read is given (its one parameter), as the membership test of a column. On
#: PostgreSQL through a subquery (`= ANY(ARRAY(SELECT unnest($1)))`), not `= ANY($1)`: with
#: the parameter in sight the planner's estimates of a custom plan (one project) always beat
#: those of the generic plan (an array of unknown length), so every execution was planned
#: again, which cost about three times the execution itself; the subquery's value is unknown
#: to both, and after five executions the prepared statement keeps its generic plan.
_GIVEN = {
    dialect: _member(dialect, given)
    for dialect, given in (
        ("sqlite", "SELECT value FROM json_each(?1)"),
        ("postgres", "SELECT unnest($1::int[])"),
    )
}
#: the projects a read is about, as the membership test of a column: given as ids, or as
#: the projects of given applications
_IDS = {
    **{(dialect, "project"): given for dialect, given in _GIVEN.items()},
    **{
        (dialect, "application"): _member(
            dialect, f"SELECT i.project_id FROM application i WHERE i.id {given}"
        )
        for dialect, given in _GIVEN.items()
    },
}


@cache
def statement(dialect: str, names: tuple[str, ...], of: str = "project") -> str:
    """One SELECT with a column per part: a JSON array of its rows, for the projects
    given (`of="project"`) or the projects of the applications given (`"application"`)."""
    subqueries = _subqueries(dialect, names, _IDS[dialect, of])
    return "SELECT " + ", ".join(
        f"{sql} AS {name}" for sql, name in zip(subqueries, names, strict=True)
    )


def _rows(part: Part, raw: Any) -> list[Row]:
    """The part's rows from its JSON array of arrays, in id order (as the loaders read
    them): each a dict of the part's keys in the columns' order, its values converted
    where they need it."""
    if raw is None:
        return []
    values: list[list[Any]] = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    keys = part.keys
    for index, convert in part.converted():
        for value in values:
            value[index] = convert(value[index])
    items: list[Row] = [dict(zip(keys, value, strict=True)) for value in values]
    items.sort(key=itemgetter("id"))
    return items


class Stats:
    """How many plans this process has read (the sameness tests check that it ran)."""

    read = 0


stats = Stats()


async def read(
    ids: Collection[int], names: Sequence[str], of: str = "project"
) -> dict[str, list[Row]]:
    """The rows of each named part for the projects (or the applications' projects, with
    `of="application"`), in one statement."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    parts = _parts(dialect)
    wanted = sorted({int(i) for i in ids})
    param: Any = orjson.dumps(wanted).decode() if dialect == "sqlite" else wanted
    _, result = await conn.execute_query(statement(dialect, tuple(names), of), [param])
    stats.read += 1
    row = result[0]
    return {name: _rows(parts[name], row[i]) for i, name in enumerate(names)}


def selected_names(info: GraphQLResolveInfo[Any], type_name: str | None = None) -> set[str]:
    """Every field name selected under the root field (through fragments too); with
    `type_name`, the root field's own fragments on other types are left out."""
    names: set[str] = set()
    seen: set[str] = set()
    # (selection, whether it is directly under the root field, through fragments)
    stack: list[tuple[Any, bool]] = [
        (child, True)
        for field in info.field_nodes
        if field.selection_set is not None
        for child in field.selection_set.selections
    ]
    while stack:
        node, top = stack.pop()
        if isinstance(node, FieldNode):
            names.add(node.name.value)
            top = False
        elif isinstance(node, FragmentSpreadNode):
            if node.name.value in seen or node.name.value not in info.fragments:
                continue
            seen.add(node.name.value)
            node = info.fragments[node.name.value]
        elif not isinstance(node, InlineFragmentNode):
            continue
        if top and type_name is not None and not isinstance(node, FieldNode):
            condition = node.type_condition
            if condition is not None and condition.name.value not in (type_name, "Node"):
                continue
        if node.selection_set is not None:
            stack.extend((child, top) for child in node.selection_set.selections)
    return names


def parts_for(selected: set[str], *, projects: bool) -> list[str]:
    names = ["project"] if projects else []
    names += ALWAYS
    names += [name for name, fields in WHEN_SELECTED.items() if fields & selected]
    return names


def prime(
    loaders: Loaders,
    project_ids: Iterable[int],
    rows: dict[str, list[Row]],
    application_ids: Iterable[int] = (),
) -> None:
    """Give the loaders what they would have read for these projects (a key already
    loaded in this request keeps its rows). The applications' own rows (status history,
    decision) are primed for the projects' applications when those were read, else for
    `application_ids`."""
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
    app_ids = list(application_ids)
    if "application" in rows:
        applications = rows["application"]
        for row in applications:
            loaders.application.prime(row["id"], row)
        grouped("application", "project_id", ids, loaders.applications_by_project)
        app_ids = [r["id"] for r in applications]
    if "statement" in rows:
        grouped("statement", "project_id", ids, loaders.statements_by_project)
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
    for name in ("person", "assigned"):
        for row in rows.get(name, ()):
            loaders.person.prime(row["id"], row)
    for row in rows.get("organisation", ()):
        loaders.organisation.prime(row["id"], row)


#: fields of Project that read more than the project's row (the facts or the loaders)
NESTED = {"applications", "thread", "plan", "owner", "viewerIsCustomer", "viewerCanEdit"}


def enabled(info: Info) -> bool:
    """LUUKKU_PLANNER, as the executing schema was built with it."""
    return bool(getattr(info.schema, "planner", True))


async def plan_projects(
    info: Info, project_ids: Collection[int], *, projects: bool, type_name: str | None = None
) -> None:
    """Read and prime, in one statement, what the selection under the root field `info`
    will load for these projects; `projects` also reads the projects' own rows (the
    `projects` root has read them already, and plans only when more than they is
    selected). `type_name`: the root field's fragments on other types are not planned
    (`node`)."""
    if not project_ids or not enabled(info):
        return
    selected = selected_names(info._raw_info, type_name)
    if not projects and not selected & NESTED:
        return
    names = parts_for(selected, projects=projects)
    prime(info.context.loaders, project_ids, await read(project_ids, names))


async def plan_application(info: Info, application_id: int) -> None:
    """Read and prime, in one statement, what `node` (or `application`) will load for the
    application: its row and its project's facts (for `visible_application`), and the
    selected subtree. A missing application primes "project 0", whose facts
    `visible_application` then asks for: the same work as for a hidden one."""
    if not enabled(info):
        return
    selected = selected_names(info._raw_info, "Application")
    names = parts_for(selected, projects=True)
    rows = await read([application_id], names, of="application")
    own = next((r for r in rows["application"] if r["id"] == application_id), None)
    loaders = info.context.loaders
    loaders.application.prime(application_id, own)
    prime(loaders, [own["project_id"] if own else 0], rows)


#: what an inbox's applications select that reads no project facts (anything else
#: selected reads them too: the projects' applications and statement requests)
INBOX_PLAIN = {
    *("__typename", "totalCount", "pageInfo", "hasNextPage", "hasPreviousPage"),
    *("startCursor", "endCursor", "nodes", "edges", "node", "cursor"),
    *("id", "status", "isSharedWithAuthorities", "origin", "certainty", "version"),
    *("createdAt", "updatedAt", "submittedAt", "processedAt", "statusLabel", "isProcessed"),
    *("fi", "sv", "en", "code", "name", "project", "permitType", "authority", "assignedTo"),
    *("latestApplicationDate", "statusHistory", "fromStatus", "toStatus", "actorName"),
    *("actor", "actingForName", "description", "location", "latitude", "longitude", "area"),
    *("startsOn", "endsOn", "sharedData", "serviceBundle", "municipality", "owner"),
}


def inbox_parts(selected: set[str]) -> list[str]:
    """The parts an inbox page reads for the selection (none: the page alone)."""
    facts = bool(selected - INBOX_PLAIN)
    names = ["project"] if facts or selected & {"project", "latestApplicationDate"} else []
    if facts:
        names += ALWAYS
    for name, fields in WHEN_SELECTED.items():
        if fields & selected:
            names.append(name)
    if names.count("person") and not selected & {"actor", "owner"}:
        names[names.index("person")] = "assigned"  # only the page's handlers
    return names


def _order_sql(model: type[Model], ordering: Sequence[str]) -> str:
    """Tortoise's ordering ("submitted_at", "-id"...) as the ORDER BY of `model`'s table `x`."""
    projection = model._meta.fields_db_projection
    terms = []
    for term in ordering:
        name = term.lstrip("-")
        terms.append(f"x.{projection[name]} {'DESC' if term.startswith('-') else 'ASC'}")
    return ", ".join(terms)


async def plan_inbox(
    info: Info,
    page: QuerySet[Application],
    ordering: Sequence[str],
    size: int,
    count: AwaitableQuery[Any],
) -> tuple[list[Row], Any] | None:
    """The inbox's page (`page`: its filters, `ordering`, `size` + 1 rows) read together
    with what the selection will load for its first `size` applications and, when
    `totalCount` is selected, the value `count` reads (read_inbox); None when the planner
    is off or the selection needs nothing beyond the page."""
    if not enabled(info):
        return None
    selected = selected_names(info._raw_info)
    names = inbox_parts(selected)
    counted = count if "totalCount" in selected else None
    if not names and counted is None:
        return None
    return await read_inbox(info.context.loaders, page, ordering, size, names, counted)


def _sql_of(*queries: AwaitableQuery[Any]) -> tuple[list[str], list[Any]]:
    """The queries' SQL as Tortoise writes it, their parameters numbered in one sequence
    (for one statement that holds them all)."""
    parameterizer = Parameterizer()
    texts = []
    for query in queries:
        # what `query.sql()` does before it writes the SQL, which is written here once, in
        # the shared sequence (the pinned tortoise-orm's AwaitableQuery)
        query._choose_db_if_not_chosen()
        query._make_query()
        context = query.query.QUERY_CLS.SQL_CONTEXT.copy(parameterizer=parameterizer)
        texts.append(query.query.get_sql(context))
    return texts, parameterizer.values


async def read_inbox(
    loaders: Loaders,
    page: QuerySet[Application],
    ordering: Sequence[str],
    size: int,
    names: Sequence[str],
    count: AwaitableQuery[Any] | None = None,
) -> tuple[list[Row], Any]:
    """The inbox's page (read_page), the named parts for its first `size` applications
    and what `count` reads, in one statement. Returns the page's rows, equal to
    `page.values(*APPLICATION_FIELDS)`, and the count (None without `count`), having
    primed the loaders."""
    page_rows, total, rows = await read_page(
        page,
        APPLICATION_FIELDS,
        ordering,
        size,
        names,
        count,
        ids="project_id",
        assigned="assigned_to_id",
    )
    first = page_rows[:size]
    prime(loaders, sorted({r["project_id"] for r in first}), rows, [r["id"] for r in first])
    return page_rows, total


@cache
def _project_fields() -> tuple[str, ...]:
    """The keys of `Project...values()`, in its order (known once Tortoise is set up)."""
    meta = Project._meta
    return tuple(k for k in meta.fields_map if k in meta.fields_db_projection)


async def plan_project_page(
    info: Info, page: QuerySet[Project], size: int, count: AwaitableQuery[Any]
) -> tuple[list[Row], Any] | None:
    """The `projects` root's page (`page`: the visible projects' filters, newest first,
    `size` + 1 rows) read together with what the selection will load for its first `size`
    projects and, when `totalCount` is selected, the value `count` reads, in one
    statement (read_page). Returns the page's rows, equal to `page.values()`, and the
    count (None when not selected), having primed the loaders; None when the planner is
    off."""
    if not enabled(info):
        return None
    selected = selected_names(info._raw_info)
    names = parts_for(selected, projects=False) if selected & NESTED else []
    counted = count if "totalCount" in selected else None
    page_rows, total, rows = await read_page(
        page, _project_fields(), ["-id"], size, names, counted, ids="id"
    )
    loaders = info.context.loaders
    first = page_rows[:size]
    loaders.prime_projects(first)
    prime(loaders, [r["id"] for r in first], rows)
    return page_rows, total


async def read_page(
    page: QuerySet[Any],
    keys: Sequence[str],
    ordering: Sequence[str],
    size: int,
    names: Sequence[str],
    count: AwaitableQuery[Any] | None,
    *,
    ids: str,
    assigned: str = "id",
) -> tuple[list[Row], Any, dict[str, list[Row]]]:
    """A page of a root list (`page`: its filters, `ordering`, `size` + 1 rows), the
    named parts for its first `size` rows and what `count` reads (a query of one row and
    column), in one statement: the page's own query, as Tortoise writes it, is the
    statement's first part, so that which rows the page holds is decided by the same
    filters. The parts are read for the projects that the page's column `ids` names (and
    the people its column `assigned` names, for the part of that name). The page's rows
    are the statement's rows (its columns as the driver gives them, through what
    Tortoise's `.values()` applies), in the page's order; the count and the parts are
    columns of its first row (of a row of NULLs when the page is empty). Returns the
    page's rows, equal to `page.values(*keys)`, the count (None without `count`) and
    the parts' rows."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    model = page.model
    (page_sql, *count_sql), params = _sql_of(page.values("id"), *([count] if count else []))
    values = page.values(*keys)
    projection = model._meta.fields_db_projection
    table = model._meta.db_table
    shown = f"SELECT q.{{}} FROM numbered q WHERE q.n <= {int(size)}"
    once = [
        f"CASE WHEN q.n IS NULL OR q.n = 1 THEN {sql} END"
        for sql in (
            *(f"({sql})" for sql in count_sql),
            *_subqueries(
                dialect,
                tuple(names),
                _member(dialect, shown.format(ids)),
                _member(dialect, shown.format(assigned)),
            ),
        )
    ]
    numbered = ", ".join(
        f"x.{projection[key]} AS {key}" for key in dict.fromkeys(("id", ids, assigned))
    )
    columns = ", ".join(f"x.{projection[key]}" for key in keys)
    sql = (
        f"WITH page AS ({page_sql}), numbered AS (SELECT {numbered}, "
        f"row_number() OVER (ORDER BY {_order_sql(model, ordering)}) AS n "
        f"FROM {table} x WHERE x.id IN (SELECT id FROM page)) "
        f"SELECT {', '.join(['q.n', *once, columns])} "
        "FROM (SELECT 1 AS one) o LEFT JOIN numbered q ON 1 = 1 "
        f"LEFT JOIN {table} x ON x.id = q.id ORDER BY q.n"
    )
    _, result = await conn.execute_query(sql, params)
    stats.read += 1
    first_row = result[0]
    extra = len(once)
    convert = [(key, values.resolve_to_python_value(model, key)) for key in keys]
    page_rows: list[Row] = []
    if first_row[0] is not None:
        for record in result:
            page_rows.append(
                {
                    key: to_python(record[1 + extra + i])
                    for i, (key, to_python) in enumerate(convert)
                }
            )
    total = first_row[1] if count_sql else None
    parts = _parts(dialect)
    offset = 1 + len(count_sql)
    rows = {name: _rows(parts[name], first_row[offset + i]) for i, name in enumerate(names)}
    return page_rows, total, rows
