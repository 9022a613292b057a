"""Mandates: may this person act for that organisation? One interface, two services.

- `memberships`: the organisations a person represents in Luukku's own register
  (`luukku user create --role CUSTOMER_REPRESENTATIVE`, the demo people); checked in the
  database by `actions.signin`.
- `suomifi`: Suomi.fi e-Authorizations, the organisation-role flow of its Web API
  (`ypa`), implemented here as documented:

  1. register a Web API session for the signed-in person:
     `GET /service/ypa/user/register/{client_id}/{personal identity code}?requestId=…`
     → `{"sessionId", "userId"}` (done at login, the only moment Luukku has the code);
  2. send the browser to the selection page `GET /oauth/authorize?client_id&response_type=code
     &redirect_uri&user={userId}&lang&state`, which comes back with `code` (or `error`);
  3. `POST /oauth/token?code&grant_type=authorization_code&redirect_uri` with HTTP Basic
     (client id, OAuth secret) → `access_token`;
  4. `GET /service/ypa/api/organizationRoles/{sessionId}[/{businessId}]?requestId=…` with
     `Authorization: Bearer` → `[{"name", "identifier", "roles": [...], "complete"}]`;
     401 means the Web API session has ended.

  Every call to `/service/...` carries `X-AsiointivaltuudetAuthorization: {client_id}
  {timestamp} {checksum}`, where the checksum is BASE64(HMAC-SHA256(API key, path-and-query
  + " " + timestamp)) and the timestamp ISO 8601 within ±5 minutes of the server's clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from actions.auth.config import SuomiFiMandates
from permissions.signin import MandateOrganisation

CHECKSUM_HEADER = "X-AsiointivaltuudetAuthorization"


class MandateError(Exception):
    """The mandate service could not answer (`code`: MANDATE_UNAVAILABLE, MANDATE_EXPIRED,
    MANDATE_DENIED)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def timestamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def checksum(api_key: str, path_and_query: str, stamp: str) -> str:
    mac = hmac.new(api_key.encode(), f"{path_and_query} {stamp}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def checksum_header(client_id: str, api_key: str, path_and_query: str, stamp: str) -> str:
    return f"{client_id} {stamp} {checksum(api_key, path_and_query, stamp)}"


def parse_organisations(data: Any) -> list[MandateOrganisation]:
    """The organisations of an organizationRoles answer; a malformed entry counts as incomplete."""
    if not isinstance(data, list):
        raise MandateError("MANDATE_UNAVAILABLE", "organizationRoles did not answer a list")
    result = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("identifier"), str):
            continue
        roles = item.get("roles")
        complete = item.get("complete") is True and isinstance(roles, list)
        result.append(
            MandateOrganisation(
                business_id=item["identifier"],
                name=str(item.get("name") or item["identifier"])[:200],
                roles=tuple(r for r in roles if isinstance(r, str))
                if isinstance(roles, list)
                else (),
                complete=complete,
            )
        )
    return result


class SuomiFiClient:
    """The e-Authorizations Web API, organisation roles."""

    name = "suomifi"

    def __init__(self, config: SuomiFiMandates) -> None:
        self.config = config

    def _headers(self, path_and_query: str) -> dict[str, str]:
        return {
            CHECKSUM_HEADER: checksum_header(
                self.config.client_id, self.config.api_key, path_and_query, timestamp()
            ),
            "Accept": "application/json",
        }

    async def _call(
        self, method: str, path_and_query: str, *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        try:
            async with httpx.AsyncClient(timeout=self.config.timeout_seconds) as client:
                return await client.request(
                    method, self.config.base_url + path_and_query, headers=headers
                )
        except httpx.HTTPError as exc:
            raise MandateError("MANDATE_UNAVAILABLE", type(exc).__name__) from exc

    @staticmethod
    def _request_id() -> str:
        return uuid.uuid4().hex

    async def register(self, hetu: str) -> dict[str, str]:
        """Start a Web API session for the person: {"sessionId", "userId"}."""
        path = (
            f"/service/ypa/user/register/{self.config.client_id}/{hetu}"
            f"?requestId={self._request_id()}"
        )
        response = await self._call("GET", path, headers=self._headers(path))
        data = _json(response)
        if response.status_code != 200 or not isinstance(data, dict):
            raise MandateError("MANDATE_UNAVAILABLE", f"register answered {response.status_code}")
        session_id, user_id = data.get("sessionId"), data.get("userId")
        if not isinstance(session_id, str) or not isinstance(user_id, str):
            raise MandateError("MANDATE_UNAVAILABLE", "register answer lacks sessionId/userId")
        return {"sessionId": session_id, "userId": user_id}

    def authorize_url(self, user_id: str, redirect_uri: str, state: str, language: str) -> str:
        query = urlencode(
            {
                "client_id": self.config.client_id,
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "user": user_id,
                "lang": language,
                "state": state,
            }
        )
        return f"{self.config.base_url}/oauth/authorize?{query}"

    async def token(self, code: str, redirect_uri: str) -> str:
        """The access token for the person's selection."""
        query = urlencode(
            {"code": code, "grant_type": "authorization_code", "redirect_uri": redirect_uri}
        )
        try:
            async with httpx.AsyncClient(timeout=self.config.timeout_seconds) as client:
                response = await client.post(
                    f"{self.config.base_url}/oauth/token?{query}",
                    auth=(self.config.client_id, self.config.oauth_secret),
                )
        except httpx.HTTPError as exc:
            raise MandateError("MANDATE_UNAVAILABLE", type(exc).__name__) from exc
        data = _json(response)
        if response.status_code != 200 or not isinstance(data, dict):
            raise MandateError("MANDATE_DENIED", f"token answered {response.status_code}")
        token = data.get("access_token")
        if not isinstance(token, str):
            raise MandateError("MANDATE_UNAVAILABLE", "no access_token")
        return token

    async def organisation_roles(
        self, session_id: str, access_token: str, business_id: str | None = None
    ) -> list[MandateOrganisation]:
        path = f"/service/ypa/api/organizationRoles/{session_id}"
        if business_id is not None:
            path += f"/{business_id}"
        path += f"?requestId={self._request_id()}"
        headers = self._headers(path) | {"Authorization": f"Bearer {access_token}"}
        response = await self._call("GET", path, headers=headers)
        if response.status_code == 401:
            raise MandateError("MANDATE_EXPIRED", "the e-Authorizations session has ended")
        if response.status_code != 200:
            raise MandateError("MANDATE_UNAVAILABLE", f"organizationRoles {response.status_code}")
        return parse_organisations(_json(response))

    async def unregister(self, session_id: str) -> None:
        path = f"/service/ypa/user/unregister/{session_id}?requestId={self._request_id()}"
        try:
            await self._call("GET", path, headers=self._headers(path))
        except MandateError:
            pass  # best effort: the session ends at the service anyway


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
