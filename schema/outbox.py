"""Notices and deliveries in the outbox, and the mails kept when no SMTP server is set."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from models import Application as ApplicationModel
from models import OutboxItem as OutboxItemModel
from models.ids import local_id
from models.outbox import OutboxKind as DomainKind
from models.outbox import OutboxStatus as DomainStatus
from permissions import policies
from permissions.facts import ApplicationFacts
from resolvers.context import Info
from resolvers.loaders import Row
from schema.application import Application, visible_application
from schema.enums import describe
from schema.node import Node

OutboxKind = DomainKind
strawberry.enum(OutboxKind, description="What an outbox item sends.")
describe(
    OutboxKind,
    {
        "EMAIL": "An e-mail notice.",
        "DELIVERY": "A delivery to an authority's system.",
        "SCAN": "A virus scan of an uploaded file (operators see these).",
    },
)
OutboxStatus = DomainStatus
strawberry.enum(OutboxStatus, description="Where an outbox item is.")
describe(
    OutboxStatus,
    {
        "PENDING": "Waiting to be sent, or to be retried.",
        "DELIVERED": "Sent.",
        "KEPT": "An e-mail kept in the database instead of sent, as no SMTP server is "
        "configured (SMTP_HOST): `keptMails`, or `luukku mail`.",
        "DEAD": "The retry schedule ran out; it can be retried by hand.",
        "CANCELLED": "A scheduled reminder that was no longer true when due; never sent.",
    },
)


@strawberry.type(description="A notice or delivery in the transactional outbox.")
class OutboxItem(Node):
    id: relay.NodeID[int]
    kind: OutboxKind = strawberry.field(description="E-mail or delivery.")
    topic: str = strawberry.field(description="What it tells, e.g. authority.submitted.")
    status: OutboxStatus = strawberry.field(description="Where it is.")
    event_id: str = strawberry.field(
        description="Stable id (the CloudEvent id; receivers deduplicate by it)."
    )
    attempts: int = strawberry.field(description="Attempts made so far.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    next_attempt_at: datetime = strawberry.field(
        description="When it is (re)tried next, if pending."
    )
    created_at: datetime = strawberry.field(description="When the change that caused it committed.")
    delivered_at: datetime | None = strawberry.field(description="When it was sent.")
    recipient: str | None = strawberry.field(description="The e-mail address, for e-mails.")
    application_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            kind=DomainKind(row["kind"]),
            topic=row["topic"],
            status=DomainStatus(row["status"]),
            event_id=row["event_id"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            next_attempt_at=row["next_attempt_at"],
            created_at=row["created_at"],
            delivered_at=row["delivered_at"],
            recipient=row["payload"].get("to") if row["kind"] == DomainKind.EMAIL else None,
            application_id=row["application_id"],
        )

    @strawberry.field(description="The application it is about, if visible to the viewer.")
    async def application(self, info: Info) -> Application | None:
        if self.application_id is None:
            return None
        return await visible_application(info, self.application_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Self | None]:
        """An item is visible to whom manages it: operators, and its authority's admins."""
        viewer = info.context.viewer
        if not policies.can_manage_outbox(viewer):
            return [None for _ in node_ids]
        ids = [local_id(i) or 0 for i in node_ids]
        rows = {r["id"]: r for r in await OutboxItemModel.filter(id__in=ids).values()}
        about = [r["application_id"] for r in rows.values() if r["application_id"] is not None]
        apps = {
            a["id"]: ApplicationFacts.from_row(a)
            for a in await ApplicationModel.filter(id__in=about or [0]).values()
        }
        return [
            cls.from_row(rows[i])
            if i in rows
            and policies.can_see_outbox_item(
                viewer, rows[i]["authority_id"], apps.get(rows[i]["application_id"])
            )
            else None
            for i in ids
        ]


@strawberry.type(description="A mail kept instead of sent (no SMTP server configured).")
class KeptMail:
    to: str = strawberry.field(description="Recipient.")
    subject: str = strawberry.field(description="Subject.")
    text: str = strawberry.field(description="Plain-text body.")
    html: str = strawberry.field(description="HTML body.")
    language: str = strawberry.field(description="Language of the mail (fi, sv or en).")
    kept_at: datetime = strawberry.field(description="When it was kept.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            to=row["to"],
            subject=row["subject"],
            text=row["text"],
            html=row["html"],
            language=row["language"],
            kept_at=row["kept_at"],
        )
