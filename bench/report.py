"""The results file: bench/results/YYYY-MM-DD.md, from the run's results."""

from __future__ import annotations

from typing import Any

#: The Python packages whose versions a results file names (bench/run.py reads them).
PACKAGES = (
    "strawberry-graphql",
    "graphql-core",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "tortoise-orm",
    "pypika-tortoise",
    "asyncpg",
    "orjson",
    "websockets",
    "broadcaster",
    "redis",
)


def _f(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value != value:  # NaN
            return "–"
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _mb(value: int) -> str:
    return f"{value / 2**20:,.0f} MB"


def _ok(met: bool | None) -> str:
    return "–" if met is None else ("met" if met else "**not met**")


TARGETS = {
    "a:luukku": "(a) overview, Luukku",
    "a:floor": "(a) overview, floor (asyncpg + Starlette)",
    "a:postgraphile": "(a) overview, PostGraphile",
    "b:luukku": "(b) customer's projects, Luukku",
    "c:luukku": "(c) handler's inbox, Luukku (largest authority)",
    "c2:luukku": "(c) handler's inbox, Luukku (typical authority)",
}


def markdown(r: dict[str, Any]) -> str:
    out: list[str] = []
    add = out.append
    args = r["args"]
    m = r["machine"]
    add(f"# Luukku benchmark, {r['date']}\n")
    if "failed" in r:
        add(f"**The run failed:** {r['failed']}\n")
    add("Produced by `make bench` (`python -m bench.run`); how to read it: bench/README.md.\n")
    add("## Machine, versions, settings\n")
    add("| | |\n|---|---|")
    add(
        f"| machine | {m['nproc']} cores ({m['cpu']}), {m['memory_gb']} GB RAM, Linux {m['kernel']} |"
    )
    add(
        f"| load average (1, 5, 15 min) | at start {m['loadavg_start']}; at end {m.get('loadavg_end', '–')} |"
    )
    v = r.get("versions", {})
    if v:
        add(f"| Python | {v.get('python')} |")
        add("| Python packages | " + ", ".join(f"{k} {v[k]}" for k in PACKAGES if k in v) + " |")
        add(
            f"| PostgreSQL | {v.get('postgresql')} ({v.get('pg_settings')}), shared with other work |"
        )
        add(f"| Redis | {v.get('redis-server')} |")
        add(
            f"| Node, PostGraphile | Node {v.get('node')}, PostGraphile {r.get('reads', {}).get('postgraphile_version', '4.14.1')} (graphql 15), simplify inflector, simple lists, NODE_ENV=production |"
        )
        add(
            f"| load generator | {v.get('wrk')}, `-t2 -c{args['connections']}`, on the same machine (loopback) |"
        )
    d = r.get("data", {})
    counts = r.get("actors", {}).get("counts", {})
    if counts:
        size = d.get("sizes", {}).get("(database)")
        built = "" if d.get("reused") else f"; built in {d.get('seconds', 0):.0f} s"
        add(
            f"| data | N = {_f(counts['projects'])} projects, {_f(counts['applications'])} applications"
            + (f", database {_mb(size)}" if size else "")
            + built
            + " |"
        )
        a = r["actors"]["authority"]
        add(
            f"| actors | (a), (c): handlers of `{a['code']}` ({_f(counts['authority_applications'])} applications, "
            f"{_f(counts['inbox_total'])} open in its inbox); (a) picks one of {_f(r['actors']['overview_projects'])} of its projects "
            f"at random; (b): {_f(r['actors']['customers_sampled'])} customers at random"
            + (
                f"; (c) typical: handlers of `{r['actors']['typical']['code']}` ({_f(r['actors']['typical']['open'])} open)"
                if r["actors"].get("typical")
                else ""
            )
            + " |"
        )
    add(
        f"| runs | {args['rounds']} interleaved rounds x {args['duration']:g} s per target at {args['connections']} connections "
        f"(after a warm-up), {args['latency_rounds']} rounds at 1 connection; writes {args['write_seconds']:g} s per phase "
        f"at {args['write_concurrency']} clients; Luukku `serve --workers 1`, LUUKKU_ENV=production |"
    )
    add("")

    reads = r.get("reads")
    if reads:
        add("## Read paths (wrk)\n")
        add(
            f"Medians of {args['rounds']} runs at {args['connections']} connections, [min–max]. "
            "CPU per request: server process(es) and all of PostgreSQL. "
            "*Other CPU*: the machine's busy time not used by the server, PostgreSQL's long-lived processes or wrk, "
            "as a share of one core: other work on the shared machine, and PostgreSQL's short-lived parallel query "
            "workers (when a plan uses parallel scans). "
            "*PG xacts/req*: transactions PostgreSQL counted (pg_stat_database) per request.\n"
        )
        add(
            "| read path | req/s | p50 ms | p99 ms | server CPU ms/req | PG CPU ms/req | PG xacts/req | other CPU | failed |"
        )
        add("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for key, label in TARGETS.items():
            s = reads["loaded"].get(key)
            if not s:
                continue
            add(
                f"| {label} | **{_f(s['rps'])}** [{_f(s['rps_min'])}–{_f(s['rps_max'])}] | {_f(s['p50_ms'], 1)} | "
                f"{_f(s['p99_ms'], 1)} [{_f(s['p99_min'], 0)}–{_f(s['p99_max'], 0)}] | {_f(s['server_ms_per_req'], 2)} | "
                f"{_f(s['pg_ms_per_req'], 2)} | {_f(s['xacts_per_req'], 1)} | {_f(s['other_cpu_share'], 2)} | {s['failures']} |"
            )
        ratio = reads["ratios"]
        per = ratio["per_round"]
        add("")
        add(
            f"**Ratios for (a)** (median req/s): Luukku / floor = **{ratio['luukku_floor']:.3f}** "
            f"(per round {min(x['floor'] for x in per):.3f}–{max(x['floor'] for x in per):.3f}); "
            f"Luukku / PostGraphile = **{ratio['luukku_postgraphile']:.3f}** "
            f"(per round {min(x['postgraphile'] for x in per):.3f}–{max(x['postgraphile'] for x in per):.3f}).\n"
        )
        b = reads["check"]["bytes"]
        add(
            f"Response sizes of (a) (median): Luukku {_f(b['luukku'])} B, floor {_f(b['floor'])} B (identical JSON, checked on "
            f"{reads['check']['same']} projects), PostGraphile {_f(b['postgraphile'])} B (its own field names; "
            "localized names as whole JSON objects).\n"
        )
        add("### Latency at 1 connection (≈ server time per request, plus loopback)\n")
        add("| read path | p50 ms | p99 ms | req/s |")
        add("|---|---:|---:|---:|")
        for key, label in TARGETS.items():
            s = reads["latency"].get(key)
            if s:
                add(f"| {label} | {_f(s['p50_ms'], 2)} | {_f(s['p99_ms'], 2)} | {_f(s['rps'])} |")
        add("")

    sql = r.get("sql")
    if sql:
        add("## SQL statements per request (in-process count, `tortoise.db_client` at DEBUG)\n")
        sizes = list(sql)
        names = [x["name"] for x in sql[sizes[0]]]
        add("| request | " + " | ".join(f"N = {_f(int(s))}" for s in sizes) + " | constant |")
        add("|---|" + "---:|" * len(sizes) + "---|")
        for i, name in enumerate(names):
            values = [sql[s][i]["count"] for s in sizes]
            add(
                f"| {name} | "
                + " | ".join(str(x) for x in values)
                + f" | {'yes' if len(set(values)) == 1 else '**no**'} |"
            )
        add("")
        add("The statements, in order:\n")
        for row in sql[sizes[-1]]:
            add(f"- {row['name']}: " + ", ".join(f"`{t}`" for t in row.get("tables", [])))
        add("")

    w = r.get("writes")
    if w:
        s, h = w["submissions"], w["status_changes"]
        add("## Write path (GraphQL mutations, sustained)\n")
        add(
            "| phase | completed/s | requests/s | p50 / p99 ms per mutation | lost | duplicated | wrong state | user errors |"
        )
        add("|---|---:|---:|---|---:|---:|---:|---|")
        lat = "; ".join(
            f"{k} {_f(x['p50_ms'])} / {_f(x['p99_ms'])}" for k, x in s["latency"].items()
        )
        add(
            f"| submissions (create + update + submit), {s['concurrency']} customers, {s['seconds']:.0f} s | "
            f"**{_f(s['submissions_per_s'], 1)}** | {_f(s['mutations_per_s'], 1)} | {lat} | {s['lost']} | {s['duplicated']} | "
            f"{s['wrong_state']} | {s['user_errors'] or 'none'} |"
        )
        lat = "; ".join(f"{_f(x['p50_ms'])} / {_f(x['p99_ms'])}" for x in h["latency"].values())
        add(
            f"| status changes (NOT_STARTED → IN_PROGRESS), {h['concurrency']} handlers, {h['seconds']:.0f} s; "
            f"{h['contested']} sent twice at once | **{_f(h['status_changes_per_s'], 1)}** | {_f(h['requests_per_s'], 1)} | "
            f"{lat} | {h['lost']} | {h['duplicated']} | {h['wrong_state']} | {h['user_errors'] or 'none'} |"
        )
        add("")
        add(
            f"Server CPU: {s['server_cpu_s'] / max(1, s['submissions']) * 1000:.1f} ms per submission (3 mutations), "
            f"{h['server_cpu_s'] / max(1, h['status_changes']) * 1000:.1f} ms per status change; PostgreSQL "
            f"{s['postgres_cpu_s'] / max(1, s['submissions']) * 1000:.1f} and "
            f"{h['postgres_cpu_s'] / max(1, h['status_changes']) * 1000:.1f} ms. Checked in the database afterwards: "
            "every acknowledged mutation is there exactly once (versions, history rows, threads), nothing else was written"
            + (
                f"; the inbox counts kept by the actions differ from counting the applications for "
                f"**{h['inbox_counts_off']}** (authority, status) keys"
                if "inbox_counts_off" in h
                else ""
            )
            + ".\n"
        )
        failures = s["failures"] + h["failures"]
        if failures:
            add("Failures seen: " + "; ".join(f"`{x}`" for x in failures[:5]) + "\n")

    st = r.get("stats")
    if st:
        ex = st["explain"]
        add("## Processing-time statistics and the permit plan\n")
        add(
            f"{ex['cases']} processing cases ({ex['decided_cases']} decided) in "
            f"{ex['histogram_rows']} histogram rows; `luukku statistics rebuild` over the whole "
            f"status history took {_f((r.get('data') or {}).get('statistics_s') or st.get('rebuild_s'), 1)} s.\n"
        )
        add("| | median ms | max ms | statements |")
        add("|---|---:|---:|---:|")
        add(
            f"| window read (cold; PostgreSQL {_f(ex['execution_ms'], 1)} ms) | "
            f"{st['window_read']['median_ms']} | {st['window_read']['max_ms']} | 1 |"
        )
        q = st["statistics_query"]
        add(
            f"| processingStatistics, all permit types, cold | {q['cold']['median_ms']} | {q['cold']['max_ms']} | 1 |"
        )
        add(
            f"| processingStatistics, warm (STATS_CACHE_SECONDS) | {q['warm']['median_ms']} | "
            f"{q['warm']['max_ms']} | {q['statements_warm']} |"
        )
        pl = st["plan_query"]
        add(
            f"| project {{ plan }} (a handler, {pl['n']} projects) | {pl['median_ms']} | {pl['max_ms']} | "
            f"{', '.join(map(str, pl['statements']))} |"
        )
        if "without_plan" in pl:
            add(
                f"| the same projects without the plan (interleaved) | {pl['without_plan']['median_ms']} | "
                f"{pl['without_plan']['max_ms']} | 3 |"
            )
        add("")

    ob = r.get("outbox")
    if ob:
        add("## Outbox (notices and deliveries)\n")
        add(
            "One worker (batch 50, sent concurrently) against a real SMTP server (aiosmtpd) and a real "
            "HTTP endpoint (uvicorn) on 127.0.0.1 that accept everything at once; then items written one at "
            "a time in their own transaction, timed from the commit to their arrival.\n"
        )
        add("| | items | seconds | items/s | arrived |")
        add("|---|---:|---:|---:|---:|")
        for kind in ("delivery", "email"):
            x = ob[kind]
            add(
                f"| {kind} | {x['items']} | {_f(x['seconds'], 1)} | **{_f(x['per_s'])}** | {x['arrived']} |"
            )
        add("")
        add("| commit → arrival | kind | p50 ms | p99 ms | lost |")
        add("|---|---|---:|---:|---:|")
        for label, key in (
            ("worker in the same process (woken by the commit)", "latency_in_process"),
            (
                f"separate `luukku worker`, polling every {ob.get('separate_poll_ms', '?')} ms",
                "latency_separate_worker",
            ),
        ):
            for kind, x in ob.get(key, {}).items():
                add(f"| {label} | {kind} | {_f(x['p50_ms'])} | {_f(x['p99_ms'])} | {x['lost']} |")
        add("")

    lv = r.get("live")
    if lv:
        add("## Live tracking (projectActivity fan-out, graphql-transport-ws)\n")
        add(
            "Latency: from the commit (the moment another connection first sees the new status, polled every "
            "millisecond) to the frame's arrival at each subscriber; all receipts of all events. "
            f"Subscribers {'offer permessage-deflate like browsers' if lv['compression'] else 'without permessage-deflate'}; "
            "they are Python processes on the same 2 cores.\n"
        )
        add(
            "| scenario | subscribers | events | p50 ms | p99 ms | max ms | from occurredAt p50 / p99 | lost | duplicated | "
            "KB per idle subscription | RSS before → idle | connect s |"
        )
        add("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|")
        for s in lv["scenarios"]:
            add(
                f"| {s['scenario']['name']} | {_f(s['subscribers'])} | {s['events']} | {_f(s['p50_ms'])} | **{_f(s['p99_ms'])}** | "
                f"{_f(s['max_ms'])} | {_f(s['p50_after_occurred_ms'])} / {_f(s['p99_after_occurred_ms'])} | **{s['lost']}** | "
                f"{s['duplicates']} | **{_f(s['kb_per_subscription'], 1)}** | {_f(s['rss_before_mb'])} → {_f(s['rss_idle_mb'])} MB "
                f"({s['workers']} process{'es' if s['workers'] > 1 else ''}) | {_f(s['connect_s'], 1)} |"
            )
        add("")
        for s in lv["scenarios"]:
            per = s.get("per_event", [])
            if per:
                add(
                    f"- {s['scenario']['name']}: per event p99 "
                    + ", ".join(f"{_f(e['p99_ms'])}" for e in per)
                    + " ms; the mutation itself took "
                    + ", ".join(f"{_f(e['mutation_ms'])}" for e in per)
                    + f" ms; occurredAt precedes the commit by {_f(min(e['occurred_to_commit_ms'] for e in per), 1)}–"
                    f"{_f(max(e['occurred_to_commit_ms'] for e in per), 1)} ms; server CPU {s['server_cpu_s']:.2f} s."
                    + (f" Closed sockets: {s['closed']}." if s["closed"] else "")
                )
        add("")

    add("## Targets\n")
    add("| target | measured | |")
    add("|---|---|---|")
    if reads:
        ratio = reads["ratios"]
        add(
            f"| (a) ≥ 0.5 × the raw floor's req/s | {ratio['luukku_floor']:.3f} × | {_ok(ratio['luukku_floor'] >= 0.5)} |"
        )
        add(
            f"| (a) ≥ 1.0 × PostGraphile's req/s | {ratio['luukku_postgraphile']:.3f} × | {_ok(ratio['luukku_postgraphile'] >= 1.0)} |"
        )
        for key, label in (
            ("b:luukku", "(b) customer's projects"),
            ("c:luukku", "(c) inbox, largest authority"),
            ("c2:luukku", "(c) inbox, typical authority"),
        ):
            c1 = reads["latency"].get(key)
            if c1:
                add(
                    f"| {label}: p99 ≤ 10 ms at 1 connection | {c1['p99_ms']:.1f} ms "
                    f"(p50 {c1['p50_ms']:.1f}) | {_ok(c1['p99_ms'] <= 10)} |"
                )
    if sql:
        constant = all(
            len({sql[s][i]["count"] for s in sql}) == 1 for i in range(len(sql[next(iter(sql))]))
        )
        add(
            f"| SQL statements constant in N | {', '.join(str(x['count']) for x in sql[next(iter(sql))])} | {_ok(constant)} |"
        )
    if lv:
        one = lv["scenarios"][0]
        add(
            f"| {one['subscribers']} subscribers on one worker: p99 ≤ 50 ms | {one['p99_ms']:.0f} ms | {_ok(one['p99_ms'] <= 50)} |"
        )
        add(
            f"| ≤ 30 KB per idle subscription | {one['kb_per_subscription']:.1f} KB | {_ok(one['kb_per_subscription'] <= 30)} |"
        )
        lost = sum(s["lost"] for s in lv["scenarios"])
        add(f"| 0 lost events (all scenarios) | {lost} | {_ok(lost == 0)} |")
    if w:
        bad = sum(
            w[k][x]
            for k in ("submissions", "status_changes")
            for x in ("lost", "duplicated", "wrong_state")
        )
        add(f"| 0 lost or duplicated writes | {bad} | {_ok(bad == 0)} |")
    add("")

    profiles = (reads or {}).get("profiles") or {}
    if lv and lv.get("profile"):
        profiles = {**profiles, "fan-out (1 worker)": lv["profile"]}
    if profiles:
        add("## Where Luukku's CPU goes (py-spy, 200 Hz, separate runs under the same load)\n")
        add(
            "Self time by layer (innermost frame), and inclusive time of selected functions, as a share of the samples.\n"
        )
        for name, p in profiles.items():
            total = max(1, p["samples"])
            layers = ", ".join(
                f"{layer} {100 * n / total:.0f}%"
                for layer, n in p["layers"]
                if n * 100 >= total * 2
            )
            funcs = ", ".join(
                f"{fn} {100 * n / total:.0f}%" for fn, n in p["functions"] if n * 100 >= total * 2
            )
            gc = p.get("gc")
            gc_text = ""
            if gc and p.get("server_cpu_s"):
                gc_text = (
                    f" Cyclic GC: {gc['seconds']:.2f} s of {p['server_cpu_s']:.2f} s server CPU "
                    f"(**{100 * gc['seconds'] / p['server_cpu_s']:.0f}%**), {gc['gen2_collections']:.0f} full collections "
                    f"taking {gc['gen2_seconds']:.2f} s, the longest {1000 * gc['longest']:.0f} ms."
                )
            add(
                f"- **{name}** ({p['samples']} samples). Layers: {layers}. Inclusive: {funcs}.{gc_text}"
            )
        add("")
    add(f"Elapsed: {r.get('elapsed_s', 0) / 60:.1f} min.\n")
    return "\n".join(out)
