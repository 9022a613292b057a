"""Configuration from environment variables.

A leaf: it imports nothing of Luukku, so every layer (models, permissions, actions,
notifications, schema, resolvers, app) may read its settings from here.

Every setting is documented in README.md ("Configuration"). Defaults are the embedded,
safe ones: SQLite in ./var, in-memory pub/sub, mails kept in the database, loopback only.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: LUUKKU_EXECUTOR: how queries are executed (schema/executor); graphql-core is the fallback
EXECUTORS = ("compiled", "graphql-core")
#: LUUKKU_PLANNER: whether the project roots read their subtree in one statement
PLANNER = ("on", "off")
#: the key that seals global ids (models/ids.py) when LUUKKU_ID_KEY is not set: public (it is
#: here), so for development and tests only; production refuses to start without its own key
DEVELOPMENT_ID_KEY = b"Luukku development id key: public, never for production"


class SettingsError(ValueError):
    """A setting in the environment has a value that cannot be used."""


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _list(env: dict[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _choice(env: dict[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (env.get(name) or default).strip().lower()
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _rate(env: dict[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    """A rate "COUNT/SECONDS" (e.g. 20/60); "0" turns it off."""
    raw = (env.get(name) or "").strip()
    if raw == "":
        return default
    if raw == "0":
        return (0, default[1])
    count, _, seconds = raw.partition("/")
    if not (count.isdigit() and seconds.isdigit() and int(seconds) > 0):
        raise SettingsError(f"{name} must look like 20/60 (count per seconds) or 0, got {raw!r}")
    return (int(count), int(seconds))


def _hetu_keys(raw: str) -> tuple[tuple[int, bytes], ...]:
    """HETU_INDEX_KEYS: `version:base64key,...`, newest first; each key at least 32 bytes."""
    keys: list[tuple[int, bytes]] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        version, _, encoded = part.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
            number = int(version)
        except (ValueError, binascii.Error) as exc:
            raise SettingsError("HETU_INDEX_KEYS must be like 2:<base64>,1:<base64>") from exc
        if len(key) < 32 or number < 1:
            raise SettingsError("HETU_INDEX_KEYS: versions from 1, keys of at least 32 bytes")
        keys.append((number, key))
    if len({v for v, _ in keys}) != len(keys):
        raise SettingsError("HETU_INDEX_KEYS: each version once")
    return tuple(keys)


def _id_key(env: dict[str, str], production: bool) -> bytes:
    """LUUKKU_ID_KEY: base64 of at least 32 random bytes; required in production."""
    raw = env.get("LUUKKU_ID_KEY", "").strip()
    if not raw:
        if production:
            raise SettingsError(
                "LUUKKU_ID_KEY must be set in production (base64 of 32 random bytes, e.g. "
                "`openssl rand -base64 32`), the same on every host, and never changed"
            )
        return DEVELOPMENT_ID_KEY
    try:
        key = base64.b64decode(raw, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise SettingsError("LUUKKU_ID_KEY must be base64 (of at least 32 bytes)") from exc
    if len(key) < 32:
        raise SettingsError("LUUKKU_ID_KEY must be base64 of at least 32 bytes")
    return key


def _gc_threshold(raw: str) -> tuple[int, ...]:
    if raw.strip() in ("", "0"):
        return ()
    try:
        values = tuple(int(part) for part in raw.split(","))
    except ValueError as exc:
        raise SettingsError(
            f"GC_THRESHOLD must be three integers like 20000,20,100, got {raw!r}"
        ) from exc
    if len(values) != 3 or min(values) < 1:
        raise SettingsError(f"GC_THRESHOLD must be three positive integers, got {raw!r}")
    return values


@dataclass(frozen=True)
class Settings:
    """All runtime settings. Build with `Settings.from_env()`."""

    environment: str = "development"
    database_url: str = f"sqlite://{ROOT / 'var' / 'luukku.sqlite3'}"
    broadcast_url: str = "memory://"
    broadcast_prefix: str = "luukku"
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    customer_ui_url: str = "http://127.0.0.1:8000/ui"
    authority_ui_url: str = "http://127.0.0.1:8000/ui/authority"
    allowed_origins: tuple[str, ...] = ()
    default_language: str = "fi"
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    max_query_cost: int = 250_000
    #: longest document text (characters); graphql-core's lexer takes about 1.5 µs each
    max_document_chars: int = 100_000
    max_page_size: int = 100
    #: who may run introspection (`__schema`, `__type`): "on", "signed-in" or "off"
    introspection: str = "on"
    #: "Did you mean ...?" in error messages
    field_suggestions: bool = True
    #: serve GraphiQL at GET /graphql
    graphiql: bool = True
    #: peers whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks)
    trusted_proxies: tuple[str, ...] = ()
    #: where throttling counts are kept: "database", "memory" or a redis:// URL
    throttle_store: str = "database"
    #: failed authentications per client address (and per account) in a window
    throttle_auth: tuple[int, int] = (20, 60)
    #: cost points per client (account, or address when anonymous) in a window
    throttle_cost: tuple[int, int] = (30_000_000, 60)
    #: only operations costing at least this much are counted (mutations always are)
    throttle_cost_from: int = 1_000
    #: largest WebSocket message accepted, in bytes
    ws_max_message_bytes: int = 1024 * 1024
    #: seconds given to open connections on shutdown before they are closed
    shutdown_timeout: int = 10
    executor: str = "compiled"
    planner: bool = True
    #: the key that seals global ids (models/ids.py)
    id_key: bytes = DEVELOPMENT_ID_KEY
    #: read ids of the old, unsealed format `<Type>:<digits>` too (LUUKKU_LEGACY_IDS=accept)
    legacy_ids: bool = False
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_tls: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_timeout: int = 20
    mail_from: str = "Luukku <noreply@luukku.localhost>"
    outbox_in_process: bool = True
    outbox_poll_seconds: float = 1.0
    outbox_batch_size: int = 20
    outbox_max_attempts: int = 8
    outbox_backoff_seconds: float = 5.0
    outbox_lease_seconds: float = 60.0
    live_recheck_seconds: float = 60.0
    viewer_cache_seconds: float = 10.0
    gc_threshold: tuple[int, ...] = (20_000, 20, 100)
    ws_compression: bool = False
    demo_system_port: int = 8099
    demo_issuer_port: int = 8400
    xroad_client: str = ""
    webhook_timeout: int = 10
    stats_window_months: int = 12
    stats_min_cases: int = 5
    stats_cache_seconds: float = 60.0
    reminder_days_before: int = 7
    supplement_reminder_days: int = 3
    #: attachments (README, "Attachments")
    attachment_storage: str = str(ROOT / "var" / "attachments")
    attachment_scanner: str = "none"
    attachment_max_file_bytes: int = 250 * 1024 * 1024
    attachment_max_application_bytes: int = 1024 * 1024 * 1024
    attachment_max_application_files: int = 50
    attachment_max_request_bytes: int = 300 * 1024 * 1024
    attachment_max_request_files: int = 10
    attachment_link_seconds: int = 300
    attachment_delivery_link_seconds: int = 7 * 24 * 3600
    attachment_url_secret: str = ""
    attachment_draft_retention_days: int = 180
    attachment_scan_timeout: int = 120
    #: the sign-in configuration file (README, "Sign-in"); empty: only opaque tokens
    auth_config: str = ""
    #: keys of the personal identity codes' blind index, newest first: (version, key)
    hetu_index_keys: tuple[tuple[int, bytes], ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_development(self) -> bool:
        return self.environment != "production"

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        host = env.get("LUUKKU_HOST", "127.0.0.1")
        port = _int(env, "LUUKKU_PORT", 8000, minimum=1)
        public = env.get("PUBLIC_BASE_URL", f"http://{host}:{port}").rstrip("/")
        environment = env.get("LUUKKU_ENV", "development")
        if environment not in {"development", "production"}:
            raise SettingsError(
                f"LUUKKU_ENV must be development or production, got {environment!r}"
            )
        language = env.get("DEFAULT_LANGUAGE", "fi")
        if language not in {"fi", "sv", "en"}:
            raise SettingsError(f"DEFAULT_LANGUAGE must be fi, sv or en, got {language!r}")
        smtp_tls = env.get("SMTP_TLS", "starttls").lower()
        if smtp_tls not in {"starttls", "tls", "none"}:
            raise SettingsError(f"SMTP_TLS must be starttls, tls or none, got {smtp_tls!r}")
        smtp_default_port = {"starttls": 587, "tls": 465, "none": 25}[smtp_tls]
        database_url = env.get("DATABASE_URL") or cls.database_url
        if not database_url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise SettingsError("DATABASE_URL must start with sqlite:// or postgres://")
        if database_url.startswith("postgresql://"):
            database_url = "postgres://" + database_url.removeprefix("postgresql://")
        executor = env.get("LUUKKU_EXECUTOR") or "compiled"
        if executor not in EXECUTORS:
            raise SettingsError(
                f"LUUKKU_EXECUTOR must be compiled or graphql-core, got {executor!r}"
            )
        broadcast_url = env.get("BROADCAST_URL") or "memory://"
        if not broadcast_url.startswith(("memory://", "redis://", "rediss://", "postgres://")):
            raise SettingsError("BROADCAST_URL must start with memory://, redis:// or postgres://")
        production = environment == "production"
        throttle_store = env.get("THROTTLE_STORE") or (
            broadcast_url if broadcast_url.startswith(("redis://", "rediss://")) else "database"
        )
        if throttle_store not in {"database", "memory"} and not throttle_store.startswith(
            ("redis://", "rediss://")
        ):
            raise SettingsError("THROTTLE_STORE must be database, memory or a redis:// URL")
        storage = _storage(env.get("ATTACHMENT_STORAGE", ""), database_url)
        scanner = env.get("ATTACHMENT_SCANNER", "none").strip() or "none"
        if scanner != "none" and not scanner.startswith(("clamd://", "clamd+unix://")):
            raise SettingsError(
                "ATTACHMENT_SCANNER must be none, clamd://host:port or clamd+unix:///path/to/socket"
            )
        max_file = _int(env, "ATTACHMENT_MAX_FILE_BYTES", cls.attachment_max_file_bytes, 1)
        if max_file > 2**31 - 1:  # sizes are GraphQL Ints
            raise SettingsError("ATTACHMENT_MAX_FILE_BYTES must be below 2 GiB")
        max_request = _int(
            env, "ATTACHMENT_MAX_REQUEST_BYTES", max(cls.attachment_max_request_bytes, max_file), 1
        )
        if max_request < max_file:
            raise SettingsError(
                "ATTACHMENT_MAX_REQUEST_BYTES must be at least ATTACHMENT_MAX_FILE_BYTES"
            )
        return cls(
            attachment_storage=storage,
            attachment_scanner=scanner,
            attachment_max_file_bytes=max_file,
            attachment_max_application_bytes=_int(
                env, "ATTACHMENT_MAX_APPLICATION_BYTES", cls.attachment_max_application_bytes, 1
            ),
            attachment_max_application_files=_int(
                env, "ATTACHMENT_MAX_APPLICATION_FILES", cls.attachment_max_application_files, 1
            ),
            attachment_max_request_bytes=max_request,
            attachment_max_request_files=_int(
                env, "ATTACHMENT_MAX_REQUEST_FILES", cls.attachment_max_request_files, 1
            ),
            attachment_link_seconds=_int(env, "ATTACHMENT_LINK_SECONDS", 300, 10),
            attachment_delivery_link_seconds=_int(
                env, "ATTACHMENT_DELIVERY_LINK_SECONDS", cls.attachment_delivery_link_seconds, 60
            ),
            attachment_url_secret=env.get("ATTACHMENT_URL_SECRET", ""),
            attachment_draft_retention_days=_int(env, "ATTACHMENT_DRAFT_RETENTION_DAYS", 180, 1),
            attachment_scan_timeout=_int(env, "ATTACHMENT_SCAN_TIMEOUT", 120, 1),
            environment=environment,
            database_url=database_url,
            broadcast_url=broadcast_url,
            broadcast_prefix=env.get("BROADCAST_PREFIX", "luukku"),
            host=host,
            port=port,
            public_base_url=public,
            customer_ui_url=env.get("CUSTOMER_UI_URL", f"{public}/ui").rstrip("/"),
            authority_ui_url=env.get("AUTHORITY_UI_URL", f"{public}/ui/authority").rstrip("/"),
            allowed_origins=_list(env, "ALLOWED_ORIGINS"),
            default_language=language,
            max_query_depth=_int(env, "MAX_QUERY_DEPTH", 10, minimum=2),
            max_aliases=_int(env, "MAX_ALIASES", 30, minimum=1),
            max_tokens=_int(env, "MAX_TOKENS", 2000, minimum=50),
            max_query_cost=_int(env, "MAX_QUERY_COST", 250_000, minimum=100),
            max_document_chars=_int(env, "MAX_DOCUMENT_CHARS", 100_000, minimum=1_000),
            introspection=_choice(
                env,
                "GRAPHQL_INTROSPECTION",
                "signed-in" if production else "on",
                ("on", "signed-in", "off"),
            ),
            field_suggestions=_bool(env, "GRAPHQL_FIELD_SUGGESTIONS", not production),
            graphiql=_bool(env, "GRAPHIQL", not production),
            trusted_proxies=_list(env, "TRUSTED_PROXIES"),
            throttle_store=throttle_store,
            throttle_auth=_rate(env, "THROTTLE_AUTH", (20, 60)),
            throttle_cost=_rate(env, "THROTTLE_COST", (30_000_000, 60)),
            throttle_cost_from=_int(env, "THROTTLE_COST_FROM", 1_000, minimum=0),
            ws_max_message_bytes=_int(env, "WS_MAX_MESSAGE_BYTES", 1024 * 1024, minimum=1024),
            shutdown_timeout=_int(env, "SHUTDOWN_TIMEOUT", 10, minimum=1),
            max_page_size=_int(env, "MAX_PAGE_SIZE", 100, minimum=1),
            executor=executor,
            planner=_choice(env, "LUUKKU_PLANNER", "on", PLANNER) == "on",
            id_key=_id_key(env, production),
            legacy_ids=_choice(env, "LUUKKU_LEGACY_IDS", "reject", ("reject", "accept"))
            == "accept",
            smtp_host=env.get("SMTP_HOST", ""),
            smtp_port=_int(env, "SMTP_PORT", smtp_default_port, minimum=1),
            smtp_tls=smtp_tls,
            smtp_user=env.get("SMTP_USER", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_timeout=_int(env, "SMTP_TIMEOUT", 20, minimum=1),
            mail_from=env.get("MAIL_FROM", cls.mail_from),
            outbox_in_process=_bool(env, "OUTBOX_IN_PROCESS", True),
            outbox_poll_seconds=_int(env, "OUTBOX_POLL_MS", 1000, minimum=10) / 1000,
            outbox_batch_size=_int(env, "OUTBOX_BATCH_SIZE", 20, minimum=1),
            outbox_max_attempts=_int(env, "OUTBOX_MAX_ATTEMPTS", 8, minimum=1),
            outbox_backoff_seconds=_int(env, "OUTBOX_BACKOFF_MS", 5000, minimum=1) / 1000,
            outbox_lease_seconds=_int(env, "OUTBOX_LEASE_SECONDS", 60, minimum=1),
            demo_system_port=_int(env, "DEMO_SYSTEM_PORT", 8099, minimum=1),
            demo_issuer_port=_int(env, "DEMO_ISSUER_PORT", 8400, minimum=1),
            gc_threshold=_gc_threshold(env.get("GC_THRESHOLD", "20000,20,100")),
            viewer_cache_seconds=float(_int(env, "VIEWER_CACHE_SECONDS", 10, minimum=0)),
            ws_compression=_bool(env, "WS_COMPRESSION", False),
            live_recheck_seconds=float(_int(env, "LIVE_RECHECK_SECONDS", 60, minimum=1)),
            xroad_client=env.get("XROAD_CLIENT", ""),
            webhook_timeout=_int(env, "WEBHOOK_TIMEOUT", 10, minimum=1),
            stats_window_months=_int(env, "STATS_WINDOW_MONTHS", 12, minimum=1),
            stats_min_cases=_int(env, "STATS_MIN_CASES", 5, minimum=1),
            stats_cache_seconds=float(_int(env, "STATS_CACHE_SECONDS", 60, minimum=0)),
            reminder_days_before=_int(env, "REMINDER_DAYS_BEFORE", 7, minimum=0),
            supplement_reminder_days=_int(env, "SUPPLEMENT_REMINDER_DAYS", 3, minimum=0),
            auth_config=env.get("AUTH_CONFIG", ""),
            hetu_index_keys=_hetu_keys(env.get("HETU_INDEX_KEYS", "")),
        )


def _storage(raw: str, database_url: str) -> str:
    """ATTACHMENT_STORAGE: a folder (default var/attachments), `postgres` (large objects in
    DATABASE_URL's database) or `postgres://...` (large objects in another database)."""
    raw = raw.strip()
    if not raw:
        return Settings.attachment_storage
    if raw == "postgres":
        if not database_url.startswith(("postgres://", "asyncpg://")):
            raise SettingsError("ATTACHMENT_STORAGE=postgres needs a PostgreSQL DATABASE_URL")
        return "postgres://" + database_url.split("://", 1)[1]
    if raw.startswith("postgresql://"):
        return "postgres://" + raw.removeprefix("postgresql://")
    if raw.startswith("postgres://"):
        return raw
    if "://" in raw and not raw.startswith("file://"):
        raise SettingsError(
            "ATTACHMENT_STORAGE must be a folder, file:///folder, postgres or postgres://..."
        )
    return str(Path(raw.removeprefix("file://")).resolve())


_settings: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    global _settings
    if _settings is None:
        _settings = Settings.from_env()
    return _settings


def override_settings(settings: Settings | None) -> None:
    """Replace the process-wide settings (tests and the CLI use this)."""
    global _settings
    _settings = settings
