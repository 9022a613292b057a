"""The `luukku` command line: `build_parser` lists every command (README.md, "Command line",
describes them). Commands that print for people say what they printed and when nothing
matched; `token create` prints the token alone on stdout so that scripts can capture it."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from app.db import close_db, ensure_database, init_db, migrate
from models.errors import DomainError, DomainErrors
from models.settings import Settings, get_settings
from notifications.bus import start_bus

#: uvicorn's WebSocket protocol with less memory per idle socket (app/wsprotocol.py)
WS_PROTOCOL = "app.wsprotocol:LightWebSocketProtocol"


def _ensure_sqlite_dir(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite://") and ":memory:" not in settings.database_url:
        Path(settings.database_url.removeprefix("sqlite://")).parent.mkdir(
            parents=True, exist_ok=True
        )


def _with_db(work: Callable[[], Awaitable[Any]]) -> Any:
    settings = get_settings()
    _ensure_sqlite_dir(settings)

    async def run() -> Any:
        await ensure_database(settings.database_url)
        await init_db(settings.database_url)
        bus = await start_bus(settings.broadcast_url)  # actions publish live events
        try:
            return await work()
        finally:
            await bus.disconnect()
            await close_db()

    return asyncio.run(run())


def cmd_migrate(args: argparse.Namespace) -> int:
    applied = _with_db(migrate)
    print("applied: " + (", ".join(applied) if applied else "nothing, the database is up to date"))
    return 0


def cmd_catalogue_load(args: argparse.Namespace) -> int:
    from actions.catalogue import load_catalogue

    counts = _with_db(load_catalogue)
    print("catalogue loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


#: The dates the README's walkthroughs use, as days from today (`<today+N>` in the README).
DEMO_DATE_OFFSETS = (0, 7, 60, 62)

DEMO_SYSTEM_AUTHORITY = "helsinki-public-areas"
DEMO_SYSTEM_KEY = "public-areas-system"


@dataclass(frozen=True)
class Demo:
    """What `luukku demo` prepared: the people's tokens, the projects, the demo system."""

    tokens: list[Any]
    projects: list[Any]
    system_secrets: list[str]
    seconds: float


def _prepare_demo(issuer_url: str | None = None) -> Demo:
    """Migrate, load the catalogue, seed the demo people and projects with fresh tokens, and
    point the demo authority system's deliveries at it (all idempotent); with the demo
    issuer's URL, each demo person is also known to it by their login."""
    from actions.catalogue import load_catalogue
    from actions.demo import demo_projects, seed_demo
    from actions.outbox import configure_authority_system

    settings = get_settings()
    system_url = f"http://127.0.0.1:{settings.demo_system_port}/events"
    started = time.monotonic()

    async def prepare() -> Demo:
        await migrate()
        await load_catalogue()
        tokens = await seed_demo()
        authority, _ = await configure_authority_system(
            DEMO_SYSTEM_AUTHORITY, system_url, rotate_secret=False
        )
        return Demo(
            tokens,
            await demo_projects(),
            list(authority.system_secrets),
            time.monotonic() - started,
        )

    if issuer_url is not None:
        demo: Demo = _with_db(lambda: _prepare_with_issuer(prepare, issuer_url))
    else:
        demo = _with_db(prepare)
    return demo


