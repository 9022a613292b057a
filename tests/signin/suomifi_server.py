"""A local Suomi.fi e-Authorizations Web API (organisation roles), as documented.

A test double for a national service that cannot run here: it implements the protocol
Luukku's client speaks (auth/mandates.py) and checks what the real service checks: the
`X-AsiointivaltuudetAuthorization` checksum (HMAC-SHA256 with the API key over path, query
and timestamp, the timestamp within ±5 minutes), the OAuth client's Basic credentials, the
one-time authorization code, and the bearer token and its Web API session.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.servers import free_port, serving

CLIENT_ID = "luukku01"
API_KEY = "test-api-key-0123456789"
OAUTH_SECRET = "test-oauth-secret"


@dataclass
class Person:
    #: what the person picks on the selection page ("deny": cancels)
    organisations: list[dict[str, Any]] = field(default_factory=list)
    deny: bool = False


@dataclass
class WebApi:
    people: dict[str, Person] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # sessionId -> hetu
    users: dict[str, str] = field(default_factory=dict)  # userId -> sessionId
    codes: dict[str, str] = field(default_factory=dict)  # code -> sessionId
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> sessionId
    expired: set[str] = field(default_factory=set)
    bad_checksums: int = 0
    calls: list[str] = field(default_factory=list)

    def expire_all(self) -> None:
        self.expired |= set(self.sessions)

    def _checksum_ok(self, request: Request) -> bool:
        header = request.headers.get("x-asiointivaltuudetauthorization", "")
        parts = header.split(" ")
        if len(parts) != 3 or parts[0] != CLIENT_ID:
            return False
        _, stamp, given = parts
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            return False
        if abs(datetime.now(UTC) - moment) > timedelta(minutes=5):
            return False
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        expected = base64.b64encode(
            hmac.new(API_KEY.encode(), f"{path} {stamp}".encode(), hashlib.sha256).digest()
        ).decode()
        return hmac.compare_digest(expected, given)

    def _refuse(self) -> Response:
        self.bad_checksums += 1
        return JSONResponse({"error": "checksum"}, status_code=403)

    async def register(self, request: Request) -> Response:
        self.calls.append("register")
        if not self._checksum_ok(request) or request.path_params["client"] != CLIENT_ID:
            return self._refuse()
        session_id, user_id = secrets.token_hex(8), secrets.token_hex(8)
        self.sessions[session_id] = request.path_params["hetu"]
        self.users[user_id] = session_id
        return JSONResponse({"sessionId": session_id, "userId": user_id})

    async def authorize(self, request: Request) -> Response:
        """The selection page: the person picks (here: as configured) and comes back."""
        q = request.query_params
        session_id = self.users.get(q.get("user", ""))
        if (
            q.get("client_id") != CLIENT_ID
            or session_id is None
            or q.get("response_type") != "code"
        ):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        person = self.people.get(self.sessions[session_id], Person())
        if person.deny:
            query = {"error": "access_denied", "state": q.get("state", "")}
        else:
            code = secrets.token_hex(8)
            self.codes[code] = session_id
            query = {"code": code, "state": q.get("state", "")}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode(query)}", status_code=302)

    async def token(self, request: Request) -> Response:
        self.calls.append("token")
        auth = request.headers.get("authorization", "")
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{OAUTH_SECRET}".encode()).decode()
        if not hmac.compare_digest(auth, expected):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        session_id = self.codes.pop(request.query_params.get("code", ""), None)
        if session_id is None or request.query_params.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        token = secrets.token_hex(16)
        self.tokens[token] = session_id
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 599})

    async def roles(self, request: Request) -> Response:
        self.calls.append("organizationRoles")
        if not self._checksum_ok(request):
            return self._refuse()
        session_id = request.path_params["session"]
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.tokens.get(bearer) != session_id or session_id in self.expired:
            return JSONResponse({"error": "session expired"}, status_code=401)
        person = self.people.get(self.sessions[session_id], Person())
        answer = person.organisations
        business_id = request.path_params.get("business_id")
        if business_id is not None:
            answer = [o for o in answer if o.get("identifier") == business_id]
        return JSONResponse(answer)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/service/ypa/user/register/{client}/{hetu}", self.register),
                Route("/oauth/authorize", self.authorize),
                Route("/oauth/token", self.token, methods=["POST"]),
                Route("/service/ypa/api/organizationRoles/{session}", self.roles),
                Route("/service/ypa/api/organizationRoles/{session}/{business_id}", self.roles),
            ]
        )


@contextlib.asynccontextmanager
async def running() -> AsyncIterator[tuple[WebApi, str]]:
    api = WebApi()
    port = free_port()
    config = uvicorn.Config(
        api.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    async with serving(config) as url:
        yield api, url
