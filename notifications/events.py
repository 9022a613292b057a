"""Live events: small JSON messages published on the bus after a change commits.

A message says what happened and to which objects (kind, ids, the new status); it never
carries content. Each subscriber reloads the objects and asks the policies itself, so the
same rules apply to subscriptions as to queries.

Channels: `project:{id}` (every event of a project) and `authority:{id}` (work for an
authority's inbox: new submissions, answered supplements, withdrawals, customers' messages).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson

log = logging.getLogger("luukku.events")


class EventKind(StrEnum):
    APPLICATION_SUBMITTED = "APPLICATION_SUBMITTED"
    APPLICATION_SHARED = "APPLICATION_SHARED"
    APPLICATION_UNSHARED = "APPLICATION_UNSHARED"
    APPLICATION_WITHDRAWN = "APPLICATION_WITHDRAWN"
    STATUS_CHANGED = "STATUS_CHANGED"
    SUPPLEMENT_REQUESTED = "SUPPLEMENT_REQUESTED"
    SUPPLEMENT_SUBMITTED = "SUPPLEMENT_SUBMITTED"
    DECISION_RECORDED = "DECISION_RECORDED"
    MESSAGE_POSTED = "MESSAGE_POSTED"
    STATEMENT_REQUESTED = "STATEMENT_REQUESTED"
    STATEMENT_ANSWERED = "STATEMENT_ANSWERED"
    STATEMENT_DECLINED = "STATEMENT_DECLINED"
    STATEMENT_SHARED = "STATEMENT_SHARED"
    ATTACHMENT_ADDED = "ATTACHMENT_ADDED"
    ATTACHMENT_REMOVED = "ATTACHMENT_REMOVED"
    ATTACHMENT_SCANNED = "ATTACHMENT_SCANNED"
    #: never published: the first event of a subscription asked with `listening: true`,
    #: sent once it has joined its channels (resolvers/live/table.py)
    LISTENING = "LISTENING"


#: Kinds that change an application's status (applicationStatusChanged carries these).
STATUS_KINDS = frozenset(
    {
        EventKind.APPLICATION_SUBMITTED,
        EventKind.APPLICATION_WITHDRAWN,
        EventKind.STATUS_CHANGED,
        EventKind.SUPPLEMENT_REQUESTED,
        EventKind.SUPPLEMENT_SUBMITTED,
        EventKind.DECISION_RECORDED,
    }
)
#: Kinds that are (new or returned) work for the addressed authority's inbox.
INBOX_KINDS = frozenset(
    {
        EventKind.APPLICATION_SUBMITTED,
        EventKind.SUPPLEMENT_SUBMITTED,
        EventKind.APPLICATION_WITHDRAWN,
        EventKind.MESSAGE_POSTED,
    }
)
#: Statement requests: work for the asked authority; answers: for the handling authority.
STATEMENT_KINDS = frozenset(
    {
        EventKind.STATEMENT_REQUESTED,
        EventKind.STATEMENT_ANSWERED,
        EventKind.STATEMENT_DECLINED,
        EventKind.STATEMENT_SHARED,
    }
)


@dataclass(frozen=True)
class LiveEvent:
    kind: EventKind
    project_id: int
    application_id: int | None = None
    authority_id: int | None = None
    from_status: str | None = None
    to_status: str | None = None
    message_id: int | None = None
    thread_id: int | None = None
    by_customer: bool = False
    statement_id: int | None = None
    asked_authority_id: int | None = None
    attachment_id: int | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def inbox_authorities(self) -> frozenset[int]:
        """The authorities for which the event is new or returned work (inboxActivity)."""
        if self.kind is EventKind.STATEMENT_REQUESTED and self.asked_authority_id is not None:
            return frozenset({self.asked_authority_id})
        if self.kind in (EventKind.STATEMENT_ANSWERED, EventKind.STATEMENT_DECLINED):
            return frozenset() if self.authority_id is None else frozenset({self.authority_id})
        if self.authority_id is not None and self.kind in INBOX_KINDS:
            if self.kind is not EventKind.MESSAGE_POSTED or self.by_customer:
                return frozenset({self.authority_id})
        return frozenset()

    def channels(self) -> list[str]:
        return [project_channel(self.project_id)] + [
            authority_channel(a) for a in sorted(self.inbox_authorities())
        ]

    def encode(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @classmethod
    def decode(cls, raw: str | bytes) -> LiveEvent | None:
        """The event of a bus message. Every subscriber of a process gets the same message,
        so the last one decoded is reused (events are immutable)."""
        global _last_decoded
        last = _last_decoded
        if last is not None and last[0] == raw:  # the same object: an identity check
            return last[1]
        event = cls._decode(raw)
        _last_decoded = (raw, event)
        return event

    @classmethod
    def _decode(cls, raw: str | bytes) -> LiveEvent | None:
        try:
            data: dict[str, Any] = orjson.loads(raw)
            data["kind"] = EventKind(data["kind"])
            return cls(**data)
        except (ValueError, TypeError, KeyError):
            log.warning("ignoring a malformed live event: %r", raw[:200])
            return None


_last_decoded: tuple[str | bytes, LiveEvent | None] | None = None


def _prefix() -> str:
    """BROADCAST_PREFIX: lets several Luukku installations (or test runs) share one Redis."""
    from models.settings import get_settings

    return get_settings().broadcast_prefix


def identity_channel() -> str:
    """Token revocations, membership changes and sessions ended or changed:
    {"token_id": ...}, {"person_id": ...} or {"session_id": ...}."""
    return f"{_prefix()}:identity"


async def publish_identity_change(
    *, token_id: int | None = None, person_id: int | None = None, session_id: int | None = None
) -> None:
    from notifications.bus import get_bus

    payload = orjson.dumps(
        {"token_id": token_id, "person_id": person_id, "session_id": session_id}
    ).decode()
    await get_bus().publish(identity_channel(), payload)


def catalogue_channel() -> str:
    """`luukku catalogue load` changed the catalogue: drop the in-memory snapshots."""
    return f"{_prefix()}:catalogue"


async def publish_catalogue_change() -> None:
    from notifications.bus import get_bus

    await get_bus().publish(catalogue_channel(), "{}")


def project_channel(project_id: int) -> str:
    return f"{_prefix()}:project:{project_id}"


def authority_channel(authority_id: int) -> str:
    return f"{_prefix()}:authority:{authority_id}"


async def publish(event: LiveEvent) -> None:
    """Publish on every channel of the event. Called after the commit (see actions.base)."""
    from notifications.bus import get_bus

    bus = get_bus()
    payload = event.encode()
    for channel in event.channels():
        await bus.publish(channel, payload)