def _print_demo(demo: Demo, *, serving: bool) -> None:
    """Everything a newcomer needs: who is who, their tokens, the ids, dates and URLs."""
    settings = get_settings()
    out = ["", "Demo people (send a token as `Authorization: Bearer <token>`):", ""]
    for t in demo.tokens:
        out.append(f"  {t.name}  [{t.roles}]")
        if t.email:
            out.append(f"    e-mail  {t.email}")
        out.append(f"    {t.token}")
    for project in demo.projects:
        out += ["", f"Demo project {project.name!r} of {project.owner}", f"    id  {project.id}"]
        if project.starts_on:
            out.append(f"    starts  {project.starts_on.isoformat()}")
        for app in project.applications:
            out.append(f"    {app.permit_type}  {app.status}  version {app.version}  id {app.id}")
    today = date.today()
    dates = ", ".join(
        f"<today{'+' + str(n) if n else ''}> = {(today + timedelta(days=n)).isoformat()}"
        for n in DEMO_DATE_OFFSETS
    )
    out += ["", f"Dates in the README's examples: {dates}", ""]
    url = settings.public_base_url
    out.append(f"GraphiQL:  {url}/graphql")
    out.append('           open Headers and paste {"Authorization": "Bearer <token>"}')
    out.append(f"Health:    {url}/healthz")
    out.append(
        f"Demo authority system ({DEMO_SYSTEM_AUTHORITY}): "
        f"http://127.0.0.1:{settings.demo_system_port}/events"
    )
    mailbox = (
        f"sent through SMTP {settings.smtp_host}"
        if settings.smtp_configured
        else "kept in the database: `luukku mail`"
    )
    out.append(f"Mails:     {mailbox}")
    out.append(scanning_notice(settings))
    out.append(
        "CLI:       . .venv/bin/activate   puts `luukku` on your PATH (or type .venv/bin/luukku)"
    )
    out.append("Start over: make demo-reset   (forgets everything in the demo database)")
    out.append(f"Database:  {_safe_url(settings.database_url)}, ready in {demo.seconds:.1f} s")
    if serving:
        from app.graphiql import assets_installed

        if not assets_installed():
            out.append("note: GraphiQL assets missing; run `make graphiql` for the in-browser IDE.")
    print("\n".join(out) + "\n", flush=True)


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def cmd_demo_seed(args: argparse.Namespace) -> int:
    _print_demo(_prepare_demo(), serving=False)
    return 0


