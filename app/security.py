"""Who is calling (the client address), and the security headers of every HTTP response.

The client address is the socket's peer. `X-Forwarded-For` and `X-Forwarded-Proto` are
believed only from peers listed in TRUSTED_PROXIES (addresses or networks, e.g.
`10.0.0.0/8`): then the client is the right-most address of `X-Forwarded-For` that is not
itself a trusted proxy, so a client cannot choose its own address by sending the header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.settings import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The API answers JSON only: nothing may be loaded, framed or run from its responses.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000; includeSubDomains"


@lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def client_address(scope: Scope, trusted_proxies: tuple[str, ...] | None = None) -> str:
    """The client's address: the socket's peer, or behind trusted proxies the first
    untrusted address from the right of X-Forwarded-For."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    proxies = get_settings().trusted_proxies if trusted_proxies is None else trusted_proxies
    if not proxies:
        return peer
    networks = _networks(tuple(proxies))
    if not _trusted(peer, networks):
        return peer
    forwarded = _header(scope, b"x-forwarded-for")
    if not forwarded:
        return peer
    hops = [hop.strip() for hop in forwarded.split(",")[-20:] if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage in the header: the proxy's own address it is
    return hops[0] if hops else peer


def is_tls(scope: Scope) -> bool:
    """Served over TLS: directly, or by a trusted proxy that says so."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    proxies = get_settings().trusted_proxies
    client = scope.get("client")
    if proxies and client and _trusted(str(client[0]), _networks(tuple(proxies))):
        return (_header(scope, b"x-forwarded-proto") or "").strip().lower() == "https"
    return False


class SecurityHeaders:
    """Adds nosniff, frame and referrer policies, HSTS over TLS and a Content-Security-Policy
    to every HTTP response, without replacing a CSP (or frame option) a route has set:
    the GraphiQL page and single-page clients bring their own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = is_tls(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = API_CSP
                if "x-frame-options" not in headers:
                    headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                if "referrer-policy" not in headers:
                    headers["Referrer-Policy"] = "no-referrer"
                if tls:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)
