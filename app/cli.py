"""The `luukku` command line.

luukku migrate                      apply database migrations
luukku catalogue load               load data/catalogue into the database
luukku demo                         migrate, load catalogue and demo people, print tokens, serve
luukku demo seed                    (re)create demo people and print fresh tokens
luukku serve [--workers N]          serve the API with uvicorn
luukku user create ...              create a person (optionally with a role)
luukku org create ...               create a company or association
luukku token create ...             issue a bearer token (person) or API-client token (authority)
luukku token revoke ID              revoke a token
luukku attachments purge [--days N] delete files of abandoned drafts and failed uploads
luukku schema export [PATH]         print or write the GraphQL SDL
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.db import close_db, ensure_database, init_db, migrate
from app.settings import Settings, get_settings
from models.errors import DomainError, DomainErrors
from notifications.bus import start_bus


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


def _print_tokens(tokens: list[Any]) -> None:
    settings = get_settings()
    print("\nDemo users and their bearer tokens (send as `Authorization: Bearer <token>`):\n")
    for t in tokens:
        print(f"  {t.name}  [{t.roles}]\n    {t.token}")
    print(f"\nGraphiQL: {settings.public_base_url}/graphql")
    print('In GraphiQL, open Headers and paste: {"Authorization": "Bearer <token>"}\n')


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from actions.demo import seed_demo

    _print_tokens(_with_db(seed_demo))
    return 0


DEMO_SYSTEM_AUTHORITY = "helsinki-public-areas"
DEMO_SYSTEM_KEY = "public-areas-system"


def cmd_demo(args: argparse.Namespace) -> int:
    """Migrate, load the catalogue and demo people, then serve the API together with the
    demo authority system (which receives the Helsinki public-area permits' deliveries)."""
    from actions.catalogue import load_catalogue
    from actions.demo import seed_demo
    from actions.outbox import configure_authority_system
    from app.demo_system import DemoSystem
    from app.graphiql import assets_installed

    settings = get_settings()
    system_url = f"http://127.0.0.1:{settings.demo_system_port}/events"

    async def prepare() -> Any:
        await migrate()
        await load_catalogue()
        tokens = await seed_demo()
        authority, _ = await configure_authority_system(
            DEMO_SYSTEM_AUTHORITY, system_url, rotate_secret=False
        )
        return tokens, list(authority.system_secrets)

    issuer = start_demo_issuer(settings) if not settings.auth_config else None
    if issuer is not None:
        tokens, secrets = _with_db(lambda: _prepare_with_issuer(prepare, issuer.url))
    else:
        tokens, secrets = _with_db(prepare)
    _print_tokens(tokens)
    if issuer is not None:
        _print_sign_in(settings, issuer.url)
    if not assets_installed():
        print("note: GraphiQL assets missing; run `make graphiql` for the in-browser IDE.")
    mailbox = (
        "SMTP " + settings.smtp_host
        if settings.smtp_configured
        else "kept: read them with `luukku mail`"
    )
    print(f"Mails: {mailbox}")
    print(scanning_notice(settings))
    print(f"Demo authority system ({DEMO_SYSTEM_AUTHORITY}): {system_url}\n", flush=True)
    token = next(t.token for t in tokens if t.key == DEMO_SYSTEM_KEY)
    system = DemoSystem(secrets=secrets, api_url=f"{settings.public_base_url}/graphql", token=token)
    try:
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


def cmd_token_create(args: argparse.Namespace) -> int:
    from actions.identity import token_issue
    from models import Organisation, Person

    expires = datetime.now(UTC) + timedelta(days=args.expires_days) if args.expires_days else None

    async def work() -> str:
        if args.authority:
            authority = await Organisation.get_or_none(code=args.authority)
            if authority is None:
                raise SystemExit(f"no authority with code {args.authority}")
            return await token_issue(label=args.label, authority=authority, expires_at=expires)
        person = await Person.get_or_none(email=args.email.lower())
        if person is None:
            raise SystemExit(f"no person with e-mail {args.email}")
        return await token_issue(label=args.label, person=person, expires_at=expires)

    print(_with_db(work))
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from actions.identity import token_revoke

    done = _with_db(lambda: token_revoke(args.id, datetime.now(UTC)))
    print("revoked" if done else "no such active token")
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
    if not mails:
        print("no kept mails (mails are kept when SMTP_HOST is not set)")
    for kept in mails:
        print(
            f"--- #{kept.id}  {kept.kept_at:%Y-%m-%d %H:%M:%S}  To: {kept.to}\nSubject: {kept.subject}\n"
        )
        print(kept.html if args.html else kept.text)
    return 0


def cmd_outbox_list(args: argparse.Namespace) -> int:
    from models import OutboxItem

    async def work() -> list[Any]:
        query = OutboxItem.all().order_by("-id")
        if args.status:
            query = query.filter(status=args.status)
        return await query.limit(args.last)

    for item in _with_db(work):
        print(
            f"#{item.id} {item.status:<9} {item.kind:<8} {item.topic:<32} attempts={item.attempts}"
            f" next={item.next_attempt_at:%Y-%m-%d %H:%M:%S} {item.last_error or ''}"
        )
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
    demo_sub.add_parser("seed", help="create demo people and print tokens").set_defaults(
        func=cmd_demo_seed
    )

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
    token_revoke = token.add_parser("revoke", help="revoke a token")
    token_revoke.add_argument("id", type=int)
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
    outbox_list.add_argument("--status", choices=["PENDING", "DELIVERED", "DEAD"], default=None)
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
