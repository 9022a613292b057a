"""The demo's OpenID Connect issuer: Canaille 0.3.6 on 127.0.0.1, offline, with the demo
people as its users (data/demo/people.json: `login`, password `<login>-demo`).

`luukku demo` starts it as a separate process (`python -m app.demo_issuer --port P
--luukku URL`). Its signing key is kept in `var/demo-issuer-jwk.json`, so that it survives
restarts; its users, clients and sessions live in memory and are made anew at each start.
Registered clients: `luukku` (Luukku's browser sign-in, confidential, code flow + PKCE),
`luukku-api` (the audience of API access tokens) and `public-areas-system` (the demo
authority system, which gets JWT access tokens for its service user `areas-robot`).
"""

from __future__ import annotations

import argparse
import json
import secrets
import socketserver
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = ROOT / "data" / "demo" / "people.json"
CLIENT_ID = "luukku"
API_AUDIENCE = "luukku-api"
SYSTEM_CLIENT = "public-areas-system"
SYSTEM_USER = "areas-robot"


def demo_secret(name: str) -> str:
    """Fixed, public demo credentials (only ever on 127.0.0.1)."""
    return f"{name}-demo-secret"


def password_of(login: str) -> str:
    return f"{login}-demo"


def people() -> list[dict[str, Any]]:
    data = json.loads(PEOPLE.read_text(encoding="utf-8"))
    return [p for p in data["people"] if p.get("login")]


def _key(path: Path) -> dict[str, Any]:
    from joserfc.jwk import JWKRegistry

    if path.exists():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    key = JWKRegistry.generate_key("RSA", 2048)
    key.ensure_kid()
    data = key.as_dict(private=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    path.chmod(0o600)
    return data


def build(port: int, luukku_url: str, key_path: Path) -> Any:
    from canaille import create_app
    from canaille.app import models
    from canaille.backends import Backend

    config = {
        "SECRET_KEY": secrets.token_hex(32),
        "SERVER_NAME": f"127.0.0.1:{port}",
        "PREFERRED_URL_SCHEME": "http",
        "CANAILLE": {"DATABASE": "memory", "NAME": "Luukku demo", "JAVASCRIPT": False},
        "CANAILLE_OIDC": {"ACTIVE_JWKS": [_key(key_path)]},
    }
    app = create_app(config=config, env_file=None)
    with app.app_context():
        backend = Backend.instance
        for person in people():
            given, _, family = person["name"].partition(" ")
            user = models.User(
                user_name=person["login"],
                given_name=given,
                family_name=family,
                formatted_name=person["name"],
                emails=[person["email"]],
                preferred_language=person.get("language", "fi"),
            )
            backend.save(user)
            backend.set_user_password(user, password_of(person["login"]))
        robot = models.User(user_name=SYSTEM_USER, given_name="Areas", family_name="System")
        backend.save(robot)
        backend.set_user_password(robot, password_of(SYSTEM_USER))
        common: dict[str, Any] = {
            "token_endpoint_auth_method": "client_secret_basic",
            "id_token_signed_response_alg": "RS256",
            "response_types": ["code"],
            "client_uri": luukku_url,  # 127.0.0.1 is a trusted domain: no consent page
        }
        rp = models.Client(
            client_id=CLIENT_ID,
            client_secret=demo_secret(CLIENT_ID),
            client_name="Luukku",
            redirect_uris=[f"{luukku_url}/auth/callback"],
            post_logout_redirect_uris=[f"{luukku_url}/auth/logged-out"],
            grant_types=["authorization_code"],
            scope=["openid", "profile", "email"],
            **common,
        )
        api = models.Client(
            client_id=API_AUDIENCE,
            client_secret=secrets.token_hex(16),
            client_name="Luukku API",
            redirect_uris=[f"{luukku_url}/auth/callback"],
            grant_types=["client_credentials"],
            scope=["openid"],
            **common,
        )
        system = models.Client(
            client_id=SYSTEM_CLIENT,
            client_secret=demo_secret(SYSTEM_CLIENT),
            client_name="Helsinki public areas system (demo)",
            redirect_uris=[f"{luukku_url}/auth/callback"],
            grant_types=["password"],
            scope=["openid", "profile"],
            **common,
        )
        for client in (rp, api, system):
            backend.save(client)
        rp.audience, api.audience, system.audience = [rp], [api], [api]
        for client in (rp, api, system):
            backend.save(client)
    return app


def auth_settings(issuer: str) -> dict[str, Any]:
    """The sign-in configuration `luukku demo` uses with this issuer (same form as AUTH_CONFIG)."""
    return {
        "providers": [
            {
                "name": "demo",
                "label": {"fi": "Demo-tunnistus", "sv": "Demoidentifiering", "en": "Demo sign-in"},
                "issuer": issuer,
                "client_id": CLIENT_ID,
                "client_secret": demo_secret(CLIENT_ID),
                "scopes": ["openid", "profile", "email"],
                "mandates": "memberships",
            }
        ],
        "api_issuers": [
            {
                "issuer": issuer,
                "audience": API_AUDIENCE,
                "systems": [
                    {
                        "claim": "sub",
                        "value": SYSTEM_USER,
                        "authority": "helsinki-public-areas",
                        "label": "Helsingin alueidenkäyttö (JWT, demo)",
                    }
                ],
            }
        ],
    }


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.demo_issuer")
    parser.add_argument("--port", type=int, default=8400)
    parser.add_argument("--luukku", default="http://127.0.0.1:8000")
    parser.add_argument("--key", default=str(ROOT / "var" / "demo-issuer-jwk.json"))
    args = parser.parse_args(argv)
    app = build(args.port, args.luukku.rstrip("/"), Path(args.key))
    httpd = make_server("127.0.0.1", args.port, app, server_class=_Server, handler_class=_Quiet)
    print(f"demo issuer at http://127.0.0.1:{args.port}", flush=True)
    httpd.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
