"""The planner's one statement gives the loaders exactly the rows they read themselves.

Exactly: the same keys in the same order, and values of the same type and repr (a datetime
with the same tzinfo, a date, a str where Tortoise gives the enum's str, a bool where SQLite
stores an integer, decoded JSON, a float to its last bit), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from tortoise import connections
from tortoise.fields import DatetimeField
from tortoise.timezone import _reset_timezone_cache

from models import Application, Project, StatusChange
from resolvers import planned
from resolvers.loaders import Loaders
from resolvers.planned import Column, Part
from tests.factories import make_customer, make_project
from tests.permissions.world import State, build_world
from tests.sqlcount import count_queries

MISSING = 987_654


def exact(value: Any) -> Any:
    """A value as a comparable structure that keeps types, key order and reprs."""
    if isinstance(value, dict):
        return ("dict", [(k, exact(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [exact(v) for v in value])
    return (type(value).__name__, repr(value))


def difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two `exact` structures first differ."""
    if isinstance(a, tuple) and isinstance(b, tuple) and isinstance(a[1], list):
        if a[0] != b[0] or not isinstance(b[1], list) or len(a[1]) != len(b[1]):
            return f"{path}: {a} != {b}"
        for i, (x, y) in enumerate(zip(a[1], b[1], strict=True)):
            if a[0] == "dict":
                if x[0] != y[0]:
                    return f"{path}: key {x[0]} != {y[0]}"
                found = difference(x[1], y[1], f"{path}.{x[0]}")
            else:
                found = difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a} != {b}"


async def loaded(loaders: Loaders, project_ids: list[int]) -> Any:
    """What the loaders give for the projects and everything the planner primes."""
    projects = await loaders.project.load_many(project_ids)
    applications = await loaders.applications_by_project.load_many(project_ids)
    app_ids = [a["id"] for rows in applications for a in rows]
    people = {p["owner_person_id"] for p in projects if p and p["owner_person_id"]}
    people |= {a["assigned_to_id"] for rows in applications for a in rows if a["assigned_to_id"]}
    changes = await loaders.status_changes_by_application.load_many(app_ids)
    people |= {c["actor_id"] for rows in changes for c in rows if c["actor_id"]}
    messages = await loaders.messages_by_project.load_many(project_ids)
    organisations = {p["owner_organisation_id"] for p in projects if p}
    organisations |= {c["acting_for_id"] for rows in changes for c in rows}
    organisations |= {m["acting_for_id"] for rows in messages for m in rows}
    return exact(
        {
            "projects": projects,
            "applications": applications,
            "application": await loaders.application.load_many(app_ids),
            "statements": await loaders.statements_by_project.load_many(project_ids),
            "changes": changes,
            "decisions": await loaders.decision_by_application.load_many(app_ids),
            "threads": await loaders.threads_by_project.load_many(project_ids),
            "messages": messages,
            "people": await loaders.person.load_many(sorted(people)),
            "organisations": await loaders.organisation.load_many(
                sorted(o for o in organisations if o)
            ),
        }
    )


async def test_planned_rows_equal_the_loaders_rows(db: str) -> None:
    worlds = [await build_world(state) for state in State]
    customer = await make_customer()
    own = await make_project(customer, location=(60.123456789012345, 24.000000000000004))
    await make_project(customer, starts_on=None, location=None, shared_data={})
    await Project.filter(id=own).update(area={"type": "Point", "coordinates": [1.5, 2]})
    ids = [w.project_id for w in worlds] + [own, own + 1, MISSING]
    assert await StatusChange.filter(application__project_id__in=ids).count() > 10
    assert await Application.filter(project_id__in=ids, is_shared=True).exists()
    assert await Project.filter(id__in=ids, owner_organisation_id__not_isnull=True).exists()

    expected = await loaded(Loaders(), ids)

    primed = Loaders()
    names = ["project", *planned.ALWAYS, *planned.WHEN_SELECTED]
    with count_queries() as counter:
        planned.prime(primed, ids, await planned.read(ids, names))
    assert counter.count == 1, counter.statements
    with count_queries() as counter:
        got = await loaded(primed, ids)
    assert counter.statements == []  # every row came from the one statement
    assert got == expected, difference(got, expected)


async def test_no_rows_for_missing_projects(db: str) -> None:
    rows = await planned.read([MISSING], ["project", *planned.ALWAYS, *planned.WHEN_SELECTED])
    assert all(part == [] for part in rows.values())


@pytest.mark.parametrize("use_tz", ["True", "False"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Helsinki"])
def test_a_timestamp_converts_as_tortoise_converts_the_drivers_datetime(
    monkeypatch: pytest.MonkeyPatch, use_tz: str, zone: str
) -> None:
    """PostgreSQL's JSON writes a timestamptz in the session's offset; the one-step
    conversion gives what asyncpg's aware datetime becomes through DatetimeField, at both
    settings of Tortoise's USE_TZ and in another default time zone."""
    monkeypatch.setenv("USE_TZ", use_tz)
    monkeypatch.setenv("TIMEZONE", zone)
    _reset_timezone_cache()
    try:
        field = DatetimeField()
        ((_, convert),) = Part("t", (Column("at", "x", planned._Datetime),), "").converted()
        for text in ("2026-03-29T00:30:00.000123+02:00", "2026-10-25T01:15:00+00:00", None):
            driver = None if text is None else datetime.fromisoformat(text).astimezone(UTC)
            assert exact(convert(text)) == exact(field.to_python_value(driver))
    finally:
        monkeypatch.undo()
        _reset_timezone_cache()


def test_an_enum_value_converts_as_tortoise_converts_it() -> None:
    field = Application._meta.fields_map["status"]
    convert = planned._enum(field)
    for value in ("DRAFT", "APPROVED", None):
        assert exact(convert(value)) == exact(field.to_python_value(value))
    with pytest.raises(ValueError):
        convert("NO_SUCH_STATUS")


@pytest.mark.postgres
async def test_the_planned_statement_keeps_a_generic_plan_on_postgresql(db: str) -> None:
    """A prepared statement is planned for its parameters five times, then PostgreSQL keeps
    its generic plan if that is estimated to cost no more than those did. The ids reach
    the statement through a subquery, so that their value changes no estimate and it
    does (planning it for every execution cost three times executing it)."""
    customer = await make_customer()
    project_id = await make_project(customer)
    names = ("project", *planned.ALWAYS, *planned.WHEN_SELECTED)
    sql = planned.statement("postgres", names)
    costs = {}
    async with connections.get("default").acquire_connection() as conn:
        await conn.execute(f"PREPARE planned_read(int[]) AS {sql}")
        try:
            for mode in ("force_custom_plan", "force_generic_plan"):
                await conn.execute(f"SET plan_cache_mode = {mode}")
                plan = await conn.fetchval(
                    f"EXPLAIN (FORMAT JSON) EXECUTE planned_read('{{{project_id}}}')"
                )
                costs[mode] = orjson.loads(plan)[0]["Plan"]["Total Cost"]
        finally:
            await conn.execute("DEALLOCATE planned_read")
            await conn.execute("RESET plan_cache_mode")
    # PostgreSQL adds to each custom plan's cost an estimate of planning it (1,000 ×
    # cpu_operator_cost per relation, here more than 50): within 1 % the generic plan wins
    # (with `= ANY($1)`, the custom plan of one project is estimated 30 % cheaper)
    assert costs["force_generic_plan"] <= costs["force_custom_plan"] * 1.01, costs
