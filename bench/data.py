"""The benchmark's data set: N projects x 10 applications in the app's real schema.

`luukku migrate` and `luukku catalogue load` create the schema and the catalogue; the rest is
bulk SQL (INSERT ... SELECT over generate_series), shaped like what the actions write:

- people: customers (each owns a few projects; some represent a company that owns projects)
  and, per authority of the catalogue, 3 handlers and 1 admin; every person has a bearer
  token `lk_bench_<salt>_<person id>`, stored as its SHA-256 hex like `token_issue` does;
- projects spread over the municipalities served by local authorities, in the two service
  bundles, with complete shared data (so that their applications can be submitted);
- 10 applications per project, one per permit type offered in the municipality (the
  bundle's own first), content valid against the permit type's form, addressed to the
  permit type's authority, following a status path of models/statuses.py with one
  status_change row per transition, `version` counting the changes, `submitted_at` set
  once submitted, handlers assigned once in progress, supplement requests and decisions
  where the path has them;
- threads as the actions create them (one per project, one per application) and messages
  between customers and handlers.

Helper tables live in the schema `bench` (PostGraphile serves `public` only).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from actions.demo import example_content as demo_example_content
from actions.inbox_counts import COUNT_ALL_SQL
from models.statuses import FINAL

ROOT = Path(__file__).resolve().parent.parent
LUUKKU = str(Path(sys.executable).parent / "luukku")

APPS_PER_PROJECT = 10
HANDLERS_PER_AUTHORITY = 3
#: projects at the end of the id range whose applications all wait in NOT_STARTED: the
#: live-tracking runs change their statuses
LIVE_PROJECTS = 4

Log = Callable[[str], None]


@dataclass(frozen=True)
class Path_:
    """A status path: the statuses an application went through, and who moved it."""

    name: str
    weight: int
    steps: tuple[str, ...]
    actors: tuple[str, ...]  # C = the customer, A = the addressed authority
    is_shared: bool = False
    assigned: bool = False
    decision: bool = False
    supplement: str = ""  # "", "open", "answered"
    extra_versions: int = 0  # changes that are not status changes (content, share, assign)


#: Weights in percent. Versions: create = 1, then +1 per change (content saved, shared,
#: submitted, assigned, each status change).
PATHS: tuple[Path_, ...] = (
    Path_("draft", 12, ("DRAFT",), ("C",), extra_versions=1),
    Path_("draft-shared", 3, ("DRAFT",), ("C",), is_shared=True, extra_versions=2),
    Path_("submitted", 20, ("DRAFT", "NOT_STARTED"), ("C", "C"), extra_versions=1),
    Path_(
        "in-progress",
        25,
        ("DRAFT", "NOT_STARTED", "IN_PROGRESS"),
        ("C", "C", "A"),
        assigned=True,
        extra_versions=2,
    ),
    Path_(
        "information-requested",
        8,
        ("DRAFT", "NOT_STARTED", "IN_PROGRESS", "INFORMATION_REQUESTED"),
        ("C", "C", "A", "A"),
        assigned=True,
        supplement="open",
        extra_versions=2,
    ),
    Path_(
        "supplemented",
        7,
        ("DRAFT", "NOT_STARTED", "IN_PROGRESS", "INFORMATION_REQUESTED", "IN_PROGRESS"),
        ("C", "C", "A", "A", "C"),
        assigned=True,
        supplement="answered",
        extra_versions=2,
    ),
    Path_(
        "approved",
        15,
        ("DRAFT", "NOT_STARTED", "IN_PROGRESS", "APPROVED"),
        ("C", "C", "A", "A"),
        assigned=True,
        decision=True,
        extra_versions=2,
    ),
    Path_(
        "partially-approved",
        3,
        ("DRAFT", "NOT_STARTED", "IN_PROGRESS", "PARTIALLY_APPROVED"),
        ("C", "C", "A", "A"),
        assigned=True,
        decision=True,
        extra_versions=2,
    ),
    Path_(
        "rejected",
        3,
        ("DRAFT", "NOT_STARTED", "IN_PROGRESS", "REJECTED"),
        ("C", "C", "A", "A"),
        assigned=True,
        decision=True,
        extra_versions=2,
    ),
    Path_("withdrawn", 4, ("DRAFT", "NOT_STARTED", "WITHDRAWN"), ("C", "C", "C"), extra_versions=1),
)
assert sum(p.weight for p in PATHS) == 100

#: Share of projects per service bundle (the rest are renewable-energy projects).
PUBLIC_EVENT_SHARE = 0.6
#: More projects in the big cities (the weight is also proportional to the local permit types).
CITY_WEIGHT = {"091": 3.0, "837": 2.0, "564": 1.5}
CITY = {
    "091": ("Helsinki", "00100", 60.17, 24.94),
    "837": ("Tampere", "33100", 61.50, 23.76),
    "564": ("Oulu", "90100", 65.01, 25.47),
    "208": ("Kalajoki", "85100", 64.26, 23.95),
    "625": ("Pyhäjoki", "86100", 64.46, 24.26),
}


def server_url(dsn: str, database: str) -> str:
    """postgres://user@host:port/<database> from a server URL."""
    return (
        dsn.rstrip("/").rsplit("/", 1)[0] + "/" + database if _has_db(dsn) else f"{dsn}/{database}"
    )


