"""The sign-in configuration: a TOML file named by `AUTH_CONFIG` (README, "Sign-in").

Secrets are given either inline (`client_secret = "..."`, fine for the demo) or, better, by
the name of an environment variable (`client_secret_env = "NAME"`). Nothing is configured
by default: without `AUTH_CONFIG` there is no browser sign-in and no JWT issuer, and only
the opaque `lk_` tokens work.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.enums import Role

#: Algorithms an issuer may be configured to use. Never `none`, never HS* (a shared secret
#: would let anyone holding the public JWKS forge tokens).
SUPPORTED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class AuthConfigError(ValueError):
    """The sign-in configuration cannot be used."""


@dataclass(frozen=True)
class MembershipRule:
    """Claim value → authority role. `claim` may hold a string or a list of strings."""

    claim: str
    value: str
    authority: str
    role: Role

    def describe(self) -> str:
        return f"{self.claim}={self.value} -> {self.role} @ {self.authority}"


@dataclass(frozen=True)
class SystemRule:
    """Claim value of a JWT access token → the authority system it acts for."""

    claim: str
    value: str
    authority: str
    label: str = ""


@dataclass(frozen=True)
class Provider:
    """An OpenID Connect issuer people sign in with (the browser flow)."""

    name: str
    issuer: str
    client_id: str
    client_secret: str
    label: dict[str, str]
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    algorithms: tuple[str, ...] = ("RS256",)
    token_endpoint_auth: str = "client_secret_basic"
    #: claim that carries a Finnish personal identity code (stored only as a blind index)
    hetu_claim: str | None = None
    #: "memberships" (organisations registered in Luukku), "suomifi" (e-Authorizations) or "none"
    mandates: str = "memberships"
    memberships: tuple[MembershipRule, ...] = ()
    leeway_seconds: int = 60
    #: extra authorization request parameters (e.g. acr_values for Suomi.fi)
    extra_params: dict[str, str] = field(default_factory=dict)
    #: the issuer's base URL when it differs from `issuer` (only for discovery behind a proxy)
    discovery_url: str | None = None


@dataclass(frozen=True)
class ApiIssuer:
    """An issuer whose JWT access tokens Luukku accepts from systems."""

    issuer: str
    audience: str
    algorithms: tuple[str, ...] = ("RS256",)
    systems: tuple[SystemRule, ...] = ()
    leeway_seconds: int = 60
    jwks_uri: str | None = None


@dataclass(frozen=True)
class SuomiFiMandates:
    """Suomi.fi e-Authorizations Web API (organisation roles, `ypa`)."""

    base_url: str
    client_id: str
    api_key: str
    oauth_secret: str
    #: roles in the organisation that allow acting for it (e.g. NIMKO: sole signing authority)
    allowed_roles: tuple[str, ...] = ("NIMKO", "TJ", "TJS", "IS", "PJ", "ELI", "S", "YHD", "PIS")
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class AuthConfig:
    providers: tuple[Provider, ...] = ()
    api_issuers: tuple[ApiIssuer, ...] = ()
    suomifi: SuomiFiMandates | None = None
    idle_minutes: int = 30
    absolute_hours: int = 10
    #: a chosen organisation's mandate is asked again when older than this
    mandate_max_age_minutes: int = 30
    #: "auto": Secure cookies when PUBLIC_BASE_URL is https
    cookie_secure: str = "auto"

    def provider(self, name: str | None) -> Provider | None:
        if name is None:
            return self.providers[0] if self.providers else None
        return next((p for p in self.providers if p.name == name), None)

    def api_issuer(self, issuer: str) -> ApiIssuer | None:
        return next((i for i in self.api_issuers if i.issuer == issuer), None)


def _secret(table: dict[str, Any], name: str, where: str, env: dict[str, str]) -> str:
    if f"{name}_env" in table:
        variable = str(table[f"{name}_env"])
        value = env.get(variable, "")
        if not value:
            raise AuthConfigError(f"{where}: environment variable {variable} ({name}) is not set")
        return value
    value = str(table.get(name, ""))
    if not value:
        raise AuthConfigError(f"{where}: {name} or {name}_env is required")
    return value


def _algorithms(raw: Any, where: str) -> tuple[str, ...]:
    algorithms = tuple(str(a) for a in (raw or ["RS256"]))
    bad = [a for a in algorithms if a not in SUPPORTED_ALGORITHMS]
    if bad or not algorithms:
        raise AuthConfigError(
            f"{where}: algorithms {bad} not allowed (asymmetric only: {sorted(SUPPORTED_ALGORITHMS)})"
        )
    return algorithms


def _str(table: dict[str, Any], name: str, where: str) -> str:
    value = table.get(name)
    if not isinstance(value, str) or not value:
        raise AuthConfigError(f"{where}: {name} is required")
    return value


def parse(data: dict[str, Any], env: dict[str, str] | None = None) -> AuthConfig:
    env = dict(os.environ if env is None else env)
    providers = []
    for i, raw in enumerate(data.get("providers", [])):
        where = f"providers[{i}]"
        name = _str(raw, "name", where)
        rules = []
        for j, rule in enumerate(raw.get("memberships", [])):
            rwhere = f"{where}.memberships[{j}]"
            try:
                role = Role(rule.get("role", ""))
            except ValueError as exc:
                raise AuthConfigError(f"{rwhere}: role must be one of {list(Role)}") from exc
            rules.append(
                MembershipRule(
                    _str(rule, "claim", rwhere),
                    _str(rule, "value", rwhere),
                    _str(rule, "authority", rwhere),
                    role,
                )
            )
        mandates = str(raw.get("mandates", "memberships"))
        if mandates not in {"memberships", "suomifi", "none"}:
            raise AuthConfigError(f"{where}: mandates must be memberships, suomifi or none")
        auth_method = str(raw.get("token_endpoint_auth", "client_secret_basic"))
        if auth_method not in {"client_secret_basic", "client_secret_post"}:
            raise AuthConfigError(
                f"{where}: token_endpoint_auth must be client_secret_basic or client_secret_post"
            )
        scopes = tuple(str(s) for s in raw.get("scopes", ["openid", "profile", "email"]))
        if "openid" not in scopes:
            raise AuthConfigError(f"{where}: scopes must include openid")
        label = raw.get("label", {})
        providers.append(
            Provider(
                name=name,
                issuer=_str(raw, "issuer", where).rstrip("/"),
                client_id=_str(raw, "client_id", where),
                client_secret=_secret(raw, "client_secret", where, env),
                label={lang: str(label.get(lang, name)) for lang in ("fi", "sv", "en")},
                scopes=scopes,
                algorithms=_algorithms(raw.get("algorithms"), where),
                token_endpoint_auth=auth_method,
                hetu_claim=raw.get("hetu_claim"),
                mandates=mandates,
                memberships=tuple(rules),
                leeway_seconds=int(raw.get("leeway_seconds", 60)),
                extra_params={str(k): str(v) for k, v in raw.get("extra_params", {}).items()},
                discovery_url=raw.get("discovery_url"),
            )
        )
    if len({p.name for p in providers}) != len(providers):
        raise AuthConfigError("providers: names must be unique")
    issuers = []
    for i, raw in enumerate(data.get("api_issuers", [])):
        where = f"api_issuers[{i}]"
        systems = tuple(
            SystemRule(
                _str(s, "claim", f"{where}.systems[{j}]"),
                _str(s, "value", f"{where}.systems[{j}]"),
                _str(s, "authority", f"{where}.systems[{j}]"),
                str(s.get("label", "")),
            )
            for j, s in enumerate(raw.get("systems", []))
        )
        issuers.append(
            ApiIssuer(
                issuer=_str(raw, "issuer", where).rstrip("/"),
                audience=_str(raw, "audience", where),
                algorithms=_algorithms(raw.get("algorithms"), where),
                systems=systems,
                leeway_seconds=int(raw.get("leeway_seconds", 60)),
                jwks_uri=raw.get("jwks_uri"),
            )
        )
    suomifi = None
    if "suomifi_mandates" in data:
        raw = data["suomifi_mandates"]
        where = "suomifi_mandates"
        suomifi = SuomiFiMandates(
            base_url=_str(raw, "base_url", where).rstrip("/"),
            client_id=_str(raw, "client_id", where),
            api_key=_secret(raw, "api_key", where, env),
            oauth_secret=_secret(raw, "oauth_secret", where, env),
            allowed_roles=tuple(raw.get("allowed_roles", SuomiFiMandates.allowed_roles)),
            timeout_seconds=float(raw.get("timeout_seconds", 10)),
        )
    if any(p.mandates == "suomifi" for p in providers) and suomifi is None:
        raise AuthConfigError("a provider uses mandates = suomifi: add [suomifi_mandates]")
    session = data.get("session", {})
    cookie_secure = str(session.get("cookie_secure", "auto"))
    if cookie_secure not in {"auto", "true", "false"}:
        raise AuthConfigError("session.cookie_secure must be auto, true or false")
    return AuthConfig(
        providers=tuple(providers),
        api_issuers=tuple(issuers),
        suomifi=suomifi,
        idle_minutes=int(session.get("idle_minutes", 30)),
        absolute_hours=int(session.get("absolute_hours", 10)),
        mandate_max_age_minutes=int(session.get("mandate_max_age_minutes", 30)),
        cookie_secure=cookie_secure,
    )


def load(path: str | Path, env: dict[str, str] | None = None) -> AuthConfig:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AuthConfigError(f"AUTH_CONFIG {path}: {exc}") from exc
    return parse(data, env)


_config: AuthConfig | None = None


def get_auth_config() -> AuthConfig:
    """The process-wide sign-in configuration (AUTH_CONFIG), read once."""
    global _config
    if _config is None:
        from models.settings import get_settings

        path = get_settings().auth_config
        _config = load(path) if path else AuthConfig()
    return _config


def override_auth_config(config: AuthConfig | None) -> None:
    """Replace the process-wide configuration (tests, `luukku demo`)."""
    global _config
    _config = config
