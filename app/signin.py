"""Browser sign-in, as a backend-for-frontend: `/auth/login`, `/auth/callback`,
`/auth/logout`, and the Suomi.fi mandate selection (`/auth/mandate`).

The browser never sees a token: Luukku is a confidential client (code flow, PKCE S256,
`state` and `nonce`), validates the ID token itself and gives the browser only an opaque,
HttpOnly session cookie (README, "Sign-in").
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from actions import signin
from actions.auth import oidc
from actions.auth.config import AuthConfig, Provider, get_auth_config
from actions.auth.mandates import MandateError, SuomiFiClient
from app.settings import get_settings
from app.throttle import Throttled, throttle, throttled_response
from models.errors import DomainError

log = logging.getLogger("luukku.signin")

DEFAULT_RETURN = "/graphql"
LOGIN_MINUTES = signin.REQUEST_MINUTES


# --- cookies --------------------------------------------------------------------------------


def secure_cookies(config: AuthConfig | None = None) -> bool:
    config = config or get_auth_config()
    if config.cookie_secure == "auto":
        return get_settings().public_base_url.startswith("https://")
    return config.cookie_secure == "true"


def session_cookie_name(secure: bool | None = None) -> str:
    """`__Host-luukku` over TLS (Secure, Path=/, no Domain); plain `luukku` on http:// (the
    local demo), since browsers refuse `__Host-` cookies that are not Secure."""
    return "__Host-luukku" if (secure_cookies() if secure is None else secure) else "luukku"


def login_cookie_name(secure: bool | None = None) -> str:
    return (
        "__Host-luukku-login"
        if (secure_cookies() if secure is None else secure)
        else "luukku-login"
    )


def session_cookie(request: Request | Any) -> str | None:
    """The session cookie of a request or WebSocket, if any."""
    cookies = request.cookies
    return cookies.get(session_cookie_name()) or None


def set_session_cookie(response: Response, value: str, config: AuthConfig) -> None:
    secure = secure_cookies(config)
    response.set_cookie(
        session_cookie_name(secure),
        value,
        max_age=config.absolute_hours * 3600,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def delete_session_cookie(response: Response) -> None:
    secure = secure_cookies()
    response.delete_cookie(
        session_cookie_name(secure), path="/", secure=secure, httponly=True, samesite="lax"
    )


def _set_login_cookie(response: Response, value: str) -> None:
    secure = secure_cookies()
    response.set_cookie(
        login_cookie_name(secure),
        value,
        max_age=LOGIN_MINUTES * 60,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def _login_cookie(request: Request) -> str:
    return request.cookies.get(login_cookie_name(), "")


# --- returnTo --------------------------------------------------------------------------------


def safe_return_to(value: str | None) -> str:
    """A path of this app only: starts with one `/`, no scheme or host, no backslash or
    control characters; anything else becomes the default (no open redirect)."""
    if not value or len(value) > 500:
        return DEFAULT_RETURN
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return DEFAULT_RETURN
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return DEFAULT_RETURN
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return DEFAULT_RETURN
    return value


# --- answers ----------------------------------------------------------------------------------

_TEXTS = {
    "failed": {
        "fi": "Kirjautuminen epäonnistui.",
        "sv": "Inloggningen misslyckades.",
        "en": "Signing in failed.",
    },
    "again": {"fi": "Kirjaudu uudelleen", "sv": "Logga in på nytt", "en": "Sign in again"},
    "signed_out": {
        "fi": "Olet kirjautunut ulos.",
        "sv": "Du har loggat ut.",
        "en": "You have signed out.",
    },
}


def _language(request: Request) -> str:
    from app.context import language_from_header

    return (
        language_from_header(request.headers.get("accept-language"))
        or get_settings().default_language
    )


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or bool(
        request.headers.get("x-luukku-csrf")
    )


def _page(request: Request, status: int, key: str, code: str | None = None) -> Response:
    language = _language(request)
    if _wants_json(request):
        body: dict[str, Any] = {"ok": status < 400}
        if code:
            body["error"] = {"code": code, "message": _TEXTS[key][language]}
        return JSONResponse(body, status_code=status)
    detail = f"<p><code>{html.escape(code)}</code></p>" if code else ""
    return HTMLResponse(
        f'<!doctype html><html lang="{language}"><meta charset="utf-8"><title>Luukku</title>'
        f"<p>{html.escape(_TEXTS[key][language])}</p>{detail}"
        f'<p><a href="/auth/login">{html.escape(_TEXTS["again"][language])}</a></p></html>',
        status_code=status,
    )


def _failed(request: Request, code: str, status: int = 400) -> Response:
    response = _page(request, status, "failed", code)
    response.delete_cookie(login_cookie_name(), path="/")
    return response


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def callback_url() -> str:
    return get_settings().public_base_url + "/auth/callback"


def mandate_callback_url() -> str:
    return get_settings().public_base_url + "/auth/mandate/callback"


def logged_out_url() -> str:
    return get_settings().public_base_url + "/auth/logged-out"


# --- login ------------------------------------------------------------------------------------


async def login(request: Request) -> Response:
    """Start a login at the provider (`?provider=` or the first), coming back to `returnTo`."""
    config = get_auth_config()
    provider = config.provider(request.query_params.get("provider"))
    if provider is None:
        return _failed(request, "SIGN_IN_NOT_CONFIGURED", 404)
    return_to = safe_return_to(request.query_params.get("returnTo"))
    try:
        metadata = await oidc.discovery.get(provider.issuer, provider.discovery_url)
    except oidc.TokenError as exc:
        log.warning("login: %s discovery failed: %s", provider.name, exc.detail)
        return _failed(request, "ISSUER_UNAVAILABLE", 502)
    if request.method == "HEAD":
        # a probe (the web client asks whether the server offers sign-in): the same answer
        # as GET, a redirect to the issuer, but no pending login and no login cookie
        response = _redirect(metadata.authorization_endpoint)
        response.headers["Cache-Control"] = "no-store"
        return response
    browser = oidc.new_secret()
    pending = await signin.request_create("LOGIN", provider.name, browser, return_to)
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": callback_url(),
        "scope": " ".join(provider.scopes),
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": oidc.pkce_challenge(pending.code_verifier),
        "code_challenge_method": "S256",
        "ui_locales": _language(request),
        **provider.extra_params,
    }
    separator = "&" if "?" in metadata.authorization_endpoint else "?"
    response = _redirect(metadata.authorization_endpoint + separator + urlencode(params))
    _set_login_cookie(response, browser)
    return response


async def callback(request: Request) -> Response:
    """The provider's answer: check `state` against this browser's pending login, exchange
    the code with the PKCE verifier, validate the ID token, then open the session."""
    config = get_auth_config()
    query = request.query_params
    pending = await signin.request_consume(query.get("state", ""), _login_cookie(request), "LOGIN")
    if pending is None:
        return _failed(request, "INVALID_STATE")
    provider = config.provider(pending.provider)
    if provider is None:
        return _failed(request, "SIGN_IN_NOT_CONFIGURED")
    if query.get("error"):
        return _failed(request, "ISSUER_REFUSED", 401)
    if query.get("iss") and query["iss"].rstrip("/") != provider.issuer:
        return _failed(request, "WRONG_ISSUER", 401)  # RFC 9207 mix-up protection
    code = query.get("code")
    if not code:
        return _failed(request, "NO_CODE")
    try:
        claims = await _id_token_claims(provider, code, pending.code_verifier, pending.nonce)
        person = await signin.sign_in(provider, claims)
    except oidc.TokenError as exc:
        log.info("login with %s refused: %s %s", provider.name, exc.code, exc.detail)
        return _failed(request, exc.code, 401)
    except DomainError:
        return _failed(request, "ACCOUNT_DISABLED", 403)
    value, session = await signin.session_open(person, provider, claims, config)
    return_to = pending.return_to
    if provider.mandates == "suomifi" and person.hetu:
        try:
            await signin.mandate_register(session, person.hetu)
            return_to = "/auth/mandate?" + urlencode({"returnTo": pending.return_to})
        except MandateError as exc:
            log.warning("e-Authorizations registration failed: %s", exc.code)
    response = _redirect(return_to)
    set_session_cookie(response, value, config)
    response.delete_cookie(login_cookie_name(), path="/")
    return response


async def _id_token_claims(
    provider: Provider, code: str, verifier: str, nonce: str
) -> dict[str, Any]:
    metadata = await oidc.discovery.get(provider.issuer, provider.discovery_url)
    answer = await oidc.exchange_code(
        metadata,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        auth_method=provider.token_endpoint_auth,
        code=code,
        redirect_uri=callback_url(),
        code_verifier=verifier,
    )
    return await oidc.verify_jwt(
        answer["id_token"],
        issuer=provider.issuer,
        audience=provider.client_id,
        algorithms=provider.algorithms,
        jwks_uri=metadata.jwks_uri,
        leeway=provider.leeway_seconds,
        nonce=nonce,
        require_iat=True,
    )


# --- logout -----------------------------------------------------------------------------------


async def logout(request: Request) -> Response:
    """End the session everywhere (cookie, open sockets), then the issuer's session when it
    has an end-session endpoint. JSON for fetch (`Accept: application/json`), else a redirect."""
    value = session_cookie(request)
    session = await signin.session_by_cookie(value) if value else None
    end_session: str | None = None
    if session is not None:
        await signin.session_revoke(session.id)
        provider = get_auth_config().provider(session.provider)
        if provider is not None:
            end_session = await _end_session_url(provider)
    if _wants_json(request):
        response: Response = JSONResponse({"ok": True, "endSessionUrl": end_session})
    else:
        response = _redirect(end_session or logged_out_url())
    delete_session_cookie(response)
    return response


async def _end_session_url(provider: Provider) -> str | None:
    try:
        metadata = await oidc.discovery.get(provider.issuer, provider.discovery_url)
    except oidc.TokenError:
        return None
    if not metadata.end_session_endpoint:
        return None
    query = urlencode(
        {"client_id": provider.client_id, "post_logout_redirect_uri": logged_out_url()}
    )
    separator = "&" if "?" in metadata.end_session_endpoint else "?"
    return metadata.end_session_endpoint + separator + query


async def logged_out(request: Request) -> Response:
    return _page(request, 200, "signed_out")


# --- Suomi.fi mandate selection -------------------------------------------------------------


async def mandate_start(request: Request) -> Response:
    """Send the signed-in person to e-Authorizations to choose the organisation(s)."""
    config = get_auth_config()
    return_to = safe_return_to(request.query_params.get("returnTo"))
    value = session_cookie(request)
    session = await signin.session_by_cookie(value) if value else None
    if session is None:
        return _failed(request, "NOT_SIGNED_IN", 401)
    state = (session.mandate or {}).get("service_session") or {}
    if config.suomifi is None or not state.get("userId"):
        return _redirect(return_to)  # nothing to choose at a mandate service
    browser = oidc.new_secret()
    pending = await signin.request_create(
        "MANDATE", session.provider, browser, return_to, session_id=session.id
    )
    url = SuomiFiClient(config.suomifi).authorize_url(
        state["userId"], mandate_callback_url(), pending.state, _language(request)
    )
    response = _redirect(url)
    _set_login_cookie(response, browser)
    return response


async def mandate_callback(request: Request) -> Response:
    config = get_auth_config()
    query = request.query_params
    pending = await signin.request_consume(
        query.get("state", ""), _login_cookie(request), "MANDATE"
    )
    value = session_cookie(request)
    session = await signin.session_by_cookie(value) if value else None
    if pending is None or session is None or pending.session_id != session.id:
        return _failed(request, "INVALID_STATE")
    assert config.suomifi is not None
    back = pending.return_to
    if query.get("error") or not query.get("code"):
        response = _redirect(_with_query(back, mandate="denied"))
        response.delete_cookie(login_cookie_name(), path="/")
        return response
    client = SuomiFiClient(config.suomifi)
    state = (session.mandate or {}).get("service_session") or {}
    try:
        token = await client.token(query["code"], mandate_callback_url())
        organisations = await client.organisation_roles(state["sessionId"], token)
    except (MandateError, KeyError) as exc:
        code = exc.code if isinstance(exc, MandateError) else "MANDATE_UNAVAILABLE"
        log.info("mandate selection failed: %s", code)
        response = _redirect(_with_query(back, mandate=code.removeprefix("MANDATE_").lower()))
        response.delete_cookie(login_cookie_name(), path="/")
        return response
    allowed = await signin.mandate_selected(session.id, organisations, token)
    response = _redirect(_with_query(back, mandate="chosen" if allowed else "none"))
    response.delete_cookie(login_cookie_name(), path="/")
    return response


def _with_query(path: str, **params: str) -> str:
    return path + ("&" if "?" in path else "?") + urlencode(params)


def throttled(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """A sign-in endpoint under THROTTLE_AUTH: refused with 429 while the client address is
    over its allowance; an answer of 400 or more (a refused login) counts against it."""

    async def guarded(request: Request) -> Response:
        try:
            await throttle.check(request, "auth")
        except Throttled as exc:
            return throttled_response(exc)
        response = await endpoint(request)
        if response.status_code >= 400:
            await throttle.failed(request, "auth")
        return response

    return guarded


routes = [
    Route("/auth/login", throttled(login), methods=["GET"]),
    Route("/auth/callback", throttled(callback), methods=["GET"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/logged-out", logged_out, methods=["GET"]),
    Route("/auth/mandate", mandate_start, methods=["GET"]),
    Route("/auth/mandate/callback", mandate_callback, methods=["GET"]),
]