def _has_db(dsn: str) -> bool:
    rest = dsn.split("://", 1)[1]
    return "/" in rest


def check_name(database: str) -> None:
    """Never touch a database that is not the benchmark's own."""
    if not database.startswith("luukku_bench") or not database.replace("_", "").isalnum():
        raise SystemExit(
            f"refusing to use database {database!r}: name must start with luukku_bench"
        )


async def recreate_database(server: str, database: str) -> None:
    check_name(database)
    conn = await asyncpg.connect(server_url(server, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()


async def drop_database(server: str, database: str) -> None:
    check_name(database)
    conn = await asyncpg.connect(server_url(server, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()


def run_cli(database_url: str, *args: str, timeout: float = 600) -> str:
    """`luukku <args>` with DATABASE_URL set; raises with its output on failure."""
    env = {**os.environ, "DATABASE_URL": database_url, "LUUKKU_ENV": "production"}
    try:
        result = subprocess.run(
            [LUUKKU, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise SystemExit(f"`luukku {' '.join(args)}` timed out after {timeout:.0f} s") from exc
    if result.returncode != 0:
        raise SystemExit(
            f"`luukku {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result.stdout.strip()


# --- filling columns the harness does not know about ----------------------------------------

_ZERO = {
    "jsonb": "'{}'::jsonb",
    "json": "'{}'::json",
    "boolean": "false",
    "integer": "0",
    "bigint": "0",
    "smallint": "0",
    "double precision": "0",
    "real": "0",
    "numeric": "0",
    "text": "''",
    "character varying": "''",
    "timestamp with time zone": "now()",
    "timestamp without time zone": "now()",
    "date": "current_date",
    "uuid": "gen_random_uuid()",
}


async def missing_columns(
    conn: asyncpg.Connection, table: str, given: set[str], log: Log
) -> tuple[str, str]:
    """NOT NULL columns without a default that the harness does not set (added by a newer
    migration): ", col, ..." and ", value, ..." with a zero value of their type."""
    rows = await conn.fetch(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = $1 AND is_nullable = 'NO'
             AND column_default IS NULL""",
        table,
    )
    cols, values = [], []
    for row in rows:
        name = row["column_name"]
        if name in given:
            continue
        zero = _ZERO.get(row["data_type"])
        if zero is None:
            raise SystemExit(
                f"table {table} has a new NOT NULL column {name} ({row['data_type']}) "
                "that bench/data.py cannot fill; add it there"
            )
        log(f"  note: {table}.{name} is not known to the harness; filled with {zero}")
        cols.append(name)
        values.append(zero)
    if not cols:
        return "", ""
    return ", " + ", ".join(cols), ", " + ", ".join(values)


# --- example content, as the demo seeds it ---------------------------------------------------

# Plausible form content, the same as the demo's (checked against the schema before use).
example_content = demo_example_content


def check_valid(schema: dict[str, Any], document: Any, what: str) -> None:
    from models.forms import validate

    errors = validate(schema, document, draft=False)
    if errors:
        raise SystemExit(f"bench/data.py: generated {what} is invalid: {errors[:3]}")


# --- business ids ---------------------------------------------------------------------------

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_ids(count: int, start: int = 2_000_000) -> list[str]:
    """`count` valid, distinct Finnish business ids (Y-tunnus)."""
    result: list[str] = []
    number = start
    while len(result) < count:
        digits = f"{number:07d}"
        number += 1
        remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
        if remainder == 1:
            continue
        result.append(f"{digits}-{0 if remainder == 0 else 11 - remainder}")
    return result


# --- the build ------------------------------------------------------------------------------


@dataclass
class Built:
    projects: int
    applications: int
    seconds: float
    sizes: dict[str, int]
    salt: str
    #: `luukku statistics rebuild` over the generated status history
    statistics_s: float = 0.0


def _authority_serves(auth: asyncpg.Record, municipality: str, is_aland: bool) -> bool:
    if auth["scope"] == "NATIONAL":
        return not is_aland
    return municipality in json.loads(auth["municipalities"])


async def _catalogue_plan(conn: asyncpg.Connection) -> tuple[list[dict[str, Any]], list[Any]]:
    """Project kinds (municipality x bundle, with weights) and their 10 permit-type slots."""
    municipalities = await conn.fetch(
        "SELECT code, is_aland, name->>'fi' AS name FROM municipality ORDER BY code"
    )
    authorities = await conn.fetch(
        "SELECT id, code, scope, municipalities::text AS municipalities FROM organisation "
        "WHERE kind = 'AUTHORITY'"
    )
    by_id = {a["id"]: a for a in authorities}
    permit_types = await conn.fetch(
        "SELECT id, code, authority_id, bundles::text AS bundles, form_schema::text AS form "
        "FROM permit_type ORDER BY sort_order, id"
    )
    bundles = {r["code"]: r["id"] for r in await conn.fetch("SELECT id, code FROM service_bundle")}
    shared_schema_row = await conn.fetchval(
        "SELECT document::text FROM catalogue_document WHERE key = 'shared_data_schema'"
    )
    shared_schema = json.loads(shared_schema_row) if shared_schema_row else {"type": "object"}
    contents: dict[int, str] = {}
    for pt in permit_types:
        schema = json.loads(pt["form"])
        content = example_content(schema)
        check_valid(schema, content, f"content of {pt['code']}")
        contents[pt["id"]] = json.dumps(content, ensure_ascii=False)
    kinds: list[dict[str, Any]] = []
    slots: list[Any] = []
    for m in municipalities:
        offered = [
            pt
            for pt in permit_types
            if _authority_serves(by_id[pt["authority_id"]], m["code"], m["is_aland"])
        ]
        local = [pt for pt in offered if by_id[pt["authority_id"]]["scope"] != "NATIONAL"]
        if len(offered) < APPS_PER_PROJECT or len(local) < 3:
            continue
        for bundle_code, share in (
            ("public-event", PUBLIC_EVENT_SHARE),
            ("renewable-energy", 1 - PUBLIC_EVENT_SHARE),
        ):
            if bundle_code not in bundles:
                continue
            own = [pt for pt in offered if bundle_code in json.loads(pt["bundles"])]
            rest = [pt for pt in offered if pt not in own]
            chosen = (own + rest)[:APPS_PER_PROJECT]
            city, postal, lat, lon = CITY.get(m["code"], (m["name"], "33900", 61.6, 23.6))
            shared = example_content(shared_schema)
            if isinstance(shared.get("address"), dict):
                shared["address"].update({"city": city, "postalCode": postal})
            check_valid(shared_schema, shared, "shared data")
            kind_id = len(kinds) + 1
            kinds.append(
                {
                    "kind_id": kind_id,
                    "municipality": m["code"],
                    "bundle_id": bundles[bundle_code],
                    "bundle": bundle_code,
                    "weight": len(local) * share * CITY_WEIGHT.get(m["code"], 1.0),
                    "lat": lat,
                    "lon": lon,
                    "city": city,
                    "shared": json.dumps(shared, ensure_ascii=False),
                }
            )
            for slot, pt in enumerate(chosen, start=1):
                slots.append((kind_id, slot, pt["id"], pt["authority_id"], contents[pt["id"]]))
    if not kinds:
        raise SystemExit("the catalogue has no municipality with 10 permit types offered")
    total = sum(k["weight"] for k in kinds)
    lo = 0
    for i, k in enumerate(kinds):
        span = round(1000 * k["weight"] / total) if i < len(kinds) - 1 else 1000 - lo
        k["lo"], k["hi"] = lo, lo + span - 1
        lo += span
    return kinds, slots


SETUP_SQL = """
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.meta (key text PRIMARY KEY, value jsonb NOT NULL);
CREATE TABLE bench.kind (kind_id int PRIMARY KEY, municipality text, bundle_id int, lo int, hi int,
                         lat float8, lon float8, city text, shared jsonb);
CREATE TABLE bench.kind_of (v int PRIMARY KEY, kind_id int);
CREATE TABLE bench.slot (kind_id int, slot int, permit_type_id int, authority_id int, content jsonb,
                         PRIMARY KEY (kind_id, slot));
CREATE TABLE bench.path (path_id int PRIMARY KEY, name text, status text, steps text[], actors text[],
                         is_shared bool, submitted bool, assigned bool, decision bool, supplement text,
                         version int, is_final bool);
CREATE TABLE bench.path_of (v int PRIMARY KEY, path_id int);
CREATE TABLE bench.handler (authority_id int, k int, person_id int, PRIMARY KEY (authority_id, k));
CREATE TABLE bench.admin (authority_id int PRIMARY KEY, person_id int);
CREATE TABLE bench.customer (person_id int PRIMARY KEY, organisation_id int);
"""


def _h(expr: str, modulo: int) -> str:
    """A well-spread, non-negative hash of an integer expression, modulo `modulo`."""
    return f"(((hashint4({expr})::bigint % {modulo}) + {modulo}) % {modulo})::int"


async def build(server: str, database: str, projects: int, log: Log) -> Built:
    """Drop and recreate `database`, then fill it with `projects` projects."""
    started = time.monotonic()
    url = server_url(server, database)
    log(f"data: recreating database {database}")
    await recreate_database(server, database)
    log("data: luukku migrate")
    log("  " + run_cli(url + "?minsize=1&maxsize=2", "migrate"))
    log("data: luukku catalogue load")
    log("  " + run_cli(url + "?minsize=1&maxsize=2", "catalogue", "load"))
    conn = await asyncpg.connect(url)
    try:
        salt = secrets.token_hex(6)
        await conn.execute("SET synchronous_commit = off")
        await conn.execute("SET maintenance_work_mem = '512MB'")
        await conn.execute("SET work_mem = '64MB'")
        await conn.execute(SETUP_SQL)
        await conn.execute(
            "INSERT INTO bench.meta VALUES ('projects', $1::jsonb), ('salt', $2::jsonb)",
            json.dumps(projects),
            json.dumps(salt),
        )
        kinds, slots = await _catalogue_plan(conn)
        await conn.executemany(
            "INSERT INTO bench.kind VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)",
            [
                (
                    k["kind_id"],
                    k["municipality"],
                    k["bundle_id"],
                    k["lo"],
                    k["hi"],
                    k["lat"],
                    k["lon"],
                    k["city"],
                    k["shared"],
                )
                for k in kinds
            ],
        )
        await conn.execute(
            "INSERT INTO bench.kind_of SELECT v, k.kind_id FROM generate_series(0, 999) v "
            "JOIN bench.kind k ON v BETWEEN k.lo AND k.hi"
        )
        await conn.executemany("INSERT INTO bench.slot VALUES ($1, $2, $3, $4, $5::jsonb)", slots)
        rows = []
        v = 0
        path_of = []
        for i, p in enumerate(PATHS, start=1):
            version = 1 + (len(p.steps) - 1) + p.extra_versions
            rows.append(
                (
                    i,
                    p.name,
                    p.steps[-1],
                    list(p.steps),
                    list(p.actors),
                    p.is_shared,
                    "NOT_STARTED" in p.steps,
                    p.assigned,
                    p.decision,
                    p.supplement,
                    version,
                    p.steps[-1] in FINAL,
                )
            )
            for _ in range(p.weight):
                path_of.append((v, i))
                v += 1
        await conn.executemany(
            "INSERT INTO bench.path VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            rows,
        )
        await conn.executemany("INSERT INTO bench.path_of VALUES ($1, $2)", path_of)
        await _people(conn, projects, salt, log)
        await _bulk(conn, projects, log)
        log("data: VACUUM ANALYZE")
        await conn.execute("VACUUM ANALYZE")
        log("data: luukku statistics rebuild (processing times from the status history)")
        rebuilt = time.monotonic()
        log("  " + run_cli(url + "?minsize=1&maxsize=2", "statistics", "rebuild"))
        statistics_s = time.monotonic() - rebuilt
        log(f"  {statistics_s:.1f} s")
        await conn.execute("ANALYZE processing_case")
        await conn.execute("ANALYZE processing_histogram")
        await conn.execute("CHECKPOINT")
        sizes = {
            r["relname"]: r["bytes"]
            for r in await conn.fetch(
                "SELECT c.relname, pg_total_relation_size(c.oid) AS bytes FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC"
            )
        }
        sizes["(database)"] = await conn.fetchval("SELECT pg_database_size(current_database())")
        applications = await conn.fetchval("SELECT count(*) FROM application")
    finally:
        await conn.close()
    seconds = time.monotonic() - started
    log(f"data: {projects} projects, {applications} applications in {seconds:.0f} s")
    return Built(projects, applications, seconds, sizes, salt, statistics_s)


async def _people(conn: asyncpg.Connection, projects: int, salt: str, log: Log) -> None:
    """Customers, companies and their representatives, handlers and admins, tokens."""
    log("data: people, organisations, memberships, tokens")
    customers = max(4, projects // 4)
    companies = max(2, projects // 50)
    authorities = await conn.fetch(
        "SELECT id, code FROM organisation WHERE kind = 'AUTHORITY' ORDER BY id"
    )
    extra_person, _ = await missing_columns(
        conn,
        "person",
        {"id", "name", "email", "language", "is_operator", "is_active", "created_at"},
        log,
    )
    if extra_person:
        raise SystemExit("person has new NOT NULL columns; extend bench/data.py (_people)")
    people: list[tuple[Any, ...]] = []
    for i in range(1, customers + 1):
        people.append((i, f"Asiakas {i}", f"asiakas{i}@bench.luukku.example", "fi"))
    # (is_operator, is_active, created_at) are added below, once every row is known
    handler_rows: list[tuple[int, int, int]] = []
    admin_rows: list[tuple[int, int]] = []
    pid = customers
    for auth in authorities:
        for k in range(HANDLERS_PER_AUTHORITY):
            pid += 1
            people.append(
                (
                    pid,
                    f"Käsittelijä {k + 1} {auth['code']}",
                    f"h{k + 1}.{auth['code']}@bench.luukku.example",
                    "fi",
                )
            )
            handler_rows.append((auth["id"], k, pid))
        pid += 1
        people.append(
            (pid, f"Pääkäyttäjä {auth['code']}", f"admin.{auth['code']}@bench.luukku.example", "fi")
        )
        admin_rows.append((auth["id"], pid))
    since = datetime.now(UTC) - timedelta(days=800)
    await conn.copy_records_to_table(
        "person",
        records=[(*row, False, True, since) for row in people],
        columns=["id", "name", "email", "language", "is_operator", "is_active", "created_at"],
    )
    first_company = (await conn.fetchval("SELECT max(id) FROM organisation")) + 1
    org_cols, org_vals = await missing_columns(
        conn,
        "organisation",
        {"id", "kind", "code", "name", "business_id", "municipalities", "created_at"},
        log,
    )
    await conn.execute(
        f"""INSERT INTO organisation (id, kind, code, name, business_id, municipalities, created_at{org_cols})
            SELECT $1::int + i, 'COMPANY', NULL,
                   jsonb_build_object('fi', n, 'sv', n, 'en', n), b, '[]'::jsonb,
                   now() - interval '800 days'{org_vals}
            FROM unnest($2::text[]) WITH ORDINALITY AS t(b, i0)
            CROSS JOIN LATERAL (SELECT (i0 - 1)::int AS i, 'Yritys ' || i0 || ' Oy' AS n) x""",
        first_company,
        business_ids(companies),
    )
    await conn.executemany("INSERT INTO bench.handler VALUES ($1, $2, $3)", handler_rows)
    await conn.executemany("INSERT INTO bench.admin VALUES ($1, $2)", admin_rows)
    # customers: person i; company k (0-based) is represented by persons 2k+1 and 2k+2
    await conn.execute(
        """INSERT INTO bench.customer
           SELECT i, CASE WHEN (i - 1) / 2 < $2 THEN $3 + (i - 1) / 2 END
           FROM generate_series(1, $1) i""",
        customers,
        companies,
        first_company,
    )
    mem_cols, mem_vals = await missing_columns(
        conn, "membership", {"person_id", "organisation_id", "role", "created_at"}, log
    )
    await conn.execute(
        f"""INSERT INTO membership (person_id, organisation_id, role, created_at{mem_cols})
            SELECT person_id, organisation_id, 'CUSTOMER_REPRESENTATIVE', now(){mem_vals}
              FROM bench.customer WHERE organisation_id IS NOT NULL
            UNION ALL
            SELECT person_id, authority_id, 'AUTHORITY_HANDLER', now(){mem_vals} FROM bench.handler
            UNION ALL
            SELECT person_id, authority_id, 'AUTHORITY_ADMIN', now(){mem_vals} FROM bench.admin"""
    )
    tok_cols, tok_vals = await missing_columns(
        conn, "api_token", {"token_hash", "kind", "label", "person_id", "created_at"}, log
    )
    await conn.execute(
        f"""INSERT INTO api_token (token_hash, kind, label, person_id, created_at{tok_cols})
            SELECT encode(sha256(convert_to('lk_bench_' || $1 || '_' || id, 'UTF8')), 'hex'),
                   'PERSONAL', 'bench', id, now(){tok_vals}
            FROM person""",
        salt,
    )
    await conn.execute(
        "INSERT INTO bench.meta VALUES ('customers', $1::jsonb), ('companies', $2::jsonb)",
        json.dumps(customers),
        json.dumps(companies),
    )


def token(salt: str, person_id: int) -> str:
    return f"lk_bench_{salt}_{person_id}"


async def _secondary_indexes(conn: asyncpg.Connection, tables: list[str]) -> list[str]:
    """Definitions of the indexes of `tables` that back no constraint (dropped during the load)."""
    rows = await conn.fetch(
        """SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
           WHERE t.relname = ANY($1::text[]) AND t.relnamespace = 'public'::regnamespace
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        tables,
    )
    for row in rows:
        await conn.execute(f"DROP INDEX {row['name']}")
    return [row["def"] for row in rows]


async def _timed(conn: asyncpg.Connection, what: str, sql: str, log: Log, *args: Any) -> None:
    started = time.monotonic()
    status = await conn.execute(sql, *args)
    log(f"  {what}: {status.split()[-1]} rows in {time.monotonic() - started:.1f} s")


async def _bulk(conn: asyncpg.Connection, n: int, log: Log) -> None:
    big = [
        "project",
        "application",
        "status_change",
        "thread",
        "message",
        "decision",
        "supplement_request",
    ]
    log("data: bulk load (foreign-key triggers off for the load, secondary indexes rebuilt after)")
    indexes = await _secondary_indexes(conn, big)
    # Consistent by construction; FK triggers would cost minutes at 1,000,000 applications.
    await conn.execute("SET session_replication_role = replica")
    live_from = n - LIVE_PROJECTS + 1
    not_started = next(i for i, p in enumerate(PATHS, start=1) if p.steps[-1] == "NOT_STARTED")
    not_started_v = sum(p.weight for p in PATHS[: not_started - 1])
    customers = await conn.fetchval("SELECT (value)::int FROM bench.meta WHERE key = 'customers'")
    companies = await conn.fetchval("SELECT (value)::int FROM bench.meta WHERE key = 'companies'")
    first_company = await conn.fetchval("SELECT min(id) FROM organisation WHERE kind = 'COMPANY'")

    cols, vals = await missing_columns(
        conn,
        "project",
        {
            "id",
            "name",
            "description",
            "latitude",
            "longitude",
            "area",
            "starts_on",
            "ends_on",
            "shared_data",
            "version",
            "created_at",
            "updated_at",
            "bundle_id",
            "created_by_id",
            "municipality_id",
            "owner_organisation_id",
            "owner_person_id",
        },
        log,
    )
    await _timed(
        conn,
        "project",
        f"""INSERT INTO project (id, name, description, latitude, longitude, area, starts_on, ends_on,
              shared_data, version, created_at, updated_at, bundle_id, created_by_id, municipality_id,
              owner_organisation_id, owner_person_id{cols})
            SELECT p, 'Hanke ' || p || ' – ' || k.city,
                   'Hankkeen ' || p || ' kuvaus: tapahtuma tai rakennushanke, ' || k.city || '.',
                   k.lat + ((p % 97) - 48) * 0.001, k.lon + ((p % 89) - 44) * 0.001, NULL,
                   (c.created_at + interval '90 days')::date, (c.created_at + interval '93 days')::date,
                   k.shared, 1 + p % 3, c.created_at, c.created_at + interval '2 days',
                   k.bundle_id, o.created_by, k.municipality, o.org, o.person{vals}
            FROM generate_series(1, $1::int) p
            JOIN bench.kind_of ko ON ko.v = {_h("p", 1000)}
            JOIN bench.kind k ON k.kind_id = ko.kind_id
            CROSS JOIN LATERAL (SELECT now() - interval '730 days' * (1 - p::float8 / $1) AS created_at) c
            CROSS JOIN LATERAL (
              SELECT CASE WHEN p % 5 = 0 THEN NULL ELSE 1 + p % $2::int END AS person,
                     CASE WHEN p % 5 = 0 THEN $4::int + (p / 5) % $3::int END AS org,
                     CASE WHEN p % 5 = 0 THEN 2 * ((p / 5) % $3::int) + 1 ELSE 1 + p % $2::int END
                       AS created_by) o""",
        log,
        n,
        customers,
        companies,
        first_company,
    )
    # the path and handler of each application, used by every statement below
    await _timed(
        conn,
        "bench.app (plan)",
        f"""CREATE UNLOGGED TABLE bench.app AS
            SELECT (pr.id - 1) * {APPS_PER_PROJECT} + s.slot AS id, pr.id AS project_id, s.slot,
                   s.permit_type_id, s.authority_id, s.content,
                   pa.path_id, h.person_id AS handler_id, pr.created_by_id AS customer_id,
                   pr.owner_organisation_id AS customer_org,
                   pr.created_at + s.slot * interval '7 minutes' AS created_at
            FROM project pr
            JOIN bench.kind_of ko ON ko.v = {_h("pr.id", 1000)}
            JOIN bench.slot s ON s.kind_id = ko.kind_id
            JOIN bench.path_of po ON po.v = CASE WHEN pr.id >= $1 THEN $2::int
                                                 ELSE {_h(f"pr.id * {APPS_PER_PROJECT} + s.slot", 100)} END
            JOIN bench.path pa ON pa.path_id = po.path_id
            JOIN bench.handler h ON h.authority_id = s.authority_id AND h.k = pr.id % {HANDLERS_PER_AUTHORITY}""",
        log,
        live_from,
        not_started_v,
    )
    await conn.execute("ALTER TABLE bench.app ADD PRIMARY KEY (id)")
    await conn.execute("ANALYZE bench.app")

    cols, vals = await missing_columns(
        conn,
        "application",
        {
            "id",
            "project_id",
            "permit_type_id",
            "authority_id",
            "status",
            "is_shared",
            "content",
            "origin",
            "certainty",
            "version",
            "created_by_id",
            "created_at",
            "updated_at",
            "submitted_at",
            "submitted_by_id",
            "assigned_to_id",
            "assigned_at",
            "notice_email",
            "final_at",
        },
        log,
    )
    # step i (1-based) of a path happens (i - 1) days and a few hours after creation
    await _timed(
        conn,
        "application",
        f"""INSERT INTO application (id, project_id, permit_type_id, authority_id, status, is_shared,
              content, origin, certainty, version, created_by_id, created_at, updated_at,
              submitted_at, submitted_by_id, assigned_to_id, assigned_at, notice_email, final_at{cols})
            SELECT a.id, a.project_id, a.permit_type_id, a.authority_id, pa.status, pa.is_shared,
                   a.content, CASE WHEN a.slot <= 6 THEN 'SURVEY' ELSE 'MANUAL' END,
                   CASE WHEN a.slot <= 4 THEN 'CERTAIN' WHEN a.slot <= 6 THEN 'POSSIBLE' END,
                   pa.version, a.customer_id, a.created_at,
                   a.created_at + (cardinality(pa.steps) - 1) * interval '1 day' + interval '3 hours',
                   CASE WHEN pa.submitted THEN a.created_at + interval '1 day' END,
                   CASE WHEN pa.submitted THEN a.customer_id END,
                   CASE WHEN pa.assigned THEN a.handler_id END,
                   CASE WHEN pa.assigned THEN a.created_at + interval '2 days' - interval '1 hour' END,
                   NULL,
                   CASE WHEN pa.is_final THEN a.created_at + (cardinality(pa.steps) - 1) * interval '1 day' END{vals}
            FROM bench.app a JOIN bench.path pa USING (path_id) ORDER BY a.id""",
        log,
    )
    cols, vals = await missing_columns(
        conn,
        "status_change",
        {
            "from_status",
            "to_status",
            "actor_id",
            "actor_label",
            "acting_for_id",
            "comment",
            "created_at",
            "application_id",
        },
        log,
    )
    await _timed(
        conn,
        "status_change",
        f"""INSERT INTO status_change (application_id, from_status, to_status, actor_id, actor_label,
              acting_for_id, comment, created_at{cols})
            SELECT a.id, CASE WHEN st.i > 1 THEN pa.steps[st.i - 1] END, st.status, who.id, who.name,
                   CASE WHEN pa.actors[st.i] = 'A' THEN a.authority_id ELSE a.customer_org END,
                   CASE st.status WHEN 'INFORMATION_REQUESTED' THEN 'Lisäselvitys tarvitaan liitteistä.'
                                  WHEN 'APPROVED' THEN 'Hyväksytty ehdoin.'
                                  WHEN 'PARTIALLY_APPROVED' THEN 'Hyväksytty osittain.'
                                  WHEN 'REJECTED' THEN 'Hylätty puutteiden vuoksi.'
                                  ELSE '' END,
                   a.created_at + (st.i - 1) * interval '1 day'{vals}
            FROM bench.app a
            JOIN bench.path pa USING (path_id)
            CROSS JOIN LATERAL unnest(pa.steps) WITH ORDINALITY AS st(status, i)
            JOIN person who ON who.id = CASE WHEN pa.actors[st.i] = 'A' THEN a.handler_id ELSE a.customer_id END
            ORDER BY a.id, st.i""",
        log,
    )
    cols, vals = await missing_columns(
        conn, "thread", {"id", "project_id", "application_id", "created_at"}, log
    )
    await _timed(
        conn,
        "thread",
        f"""INSERT INTO thread (id, project_id, application_id, created_at{cols})
            SELECT id, id, NULL, created_at{vals} FROM project
            UNION ALL
            SELECT $1::int + id, project_id, id, created_at{vals} FROM bench.app""",
        log,
        n,
    )
    cols, vals = await missing_columns(
        conn,
        "message",
        {"thread_id", "author_id", "author_label", "acting_for_id", "body", "created_at"},
        log,
    )
    await _timed(
        conn,
        "message",
        f"""INSERT INTO message (thread_id, author_id, author_label, acting_for_id, body, created_at{cols})
            SELECT m.thread_id, who.id, who.name, m.acting_for, m.body, m.at{vals}
            FROM (
              -- the project thread: the customer asks, the authority of the first submitted
              -- application answers (or the customer adds a note)
              SELECT a.project_id AS thread_id, a.customer_id AS author, a.customer_org AS acting_for,
                     'Tervetuloa hankkeen yhteiseen keskusteluun. Aikataulu on liitteenä.' AS body,
                     a.created_at + interval '1 day' AS at, 1 AS ord
              FROM bench.app a WHERE a.slot = 1
              UNION ALL
              SELECT a.project_id, CASE WHEN pa.submitted THEN a.handler_id ELSE a.customer_id END,
                     CASE WHEN pa.submitted THEN a.authority_id ELSE a.customer_org END,
                     'Kiitos, otamme hankkeen käsittelyyn.', a.created_at + interval '2 days', 2
              FROM bench.app a JOIN bench.path pa USING (path_id) WHERE a.slot = 1
              UNION ALL
              -- an application's thread: a question once submitted, the handler's answer once handled
              SELECT $1::int + a.id, a.customer_id, a.customer_org,
                     'Onko hakemuksessa kaikki tarvittava?', a.created_at + interval '1 day 2 hours', 3
              FROM bench.app a JOIN bench.path pa USING (path_id) WHERE pa.submitted
              UNION ALL
              SELECT $1::int + a.id, a.handler_id, a.authority_id,
                     'Hakemus on käsittelyssä, palaamme asiaan.', a.created_at + interval '2 days 2 hours', 4
              FROM bench.app a JOIN bench.path pa USING (path_id) WHERE pa.assigned
            ) m
            JOIN person who ON who.id = m.author
            ORDER BY m.thread_id, m.ord""",
        log,
        n,
    )
    cols, vals = await missing_columns(
        conn,
        "decision",
        {
            "application_id",
            "outcome",
            "decided_on",
            "summary",
            "document_reference",
            "is_shared",
            "recorded_by_id",
            "recorded_by_label",
            "created_at",
        },
        log,
    )
    await _timed(
        conn,
        "decision",
        f"""INSERT INTO decision (application_id, outcome, decided_on, summary, document_reference,
              is_shared, recorded_by_id, recorded_by_label, created_at{cols})
            SELECT a.id, pa.status, (a.created_at + (cardinality(pa.steps) - 1) * interval '1 day')::date,
                   'Päätös hakemukseen ' || a.id || ': ' || lower(pa.status) || '.', 'DNR/' || a.id,
                   a.id % 10 <> 0, h.id, h.name,
                   a.created_at + (cardinality(pa.steps) - 1) * interval '1 day'{vals}
            FROM bench.app a JOIN bench.path pa USING (path_id) JOIN person h ON h.id = a.handler_id
            WHERE pa.decision ORDER BY a.id""",
        log,
    )
    cols, vals = await missing_columns(
        conn,
        "supplement_request",
        {
            "application_id",
            "message",
            "due_date",
            "requested_by_id",
            "requested_by_label",
            "created_at",
            "answered_at",
            "answered_by_id",
            "answer_message",
        },
        log,
    )
    await _timed(
        conn,
        "supplement_request",
        f"""INSERT INTO supplement_request (application_id, message, due_date, requested_by_id,
              requested_by_label, created_at, answered_at, answered_by_id, answer_message{cols})
            SELECT a.id, 'Lisäselvitys tarvitaan liitteistä.', (a.created_at + interval '17 days')::date,
                   h.id, h.name, a.created_at + interval '3 days',
                   CASE WHEN pa.supplement = 'answered' THEN a.created_at + interval '4 days' END,
                   CASE WHEN pa.supplement = 'answered' THEN a.customer_id END,
                   CASE WHEN pa.supplement = 'answered' THEN 'Liitteet lisätty.' END{vals}
            FROM bench.app a JOIN bench.path pa USING (path_id) JOIN person h ON h.id = a.handler_id
            WHERE pa.supplement <> '' ORDER BY a.id""",
        log,
    )
    await _timed(conn, "inbox_count", COUNT_ALL_SQL, log)
    await conn.execute("SET session_replication_role = origin")
    log(f"data: rebuilding {len(indexes)} secondary indexes")
    started = time.monotonic()
    for definition in indexes:
        await conn.execute(definition)
    log(f"  indexes in {time.monotonic() - started:.1f} s")
    for table in [
        "person",
        "organisation",
        "project",
        "application",
        "status_change",
        "thread",
        "message",
        "decision",
        "supplement_request",
        "membership",
        "api_token",
    ]:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )
    await conn.execute("ALTER TABLE bench.app SET LOGGED")


if __name__ == "__main__":  # python -m bench.data <projects> [database]
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    name = sys.argv[2] if len(sys.argv) > 2 else "luukku_bench"
    asyncio.run(build("postgres://postgres@127.0.0.1:5432", name, count, print))
