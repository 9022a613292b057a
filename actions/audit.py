"""The audit log: who did what, for which organisation, to which object, via which X-Road client."""

from __future__ import annotations

from typing import Any

from actions.base import Tx
from models import AuditEntry
from models.authority_work import AuditAction
from permissions import policies
from permissions.facts import Viewer


def audit_row(
    viewer: Viewer,
    action: AuditAction,
    object_type: str,
    object_id: int,
    authority_id: int,
    details: dict[str, Any] | None = None,
    *,
    acting_for: int | None = None,
) -> AuditEntry:
    """An unsaved entry; the viewer acts for `authority_id` when they are one of its users,
    otherwise for `acting_for` (e.g. a co-authority reading the application)."""
    if policies.acts_for_authority(viewer, authority_id):
        acting_for = authority_id
    details = dict(details or {})
    if viewer.basis is not None:
        details.setdefault("basis", dict(viewer.basis))
    return AuditEntry(
        action=action,
        object_type=object_type,
        object_id=object_id,
        authority_id=authority_id,
        actor_id=viewer.person_id,
        actor_label=viewer.name[:200],
        acting_for_id=acting_for,
        xroad_client=viewer.xroad.get("client"),
        xroad_id=viewer.xroad.get("id"),
        xroad_user_id=viewer.xroad.get("user_id"),
        details=details,
    )


async def audit(
    tx: Tx,
    viewer: Viewer,
    action: AuditAction,
    object_type: str,
    object_id: int,
    authority_id: int,
    details: dict[str, Any] | None = None,
) -> None:
    """Write one entry in the action's own transaction."""
    await audit_row(viewer, action, object_type, object_id, authority_id, details).save(
        using_db=tx.conn
    )


async def audit_many(rows: list[AuditEntry]) -> None:
    """Write entries collected during a read in one statement."""
    if rows:
        await AuditEntry.bulk_create(rows)