def cmd_demo_reset(args: argparse.Namespace) -> int:
    """Forget the demo: delete the SQLite database file (only SQLite: a PostgreSQL database
    is not dropped by a command meant for the demo)."""
    settings = get_settings()
    url = settings.database_url
    if not url.startswith("sqlite://") or ":memory:" in url:
        raise SystemExit(
            "luukku demo reset only deletes an SQLite demo database; "
            f"drop {_safe_url(url)} yourself if you mean it"
        )
    path = Path(url.removeprefix("sqlite://"))
    removed = [p for p in (path, *(Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal")))]
    removed = [p for p in removed if p.exists()]
    for p in removed:
        p.unlink()
    print(f"deleted {path}" if removed else f"nothing to delete: {path} does not exist")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Prepare the demo, then serve the API together with the demo authority system (which
    receives the Helsinki public-area permits' deliveries) and, unless AUTH_CONFIG is set,
    the demo's OpenID Connect issuer."""
    from app.demo_system import DemoSystem

    settings = get_settings()
    issuer = start_demo_issuer(settings) if not settings.auth_config else None
    try:
        demo = _prepare_demo(issuer.url if issuer is not None else None)
        _print_demo(demo, serving=True)
        if issuer is not None:
            _print_sign_in(settings, issuer.url)
        print("Serving; stop with Ctrl-C.\n", flush=True)
        token = next(t.token for t in demo.tokens if t.key == DEMO_SYSTEM_KEY)
        system = DemoSystem(
            secrets=demo.system_secrets, api_url=f"{settings.public_base_url}/graphql", token=token
        )
        asyncio.run(_serve_with_demo_system(settings, system))
    finally:
        if issuer is not None:
            issuer.stop()
    return 0


class DemoIssuer:
    """The demo's OpenID Connect issuer process (app/demo_issuer.py)."""

    def __init__(self, port: int, public_base_url: str) -> None:
        import subprocess

        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.demo_issuer",
                "--port",
                str(port),
                "--luukku",
                public_base_url,
            ]
        )

    def wait_ready(self, timeout: float = 60) -> None:
        import time

        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the demo issuer exited with {self.process.returncode}")
            try:
                if (
                    httpx.get(self.url + "/.well-known/openid-configuration", timeout=2).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit("the demo issuer did not start")

    def stop(self) -> None:
        import subprocess

        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_demo_issuer(settings: Settings) -> DemoIssuer:
    """Start the issuer and point this process's sign-in at it (unless AUTH_CONFIG is set)."""
    from actions.auth.config import override_auth_config, parse
    from app.demo_issuer import auth_settings

    issuer = DemoIssuer(settings.demo_issuer_port, settings.public_base_url)
    issuer.wait_ready()
    override_auth_config(parse(auth_settings(issuer.url), env={}))
    return issuer


async def _prepare_with_issuer(prepare: Callable[[], Awaitable[Any]], issuer_url: str) -> Any:
    """The demo data, and each demo person known to the demo issuer by their login."""
    from app.demo_issuer import people
    from models import Person
    from models.signin import PersonIdentity

    result = await prepare()
    for row in people():
        person = await Person.get_or_none(email=row["email"].lower())
        if person is not None:
            await PersonIdentity.get_or_create(
                issuer=issuer_url, subject=row["login"], defaults={"person_id": person.id}
            )
    return result


def _print_sign_in(settings: Settings, issuer_url: str) -> None:
    from app.demo_issuer import SYSTEM_CLIENT, SYSTEM_USER, demo_secret, password_of, people

    print(f"Sign in with a browser: {settings.public_base_url}/auth/login (issuer {issuer_url})")
    print("  users: " + ", ".join(f"{p['login']} / {password_of(p['login'])}" for p in people()))
    print(
        f"  a system's JWT: POST {issuer_url}/oauth/token grant_type=password "
        f"username={SYSTEM_USER} password={password_of(SYSTEM_USER)} scope=openid, "
        f"HTTP Basic {SYSTEM_CLIENT}:{demo_secret(SYSTEM_CLIENT)}\n",
        flush=True,
    )


async def _serve_with_demo_system(settings: Settings, system: Any) -> None:
    import uvicorn

    api = uvicorn.Server(
        uvicorn.Config(
            "app.main:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            access_log=False,
            log_level="info",
            ws=WS_PROTOCOL,
            ws_per_message_deflate=settings.ws_compression,
            ws_max_size=settings.ws_max_message_bytes,
            timeout_graceful_shutdown=settings.shutdown_timeout,
        )
    )
    demo = uvicorn.Server(
        uvicorn.Config(
            system.app(),
            host="127.0.0.1",
            port=settings.demo_system_port,
            access_log=False,
            log_level="warning",
            lifespan="off",
        )
    )
    await asyncio.gather(api.serve(), demo.serve())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    _ensure_sqlite_dir(settings)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=args.workers,
        proxy_headers=False,  # the app reads X-Forwarded-* itself, from TRUSTED_PROXIES only
        ws=WS_PROTOCOL,
        ws_per_message_deflate=settings.ws_compression,
        ws_max_size=settings.ws_max_message_bytes,
        timeout_graceful_shutdown=settings.shutdown_timeout,
        access_log=False,
        log_level="info",
    )
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from actions.identity import membership_add, person_create, token_issue
    from models import Organisation
    from models.enums import Role

    async def work() -> str | None:
        person = await person_create(
            args.name, args.email, args.language, is_operator=args.operator
        )
        if args.role:
            if args.authority:
                target = await Organisation.get_or_none(code=args.authority)
            else:
                target = await Organisation.get_or_none(business_id=args.business_id)
            if target is None:
                raise SystemExit("no such authority or organisation")
            await membership_add(person, target, Role(args.role))
        print(f"created person {person.id}: {person.name} <{person.email}>")
        return await token_issue(label=args.label or "cli", person=person) if args.token else None

    token = _with_db(work)
    if token:
        print(f"token: {token}")
    return 0


def cmd_org_create(args: argparse.Namespace) -> int:
    from actions.identity import organisation_create
    from models.enums import OrganisationKind

    org = _with_db(
        lambda: organisation_create(OrganisationKind(args.kind), args.name, args.business_id)
    )
    print(f"created organisation {org.id}: {args.name} ({org.business_id})")
    return 0


def _describe_token(token: Any, now: datetime) -> str:
    """One line about a token (never the token itself: only its hash is stored)."""
    if token.person_id is not None:
        owner = f"{token.person.name} <{token.person.email}>"
    else:
        owner = f"system of {token.organisation.code}"
    if token.revoked_at is not None:
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}"
    elif token.expires_at is not None and token.expires_at <= now:
        state = f"expired {token.expires_at:%Y-%m-%d}"
    elif token.expires_at is not None:
        state = f"active until {token.expires_at:%Y-%m-%d}"
    else:
        state = "active"
    return f"{token.id:>5}  {owner}  label {token.label!r}  {state}  (created {token.created_at:%Y-%m-%d})"


def cmd_token_create(args: argparse.Namespace) -> int:
    """Print the token alone on stdout (TOKEN=$(luukku token create ...)); what it is, and how
    to revoke it, on stderr."""
    from actions.identity import hash_token, token_issue
    from models import ApiToken, Organisation, Person

    expires = datetime.now(UTC) + timedelta(days=args.expires_days) if args.expires_days else None

    async def work() -> tuple[str, str]:
        if args.authority:
            authority = await Organisation.get_or_none(code=args.authority)
            if authority is None:
                raise SystemExit(f"no authority with code {args.authority}")
            token = await token_issue(label=args.label, authority=authority, expires_at=expires)
        else:
            person = await Person.get_or_none(email=args.email.strip().lower())
            if person is None:
                raise SystemExit(
                    f"no person with e-mail {args.email} (`luukku token list` shows who has tokens)"
                )
            token = await token_issue(label=args.label, person=person, expires_at=expires)
        row = await ApiToken.get(token_hash=hash_token(token)).prefetch_related(
            "person", "organisation"
        )
        kind = "API-client token" if args.authority else "bearer token"
        owner = (
            f"{row.person.name} <{row.person.email}>"
            if row.person is not None
            else f"the system of {args.authority}"
        )
        expiry = f"expires {row.expires_at:%Y-%m-%d}" if row.expires_at else "no expiry"
        about = (
            f"{kind} {row.id} for {owner}, label {row.label!r}, {expiry}; shown once. "
            f"Revoke: luukku token revoke {row.id}"
        )
        return token, about

    token, about = _with_db(work)
    print(about, file=sys.stderr)
    print(token)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from models import ApiToken

    now = datetime.now(UTC)

    async def work() -> list[Any]:
        query = ApiToken.all().prefetch_related("person", "organisation").order_by("id")
        if args.email:
            query = query.filter(person__email=args.email.strip().lower())
        if args.authority:
            query = query.filter(organisation__code=args.authority)
        if not args.all:
            query = query.filter(revoked_at=None)
        return [t for t in await query if args.all or t.expires_at is None or t.expires_at > now]

    tokens = _with_db(work)
    if not tokens:
        print("no tokens" + ("" if args.all else " (--all also lists revoked and expired ones)"))
    for token in tokens:
        print(_describe_token(token, now))
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    """Revoke by the id that `token create` and `token list` show, or by the token itself."""
    from actions.identity import TOKEN_PREFIX, hash_token, token_revoke
    from models import ApiToken

    given = args.token.strip()

    async def work() -> tuple[int | None, bool]:
        if given.startswith(TOKEN_PREFIX):
            row = await ApiToken.get_or_none(token_hash=hash_token(given))
            token_id = row.id if row is not None else None
        elif given.isdigit():
            token_id = int(given)
        else:
            raise SystemExit(f"give a token id (a number) or the token itself ({TOKEN_PREFIX}…)")
        if token_id is None:
            return None, False
        return token_id, await token_revoke(token_id, datetime.now(UTC))

    token_id, done = _with_db(work)
    settings = get_settings()
    if done and settings.broadcast_url.startswith("memory://"):
        print(
            f"token {token_id} revoked. API processes share no bus with this command "
            "(BROADCAST_URL=memory://): they refuse it within VIEWER_CACHE_SECONDS "
            f"({settings.viewer_cache_seconds:g} s) and close its live connections within "
            f"LIVE_RECHECK_SECONDS ({settings.live_recheck_seconds:g} s)"
        )
    elif done:
        print(f"token {token_id} revoked; every API process refuses it and closes its sockets now")
    else:
        print("no such active token (`luukku token list` shows them)", file=sys.stderr)
    return 0 if done else 1


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the outbox worker until SIGTERM or SIGINT (finishing the current batch)."""
    import signal

    from app.worker import OutboxWorker

    settings = get_settings()

    async def work() -> None:
        worker = OutboxWorker(settings)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        print(f"outbox worker {worker.id} started", flush=True)
        worker.start()
        await stop.wait()
        await worker.stop()
        print(
            f"outbox worker stopped: {worker.sent} sent, {worker.failed} failed attempts",
            flush=True,
        )

    _with_db(work)
    return 0


def cmd_mail(args: argparse.Namespace) -> int:
    """Print the mails kept instead of sent (no SMTP configured): the demo's mailbox."""
    from models import KeptMail

    async def work() -> list[Any]:
        query = KeptMail.all().order_by("-id")
        if args.to:
            query = query.filter(to__icontains=args.to)
        return list(reversed(await query.limit(args.last)))

    mails = _with_db(work)
    if not mails and args.to:
        print(f"no kept mails to addresses containing {args.to!r}")
    elif not mails:
        sent = " (SMTP_HOST is set: mails are sent, not kept)" if get_settings().smtp_host else ""
        print(f"no kept mails{sent}")
    for kept in mails:
        print(
            f"--- #{kept.id}  {kept.kept_at:%Y-%m-%d %H:%M:%S}  To: {kept.to}\nSubject: {kept.subject}\n"
        )
        print(kept.html if args.html else kept.text)
    return 0


def cmd_outbox_list(args: argparse.Namespace) -> int:
    """Newest first: e-mails sent (DELIVERED) or only kept (KEPT: no SMTP_HOST), deliveries,
    and what is pending or dead, with the last error."""
    from models import OutboxItem

    async def work() -> list[Any]:
        query = OutboxItem.all().order_by("-id")
        if args.status:
            query = query.filter(status=args.status)
        return list(await query.limit(args.last))

    items = _with_db(work)
    if not items:
        print(f"no {args.status} outbox items" if args.status else "the outbox is empty")
    for item in items:
        to = f" to {item.payload.get('to')}" if item.kind == "EMAIL" else ""
        when = (
            f"next attempt {item.next_attempt_at:%Y-%m-%d %H:%M:%S}"
            if item.status == "PENDING"
            else f"attempts {item.attempts}"
        )
        error = f"  last error: {item.last_error}" if item.last_error else ""
        print(f"#{item.id} {item.status:<9} {item.kind:<8} {item.topic}{to}  {when}{error}")
    return 0


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    from actions.outbox import retry

    if not args.ids and not args.all_dead:
        raise SystemExit("give item ids, or --all-dead")
    count = _with_db(lambda: retry(None if args.all_dead else list(args.ids)))
    print(f"{count} dead item(s) queued again")
    return 0


def scanning_notice(settings: Settings) -> str:
    if settings.attachment_scanner == "none":
        return (
            "Virus scanning: OFF (ATTACHMENT_SCANNER=none). Uploaded files are marked "
            "NOT_SCANNED and served unscanned; set ATTACHMENT_SCANNER=clamd://127.0.0.1:3310 "
            "(or clamd+unix:///run/clamav/clamd.ctl) to scan them."
        )
    return f"Virus scanning: {settings.attachment_scanner}"


def cmd_attachments_purge(args: argparse.Namespace) -> int:
    from actions.attachments import purge

    async def work() -> Any:
        from actions.storage import close_storage

        try:
            return await purge(args.days)
        finally:
            await close_storage()

    report = _with_db(work)
    print(
        f"removed the files of {report.drafts_files} attachment(s) of abandoned drafts and "
        f"{report.orphans} orphaned object(s) of failed uploads"
    )
    return 0


def cmd_inbox_recount(args: argparse.Namespace) -> int:
    from actions.inbox_counts import recount

    count = _with_db(recount)
    print(f"inbox counts rebuilt: {count} (authority, status) counts")
    return 0


def cmd_statistics_rebuild(args: argparse.Namespace) -> int:
    from actions.statistics import rebuild

    count = _with_db(rebuild)
    print(f"processing-time statistics rebuilt from the status history: {count} cases")
    return 0


def cmd_authority_system(args: argparse.Namespace) -> int:
    from actions.outbox import configure_authority_system

    authority, secret = _with_db(
        lambda: configure_authority_system(
            args.authority, args.endpoint, rotate_secret=args.rotate_secret
        )
    )
    print(f"{authority.code}: endpoint {authority.system_endpoint or '(none)'}")
    if secret:
        print(f"new signing secret (shown once): {secret}")
    return 0


def cmd_schema_export(args: argparse.Namespace) -> int:
    from schema.root import schema

    sdl = schema.as_str() + "\n"
    if args.path:
        Path(args.path).write_text(sdl, encoding="utf-8")
        print(f"wrote {args.path}")
    else:
        sys.stdout.write(sdl)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from models.outbox import OutboxStatus

    parser = argparse.ArgumentParser(prog="luukku", description="Luukku command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    catalogue = sub.add_parser("catalogue", help="the permit catalogue").add_subparsers(
        dest="what", required=True
    )
    catalogue.add_parser("load", help="load data/catalogue").set_defaults(func=cmd_catalogue_load)

    demo = sub.add_parser("demo", help="prepare the demo and serve it")
    demo.set_defaults(func=cmd_demo)
    demo_sub = demo.add_subparsers(dest="what")
    demo_sub.add_parser(
        "seed", help="prepare the demo (people, projects, fresh tokens) without serving"
    ).set_defaults(func=cmd_demo_seed)
    demo_sub.add_parser(
        "reset", help="delete the demo's SQLite database (make demo-reset, then make demo)"
    ).set_defaults(func=cmd_demo_reset)

    serve = sub.add_parser("serve", help="serve the API")
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    user = sub.add_parser("user", help="people").add_subparsers(dest="what", required=True)
    create = user.add_parser("create", help="create a person")
    create.add_argument("--name", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--language", default="fi", choices=["fi", "sv", "en"])
    create.add_argument("--operator", action="store_true")
    create.add_argument(
        "--role", choices=["CUSTOMER_REPRESENTATIVE", "AUTHORITY_HANDLER", "AUTHORITY_ADMIN"]
    )
    create.add_argument("--authority", help="authority code, for AUTHORITY_* roles")
    create.add_argument(
        "--business-id", help="organisation's Y-tunnus, for CUSTOMER_REPRESENTATIVE"
    )
    create.add_argument("--token", action="store_true", help="also issue a bearer token")
    create.add_argument("--label", default=None)
    create.set_defaults(func=cmd_user_create)

    org = sub.add_parser("org", help="organisations").add_subparsers(dest="what", required=True)
    org_create = org.add_parser("create", help="create a company or association")
    org_create.add_argument("--kind", choices=["COMPANY", "ASSOCIATION"], required=True)
    org_create.add_argument("--name", required=True)
    org_create.add_argument("--business-id", required=True)
    org_create.set_defaults(func=cmd_org_create)

    token = sub.add_parser("token", help="bearer tokens").add_subparsers(dest="what", required=True)
    token_create = token.add_parser("create", help="issue a token")
    who = token_create.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="for this person")
    who.add_argument("--authority", help="API-client token for this authority's system (code)")
    token_create.add_argument("--label", default="cli")
    token_create.add_argument("--expires-days", type=int, default=None)
    token_create.set_defaults(func=cmd_token_create)
    token_list = token.add_parser("list", help="list active tokens (never the tokens themselves)")
    token_list.add_argument("--email", help="only this person's tokens")
    token_list.add_argument("--authority", help="only this authority's API-client tokens")
    token_list.add_argument("--all", action="store_true", help="also revoked and expired ones")
    token_list.set_defaults(func=cmd_token_list)
    token_revoke = token.add_parser("revoke", help="revoke a token")
    token_revoke.add_argument(
        "token", help="its id (token create and token list show it) or the token"
    )
    token_revoke.set_defaults(func=cmd_token_revoke)

    sub.add_parser("worker", help="run the outbox worker").set_defaults(func=cmd_worker)

    mail = sub.add_parser("mail", help="read the mails kept when no SMTP server is configured")
    mail.add_argument("--to", default=None, help="only mails to addresses containing this")
    mail.add_argument("--last", type=int, default=20)
    mail.add_argument("--html", action="store_true", help="print the HTML part")
    mail.set_defaults(func=cmd_mail)

    outbox = sub.add_parser("outbox", help="notices and deliveries")
    outbox_sub = outbox.add_subparsers(dest="what", required=True)
    outbox_list = outbox_sub.add_parser("list", help="list outbox items, newest first")
    outbox_list.add_argument(
        "--status", choices=[status.value for status in OutboxStatus], default=None
    )
    outbox_list.add_argument("--last", type=int, default=50)
    outbox_list.set_defaults(func=cmd_outbox_list)
    outbox_retry = outbox_sub.add_parser("retry", help="queue dead items again")
    outbox_retry.add_argument("ids", nargs="*", type=int)
    outbox_retry.add_argument("--all-dead", action="store_true")
    outbox_retry.set_defaults(func=cmd_outbox_retry)

    inbox = sub.add_parser("inbox", help="the authorities' inboxes").add_subparsers(
        dest="what", required=True
    )
    inbox.add_parser(
        "recount", help="rebuild the inbox counts from the applications (after manual SQL)"
    ).set_defaults(func=cmd_inbox_recount)

    stats = sub.add_parser("statistics", help="processing-time statistics").add_subparsers(
        dest="what", required=True
    )
    stats.add_parser(
        "rebuild", help="recompute them from the status history (after manual SQL or a data load)"
    ).set_defaults(func=cmd_statistics_rebuild)

    attachments = sub.add_parser("attachments", help="uploaded files").add_subparsers(
        dest="what", required=True
    )
    purge = attachments.add_parser(
        "purge", help="delete the files of abandoned drafts and of failed uploads"
    )
    purge.add_argument(
        "--days",
        type=int,
        default=None,
        help="drafts untouched this long (default ATTACHMENT_DRAFT_RETENTION_DAYS, 180)",
    )
    purge.set_defaults(func=cmd_attachments_purge)
    system = sub.add_parser("authority-system", help="configure an authority system's deliveries")
    system.add_argument("--authority", required=True, help="authority code")
    system.add_argument("--endpoint", default=None, help="URL that receives the CloudEvents")
    system.add_argument("--rotate-secret", action="store_true", help="add a new signing secret")
    system.set_defaults(func=cmd_authority_system)

    schema = sub.add_parser("schema", help="the GraphQL schema").add_subparsers(
        dest="what", required=True
    )
    export = schema.add_parser("export", help="print or write the SDL")
    export.add_argument("path", nargs="?", default=None)
    export.set_defaults(func=cmd_schema_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (DomainError, DomainErrors) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
