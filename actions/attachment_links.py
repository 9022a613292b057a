"""Signed download links: `/attachments/<id>?sub=<who>&exp=<unix time>&sig=<HMAC-SHA256>`.

A link names whom it was made for (`p<person id>`, or `s<authority id>` for an authority's
system) and when it stops working. The download route checks the signature and the time,
then rebuilds that viewer from the database and asks the same policies as the API does, so a
link never grants more than its subject may see *at download time* (a lost membership or a
draft hidden again closes it). Links for the viewer last ATTACHMENT_LINK_SECONDS; those in
deliveries to an authority system ATTACHMENT_DELIVERY_LINK_SECONDS.

The signing key is ATTACHMENT_URL_SECRET, or one generated once and kept in the database
(`stored_secret`), so that every process and host signs alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from tortoise.exceptions import IntegrityError

from models import StoredSecret
from models.ids import decode_global_id, global_id
from models.settings import get_settings
from permissions.facts import Viewer

SECRET_NAME = "attachment_links"
_key: bytes | None = None
#: the time links expire from (tests hold it still to send one request twice alike)
clock: Callable[[], float] = time.time


async def signing_key() -> bytes:
    global _key
    if _key is None:
        configured = get_settings().attachment_url_secret
        if configured:
            _key = hashlib.sha256(configured.encode()).digest()
        else:
            row = await StoredSecret.get_or_none(name=SECRET_NAME)
            if row is None:
                try:
                    row = await StoredSecret.create(name=SECRET_NAME, value=secrets.token_hex(32))
                except IntegrityError:  # another process made it first
                    row = await StoredSecret.get(name=SECRET_NAME)
            _key = bytes.fromhex(row.value)
    return _key


def forget_key() -> None:
    """Read the key again (tests that empty the database)."""
    global _key
    _key = None


def subject_of(viewer: Viewer) -> str | None:
    if viewer.person_id is not None:
        return f"p{viewer.person_id}"
    if viewer.system_authority_id is not None:
        return f"s{viewer.system_authority_id}"
    return None


def _signature(key: bytes, attachment_id: int, subject: str, expires: int) -> str:
    message = f"{attachment_id}.{subject}.{expires}".encode()
    return (
        base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest())
        .decode()
        .rstrip("=")
    )


async def link(attachment_id: int, subject: str, seconds: int) -> str:
    expires = int(clock()) + seconds
    signature = _signature(await signing_key(), attachment_id, subject, expires)
    query = urlencode({"sub": subject, "exp": expires, "sig": signature})
    return f"{get_settings().public_base_url}/attachments/{global_id('Attachment', attachment_id)}?{query}"


async def verified_subject(attachment_id: int, params: dict[str, str]) -> str | None:
    """The subject of a valid, unexpired link to this attachment; None otherwise."""
    subject, expires, signature = (
        params.get("sub", ""),
        params.get("exp", ""),
        params.get("sig", ""),
    )
    if not (subject and expires.isdigit() and signature) or int(expires) < time.time():
        return None
    expected = _signature(await signing_key(), attachment_id, subject, int(expires))
    return subject if hmac.compare_digest(expected, signature) else None


async def with_links(event: dict[str, Any], authority_id: int | None) -> dict[str, Any]:
    """A delivery's CloudEvent with a download link, valid for the receiving system, on each
    attachment it lists (made when sending, so a retried delivery gets fresh links)."""
    data = event.get("data") or {}
    listed = data.get("attachments")
    if not listed or authority_id is None:
        return event
    seconds = get_settings().attachment_delivery_link_seconds
    for item in listed:
        decoded = decode_global_id(item["id"])
        if decoded is not None and decoded[0] == "Attachment":
            item["downloadUrl"] = await link(decoded[1], f"s{authority_id}", seconds)
    return event


async def viewer_for_subject(subject: str) -> Viewer | None:
    """The viewer a link was made for, as the database says it is now."""
    from actions.identity import viewer_for_person
    from models import Organisation, Person
    from models.enums import OrganisationKind

    kind, number = subject[:1], subject[1:]
    if not number.isdigit():
        return None
    if kind == "p":
        person = await Person.get_or_none(id=int(number))
        if person is None or not person.is_active:
            return None
        return await viewer_for_person(person)
    if kind == "s":
        authority = await Organisation.get_or_none(id=int(number), kind=OrganisationKind.AUTHORITY)
        if authority is None:
            return None
        return Viewer(system_authority_id=authority.id, name=str(authority.name.get("fi", "")))
    return None
