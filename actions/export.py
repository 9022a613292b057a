"""The whole application as one JSON document: the export, and the data of API deliveries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from actions.attachments import listing
from actions.base import Tx
from actions.facts import project_facts_in
from models import Decision, Message, Organisation, Person, StatusChange, SupplementRequest, Thread
from models.confidential import redact
from models.ids import global_id
from models.statuses import ApplicationStatus as S
from permissions import classification, policies
from permissions.facts import ApplicationFacts, DecisionFacts, ThreadFacts, Viewer

if TYPE_CHECKING:
    from actions.applications import Locked


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


async def export_document(tx: Tx, locked: Locked, reader: Viewer | None = None) -> dict[str, Any]:
    """The document as `reader` may read it (default: the addressed authority's system, which
    receives deliveries), by the same rules as the API (permissions/classification.py):
    history comments that carry a decision's summary and the decision only if the reader may
    see the decision, content only if it may read it, confidential fields only if it may."""
    app, project = locked.application, locked.project
    conn = tx.conn
    reader = reader or classification.delivery_recipient(app.authority_id)
    siblings, project_facts = await project_facts_in(tx, project)  # after this change
    app_facts = next(ApplicationFacts.from_row(r) for r in siblings if r["id"] == app.id)
    readable = policies.can_read_application_content(reader, app_facts, project_facts)
    schema = locked.permit_type["form_schema"]
    confidential = policies.can_read_confidential_fields(reader, app_facts, project_facts)

    def content(value: Any) -> Any:
        if not readable or value is None:
            return None
        return value if confidential else redact(value, schema)

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
    decision_facts = (
        DecisionFacts(app.id, app.authority_id, decision[0]["is_shared"]) if decision else None
    )
    if decision_facts is not None and not policies.can_see_decision(
        reader, decision_facts, app_facts, project_facts
    ):
        decision = []
    for change in history:
        if not classification.may_read_status_comment(
            reader, change["to_status"], decision_facts, app_facts, project_facts
        ):
            change["comment"] = ""
    thread_facts = ThreadFacts(thread.id if thread else 0, project.id, app_facts)
    if not policies.can_read_thread(reader, thread_facts, project_facts):
        messages = []
    for supplement in supplements:
        supplement["answer_content"] = content(supplement["answer_content"])
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
            "formData": content(app.content),
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
