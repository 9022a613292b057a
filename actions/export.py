"""The whole application as one JSON document: the export, and the data of API deliveries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from actions.attachments import listing
from actions.base import Tx
from models import Decision, Message, Organisation, Person, StatusChange, SupplementRequest, Thread
from models.ids import global_id
from models.statuses import ApplicationStatus as S

if TYPE_CHECKING:
    from actions.applications import Locked


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


async def export_document(tx: Tx, locked: Locked) -> dict[str, Any]:
    app, project = locked.application, locked.project
    conn = tx.conn
    owner: dict[str, Any]
    if project.owner_organisation_id is not None:
        org = await Organisation.get(id=project.owner_organisation_id).using_db(conn)
        owner = {"type": "ORGANISATION", "name": org.name.get("fi"), "businessId": org.business_id}
    else:
        person = await Person.get(id=project.owner_person_id).using_db(conn)
        owner = {"type": "PERSON", "name": person.name, "email": person.email}
    submitted_by = (
        await Person.get_or_none(id=app.submitted_by_id).using_db(conn)
        if app.submitted_by_id
        else None
    )
    authority = await Organisation.get(id=app.authority_id).using_db(conn)
    history = (
        await StatusChange.filter(application_id=app.id)
        .using_db(conn)
        .order_by("id")
        .values("from_status", "to_status", "actor_label", "comment", "created_at")
    )
    supplements = (
        await SupplementRequest.filter(application_id=app.id)
        .using_db(conn)
        .order_by("id")
        .values(
            "message",
            "due_date",
            "requested_by_label",
            "created_at",
            "answered_at",
            "answer_message",
            "answer_content",
            "closed_at",
        )
    )
    thread = await Thread.filter(application_id=app.id).using_db(conn).first()
    messages = (
        await Message.filter(thread_id=thread.id)
        .using_db(conn)
        .order_by("id")
        .values("author_label", "body", "created_at")
        if thread
        else []
    )
    decision = (
        await Decision.filter(application_id=app.id)
        .using_db(conn)
        .values(
            "outcome",
            "decided_on",
            "summary",
            "document_reference",
            "is_shared",
            "recorded_by_label",
            "created_at",
        )
    )
    clean = lambda rows: [{k: _iso(v) for k, v in row.items()} for row in rows]  # noqa: E731
    return {
        "format": "luukku.application.export/1",
        "exportedAt": datetime.now(UTC).isoformat(),
        "application": {
            "id": global_id("Application", app.id),
            "permitType": {"code": locked.permit_type["code"], "name": locked.permit_type["name"]},
            "authority": {
                "code": authority.code,
                "name": authority.name,
                "businessId": authority.business_id,
            },
            "status": S(app.status).value,
            "version": app.version,
            "submittedAt": _iso(app.submitted_at),
            "submittedBy": submitted_by.name if submitted_by else None,
            "formData": app.content,
        },
        "customer": owner,
        "project": {
            "id": global_id("Project", project.id),
            "name": project.name,
            "description": project.description,
            "municipalityCode": project.municipality_id,
            "location": None
            if project.latitude is None
            else {"latitude": project.latitude, "longitude": project.longitude},
            "area": project.area,
            "startsOn": _iso(project.starts_on),
            "endsOn": _iso(project.ends_on),
            "sharedData": project.shared_data,
        },
        "history": clean(history),
        "supplements": clean(supplements),
        "messages": clean(messages),
        "decision": clean(decision)[0] if decision else None,
        # name, type, size and SHA-256 of each; deliveries add a link for the receiving system
        "attachments": await listing(tx, app.id),
    }
