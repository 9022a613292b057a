"""OpenID Connect as a relying party: discovery, the issuers' keys, and token validation.

- Discovery documents are cached per issuer; the document's `issuer` must be exactly the
  configured one (mix-up protection).
- JWKS are cached for `max_age` seconds. A token whose `kid` is not in the cached set
  makes one refetch, at most once per `min_refetch` seconds per issuer, so that a key the
  issuer has just rotated in is found at once while forged `kid`s cannot make Luukku
  hammer the issuer. A key the issuer has removed stops being accepted when the cache
  expires (README, "Sign-in": key rotation).
- Only the configured asymmetric algorithms are accepted: a token with `alg: none`, HS*, or
  any algorithm not on the list is refused before any key is looked at.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from actions.shared_read import SharedRead

HTTP_TIMEOUT = 10.0


class TokenError(Exception):
    """A token or a protocol answer that cannot be accepted. `code` is for clients and logs;
    `detail` never holds a token or a claim value."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class IssuerMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None
    userinfo_endpoint: str | None = None


def clock() -> float:
    """Seconds since the epoch for token times (tests move it to expire a token)."""
    return time.time()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_secret() -> str:
    """A random value for state, nonce or a PKCE verifier (256 bits)."""
    return secrets.token_urlsafe(32)


def pkce_challenge(verifier: str) -> str:
    """S256: BASE64URL(SHA-256(verifier))."""
    return b64url(hashlib.sha256(verifier.encode()).digest())


class Discovery:
    """`/.well-known/openid-configuration` per issuer, cached for `max_age` seconds."""

    def __init__(self, max_age: float = 3600) -> None:
        self.max_age = max_age
        self._cache: dict[str, tuple[float, IssuerMetadata]] = {}

    def clear(self) -> None:
        self._cache.clear()

    async def get(self, issuer: str, base_url: str | None = None) -> IssuerMetadata:
        cached = self._cache.get(issuer)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        url = (base_url or issuer).rstrip("/") + "/.well-known/openid-configuration"
        data = await _get_json(url, "DISCOVERY_FAILED")
        if data.get("issuer", "").rstrip("/") != issuer:
            raise TokenError("DISCOVERY_FAILED", "the discovery document names another issuer")
        try:
            metadata = IssuerMetadata(
                issuer=issuer,
                authorization_endpoint=data["authorization_endpoint"],
                token_endpoint=data["token_endpoint"],
                jwks_uri=data["jwks_uri"],
                end_session_endpoint=data.get("end_session_endpoint"),
                userinfo_endpoint=data.get("userinfo_endpoint"),
            )
        except KeyError as exc:
            raise TokenError("DISCOVERY_FAILED", f"discovery lacks {exc}") from exc
        self._cache[issuer] = (time.monotonic() + self.max_age, metadata)
        return metadata


class JwksCache:
    """The issuers' public keys (see the module docstring for refetching). One fetch per
    issuer is in flight at a time, and every caller waiting for it is woken by it at once
    (`SharedRead`); callers whose key is cached do not wait for a refetch at all."""

    def __init__(self, max_age: float = 300, min_refetch: float = 10) -> None:
        self.max_age = max_age
        self.min_refetch = min_refetch
        self._keys: dict[str, tuple[float, KeySet]] = {}
        self._reads: dict[str, SharedRead[KeySet]] = {}
        #: how many times each JWKS was fetched (tests bound the work with it)
        self.fetches: dict[str, int] = {}

    def clear(self) -> None:
        self._keys.clear()
        for read in self._reads.values():
            read.drop()

    def _cached(self, uri: str, kid: str | None) -> KeySet | None:
        """The cached set, unless it has expired, or it lacks `kid` and may be refetched."""
        cached = self._keys.get(uri)
        if cached is None:
            return None
        fetched_at, keys = cached
        age = time.monotonic() - fetched_at
        if age >= self.max_age:
            return None
        if kid is None or age < self.min_refetch or any(k.kid == kid for k in keys.keys):
            return keys
        return None

    async def _fetch(self, uri: str) -> KeySet:
        data = await _get_json(uri, "JWKS_UNAVAILABLE")
        self.fetches[uri] = self.fetches.get(uri, 0) + 1
        try:
            return KeySet.import_key_set(data)  # type: ignore[arg-type]  # any JSON: checked there
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise TokenError("JWKS_UNAVAILABLE", "the issuer's JWKS cannot be read") from exc

    def _keep(self, uri: str, keys: KeySet) -> None:
        self._keys[uri] = (time.monotonic(), keys)

    async def key_set(self, uri: str, kid: str | None) -> KeySet:
        while True:
            keys = self._cached(uri, kid)
            if keys is not None:
                return keys
            read = self._reads.setdefault(uri, SharedRead())
            if not read.reading:
                return await read.read(partial(self._fetch, uri), partial(self._keep, uri))
            found = await read.wait()
            if found is not None:
                return found  # just fetched: a kid still missing from it is not refetched


discovery = Discovery()
jwks_cache = JwksCache()


