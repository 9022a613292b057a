"""Deliveries to authority systems: CloudEvents 1.0 envelopes, signed as Standard Webhooks.

Headers: `webhook-id` (the CloudEvent id, stable across retries, so that the receiver can
deduplicate), `webhook-timestamp` (seconds) and `webhook-signature`: `v1,<base64 of
HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`, one per active secret, space-separated,
so that a receiver keeps working while secrets rotate. X-Road REST headers `X-Road-Client`
(XROAD_CLIENT) and `X-Road-Id` (per request) are set when Luukku talks through X-Road.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from typing import Any

import httpx
import orjson

from models.settings import Settings

SECRET_PREFIX = "whsec_"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secrets_: list[str], message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(_key(s), signed, hashlib.sha256).digest()).decode()
        for s in secrets_
    )


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does: check the timestamp and that one signature matches."""
    try:
        message_id = headers["webhook-id"]
        timestamp = int(headers["webhook-timestamp"])
        signatures = headers["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign([secret], message_id, timestamp, body).split(",", 1)[1]
    return any(
        hmac.compare_digest(s.split(",", 1)[1], expected) for s in signatures if s.startswith("v1,")
    )


def cloud_event(
    event_id: str, topic: str, subject: str, data: dict[str, Any], source: str, time_: str
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": source,
        "type": f"fi.luukku.{topic}",
        "subject": subject,
        "time": time_,
        "datacontenttype": "application/json",
        "data": data,
    }


async def deliver(
    event: dict[str, Any],
    url: str,
    secrets_: list[str],
    settings: Settings,
    client: httpx.AsyncClient,
) -> None:
    """POST the event; any non-2xx answer or transport error raises (the outbox retries).

    The endpoint and secrets are read when sending, so a rotation applies to queued items.
    """
    if not url or not secrets_:
        raise DeliveryRefused("the authority has no system endpoint or signing secret configured")
    body = orjson.dumps(event)
    timestamp = int(time.time())
    headers = {
        "content-type": CONTENT_TYPE,
        "webhook-id": event["id"],
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secrets_, event["id"], timestamp, body),
        "user-agent": "Luukku-Outbox/1",
    }
    if settings.xroad_client:
        headers["X-Road-Client"] = settings.xroad_client
        headers["X-Road-Id"] = uuid.uuid4().hex
    response = await client.post(
        url, content=body, headers=headers, timeout=settings.webhook_timeout
    )
    if response.status_code // 100 != 2:
        raise DeliveryRefused(f"{response.status_code} from {url}: {response.text[:200]}")


class DeliveryRefused(Exception):
    """The endpoint answered, but not with 2xx."""