async def _get_json(url: str, code: str) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            response = await client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise TokenError(code, f"cannot reach {url}: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise TokenError(code, f"{url} answered {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise TokenError(code, f"{url} did not answer JSON") from exc
    if not isinstance(data, dict):
        raise TokenError(code, f"{url} did not answer a JSON object")
    return data


def _header(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        # five parts would be an encrypted token (JWE): not supported, refused
        raise TokenError("INVALID_TOKEN", "not a signed JWT (JWS compact form)")
    try:
        padded = parts[0] + "=" * (-len(parts[0]) % 4)
        header = json.loads(base64.urlsafe_b64decode(padded))
    except ValueError as exc:
        raise TokenError("INVALID_TOKEN", "unreadable JWT header") from exc
    if not isinstance(header, dict):
        raise TokenError("INVALID_TOKEN", "unreadable JWT header")
    return header


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


def unverified_issuer(token: str) -> str | None:
    """The `iss` of a JWT before verification: only to pick which issuer's keys to use."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, IndexError):
        return None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer.rstrip("/") if isinstance(issuer, str) else None


async def verify_jwt(
    token: str,
    *,
    issuer: str,
    audience: str,
    algorithms: tuple[str, ...],
    jwks_uri: str,
    leeway: int,
    nonce: str | None = None,
    require_iat: bool = False,
    now: float | None = None,
) -> dict[str, Any]:
    """The claims of a JWT signed by the issuer for `audience`, or TokenError.

    Checks, in this order: the algorithm is on the allow-list; the signature with the key of
    the header's `kid` from the issuer's JWKS; `iss` exactly; `aud` contains `audience` (and,
    with several audiences, `azp` is `audience`); `exp` (required) and `nbf`, `iat` within
    `leeway` seconds; the `nonce` when one is expected."""
    header = _header(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        raise TokenError("INVALID_TOKEN", f"algorithm {alg!r} is not allowed")
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    keys = await jwks_cache.key_set(jwks_uri, kid)
    if kid is None and len(keys.keys) != 1:
        raise TokenError("INVALID_TOKEN", "the token names no key (kid)")
    if kid is not None and not any(k.kid == kid for k in keys.keys):
        raise TokenError("INVALID_TOKEN", "signed with a key the issuer does not publish")
    try:
        decoded = jwt.decode(token, keys, algorithms=list(algorithms))
    except JoseError as exc:
        raise TokenError("INVALID_TOKEN", f"bad signature or form ({exc.error})") from exc
    except (ValueError, TypeError) as exc:
        raise TokenError("INVALID_TOKEN", "bad signature or form") from exc
    claims = dict(decoded.claims)
    moment = clock() if now is None else now
    if str(claims.get("iss", "")).rstrip("/") != issuer:
        raise TokenError("INVALID_TOKEN", "wrong issuer")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if audience not in audiences:
        raise TokenError("INVALID_TOKEN", "not issued for Luukku (aud)")
    if len(audiences) > 1 and "azp" in claims and claims["azp"] != audience:
        raise TokenError("INVALID_TOKEN", "issued to another party (azp)")
    exp = claims.get("exp")
    if not isinstance(exp, int | float):
        raise TokenError("INVALID_TOKEN", "no expiry (exp)")
    if exp + leeway < moment:
        raise TokenError("TOKEN_EXPIRED", "the token has expired")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and nbf - leeway > moment:
        raise TokenError("INVALID_TOKEN", "not valid yet (nbf)")
    iat = claims.get("iat")
    if require_iat and not isinstance(iat, int | float):
        raise TokenError("INVALID_TOKEN", "no issue time (iat)")
    if isinstance(iat, int | float) and iat - leeway > moment:
        raise TokenError("INVALID_TOKEN", "issued in the future (iat)")
    if nonce is not None and not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise TokenError("INVALID_TOKEN", "wrong nonce")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenError("INVALID_TOKEN", "no subject (sub)")
    return claims


async def exchange_code(
    metadata: IssuerMetadata,
    *,
    client_id: str,
    client_secret: str,
    auth_method: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> dict[str, Any]:
    """The token endpoint's answer for an authorization code (with the PKCE verifier)."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    auth: httpx.Auth | None = httpx.BasicAuth(client_id, client_secret)
    if auth_method == "client_secret_post":
        data |= {"client_id": client_id, "client_secret": client_secret}
        auth = None
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            response = await client.post(
                metadata.token_endpoint,
                data=data,
                auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                headers={"Accept": "application/json"},
            )
    except httpx.HTTPError as exc:
        raise TokenError("TOKEN_EXCHANGE_FAILED", f"token endpoint: {type(exc).__name__}") from exc
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200 or not isinstance(answer, dict):
        error = answer.get("error", "") if isinstance(answer, dict) else ""
        raise TokenError(
            "TOKEN_EXCHANGE_FAILED",
            f"token endpoint answered {response.status_code} {str(error)[:40]}".strip(),
        )
    if not isinstance(answer.get("id_token"), str):
        raise TokenError("TOKEN_EXCHANGE_FAILED", "no ID token in the answer")
    return answer
