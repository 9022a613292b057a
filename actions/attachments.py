"""Attachments: streaming uploads into the store, their rows, scanning, removal and purging.

An upload is checked before anything is kept: the viewer may add to the owner; the name is a
plain file name; the content's type, from its magic bytes, is on the permit type's
allow-list (or the requirement's) and matches what the name claims; the size is within
ATTACHMENT_MAX_FILE_BYTES, the requirement's `maxBytes` and what the application still has
room for. The file streams into the store in chunks (SHA-256 computed on the way), then its
row is written in the action's transaction together with the owner's change, a scan job
(an outbox item) and the live event. When anything fails, what was stored is removed:
nothing is left behind.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from tortoise.functions import Count, Sum

from actions.base import Tx, atomic
from actions.scanning import ScanError, get_scanner
from actions.storage import Storage, StorageError, delete_quietly, get_storage
from models import Application, Attachment, CatalogueDocument, Person
from models.attachments import AttachmentOwner, ScanStatus
from models.authority_work import AuditAction
from models.catalogue import ATTACHMENT_TYPES
from models.errors import DomainError, DomainErrors, ErrorCode, raise_all
from models.filetypes import HEAD_BYTES, claimed_types, detect, matches_claim, name_problem
from models.settings import get_settings
from models.statuses import ApplicationStatus
from notifications.events import EventKind, LiveEvent
from permissions import attachments as rules
from permissions import policies
from permissions.facts import Viewer

log = logging.getLogger("luukku.attachments")

CHUNK = 256 * 1024
#: Objects in the store older than this without a row are a failed upload's (sweep removes them)
ORPHAN_GRACE_SECONDS = 24 * 3600


class Upload(Protocol):
    """An uploaded file as the GraphQL multipart request delivers it (Starlette's UploadFile)."""

    @property
    def filename(self) -> str | None: ...
    @property
    def content_type(self) -> str | None: ...
    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class FileSpec:
    upload: Upload
    #: the permit type's requirement it meets (APPLICATION and SUPPLEMENT owners)
    kind: str | None
    #: where it is in the input, for user errors (e.g. ["attachments", "0"])
    field: list[str]


@dataclass(frozen=True)
class Stored:
    key: str
    name: str
    content_type: str
    size: int
    sha256: str
    kind: str | None


@dataclass(frozen=True)
class UploadRules:
    """What may be uploaded to one owner."""

    types: frozenset[str]
    requirements: dict[str, dict[str, Any]] = field(default_factory=dict)
    kinds_allowed: bool = True
    #: room left on the application (None when the owner has no application)
    room_bytes: int | None = None
    room_files: int | None = None

    def for_kind(self, kind: str | None, where: list[str]) -> tuple[frozenset[str], int]:
        limit = get_settings().attachment_max_file_bytes
        if kind is None:
            return self.types, limit
        requirement = self.requirements.get(kind)
        if requirement is None or not self.kinds_allowed:
            raise DomainError(
                ErrorCode.INVALID_VALUE,
                field=[*where, "kind"],
                detail=DETAILS["not an attachment kind"],
            )
        return frozenset(requirement["types"]), min(limit, int(requirement["maxBytes"]))


async def default_types() -> frozenset[str]:
    row = await CatalogueDocument.filter(key=ATTACHMENT_TYPES).values("document")
    return frozenset(row[0]["document"]["defaultTypes"]) if row else frozenset()


async def rules_for_application(
    tx: Tx | None, permit_type: dict[str, Any], application_id: int, *, kinds_allowed: bool
) -> UploadRules:
    """The permit type's allow-lists and the room the application has left."""
    settings = get_settings()
    query = Attachment.filter(application_id=application_id, removed_at=None)
    if tx is not None:
        query = query.using_db(tx.conn)
    used = await query.annotate(n=Count("id"), total=Sum("size")).values("n", "total")
    count = used[0]["n"] if used else 0
    total = int(used[0]["total"] or 0) if used else 0
    return UploadRules(
        types=frozenset(permit_type.get("attachment_types") or await default_types()),
        requirements={r["kind"]: r for r in permit_type.get("attachment_requirements") or []},
        kinds_allowed=kinds_allowed,
        room_bytes=settings.attachment_max_application_bytes - total,
        room_files=settings.attachment_max_application_files - count,
    )


# --- streaming into the store -------------------------------------------------------------------


#: The details of attachment errors, in each language.
DETAILS: dict[str, dict[str, str]] = {
    "too long": {
        "fi": "yli 255 merkkiä",
        "sv": "över 255 tecken",
        "en": "over 255 characters",
    },
    "path separator": {
        "fi": "nimessä on hakemistoerotin (/ tai \\)",
        "sv": "namnet innehåller en katalogavgränsare (/ eller \\)",
        "en": "the name contains a path separator (/ or \\)",
    },
    "control character": {
        "fi": "nimessä on ohjausmerkki",
        "sv": "namnet innehåller ett styrtecken",
        "en": "the name contains a control character",
    },
    "empty": {"fi": "nimi puuttuu", "sv": "namnet saknas", "en": "the name is missing"},
    "too many files in one request": {
        "fi": "liikaa tiedostoja yhdessä pyynnössä",
        "sv": "för många filer i en begäran",
        "en": "too many files in one request",
    },
    "the application's number of files": {
        "fi": "hakemuksen liitteiden enimmäismäärä",
        "sv": "ansökans högsta antal bilagor",
        "en": "the application's number of files",
    },
    "the application's total size": {
        "fi": "hakemuksen liitteiden yhteiskoko",
        "sv": "ansökans bilagors sammanlagda storlek",
        "en": "the application's total size of files",
    },
    "not an attachment kind": {
        "fi": "luvalla ei ole tämännimistä liitelajia",
        "sv": "tillståndet har ingen sådan bilagetyp",
        "en": "the permit has no attachment of this kind",
    },
}


def _limit_error(detail: str, where: list[str]) -> DomainError:
    return DomainError(ErrorCode.ATTACHMENT_LIMIT, field=where, detail=DETAILS[detail])


async def _store_one(
    store: Storage, spec: FileSpec, rules_: UploadRules, budget: list[int]
) -> Stored:
    where = [*spec.field, "file"]
    name = (spec.upload.filename or "").strip()
    problem = name_problem(spec.upload.filename or "")
    if problem is not None:
        raise DomainError(ErrorCode.INVALID_FILE_NAME, field=where, detail=DETAILS[problem])
    types, max_bytes = rules_.for_kind(spec.kind, spec.field)
    head = b""
    while len(head) < HEAD_BYTES:
        chunk = await spec.upload.read(HEAD_BYTES - len(head))
        if not chunk:
            break
        head += chunk
    if not head:
        raise DomainError(ErrorCode.FILE_EMPTY, field=where, name=name)
    detected = detect(head)
    claims = claimed_types(name, spec.upload.content_type)
    if not matches_claim(detected, claims):
        raise DomainError(
            ErrorCode.FILE_TYPE_MISMATCH,
            field=where,
            name=name,
            type=detected,
            claimed=", ".join(sorted(claims)),
        )
    if detected not in types:
        raise DomainError(
            ErrorCode.FILE_TYPE_NOT_ALLOWED,
            field=where,
            name=name,
            type=detected,
            allowed=", ".join(sorted(types)),
        )
    digest = hashlib.sha256()
    size = 0
    writer = await store.create()
    try:
        chunk = head
        while chunk:
            size += len(chunk)
            if size > max_bytes:
                raise DomainError(ErrorCode.FILE_TOO_LARGE, field=where, name=name, max=max_bytes)
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise _limit_error("the application's total size", where)
            digest.update(chunk)
            await writer.write(chunk)
            chunk = await spec.upload.read(CHUNK)
        await writer.commit()
    except BaseException:
        await writer.abort()
        raise
    return Stored(writer.key, name, detected, size, digest.hexdigest(), spec.kind)


async def store_files(files: Sequence[FileSpec], rules_: UploadRules) -> list[Stored]:
    """Stream every file into the store; on any problem remove what was stored and raise."""
    settings = get_settings()
    if len(files) > settings.attachment_max_request_files:
        raise _limit_error("too many files in one request", [files[0].field[0]])
    if rules_.room_files is not None and len(files) > rules_.room_files:
        raise _limit_error("the application's number of files", [files[0].field[0]])
    budget = [rules_.room_bytes if rules_.room_bytes is not None else 1 << 62]
    store = get_storage()
    stored: list[Stored] = []
    try:
        for spec in files:
            stored.append(await _store_one(store, spec, rules_, budget))
    except BaseException:
        await delete_quietly(store, [s.key for s in stored])
        raise
    return stored


@asynccontextmanager
async def stored_files(
    files: Sequence[FileSpec], rules_: UploadRules | None
) -> AsyncIterator[list[Stored]]:
    """The files stored for the duration of an action: removed again if the action fails."""
    if not files or rules_ is None:
        yield []
        return
    stored = await store_files(files, rules_)
    try:
        yield stored
    except BaseException:
        await delete_quietly(get_storage(), [s.key for s in stored])
        raise


# --- rows, scanning jobs and events ------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    kind: AttachmentOwner
    id: int
    project_id: int
    application_id: int | None
    #: the authority concerned (live events reach its inbox channel when relevant)
    authority_id: int | None


async def add_rows(
    tx: Tx,
    viewer: Viewer,
    owner: Owner,
    stored: Sequence[Stored],
    acting_for: int | None,
    rules_: UploadRules | None = None,
) -> list[Attachment]:
    """The rows of stored files, in the action's transaction, with their scan jobs and events.
    `rules_` (read again inside the transaction) re-checks the application's room, which a
    concurrent upload may have used meanwhile."""
    if not stored:
        return []
    if rules_ is not None and owner.application_id is not None:
        if rules_.room_files is not None and len(stored) > rules_.room_files:
            raise _limit_error("the application's number of files", ["attachments"])
        if rules_.room_bytes is not None and sum(s.size for s in stored) > rules_.room_bytes:
            raise _limit_error("the application's total size", ["attachments"])
    scanner = get_scanner()
    rows = []
    for item in stored:
        row = await Attachment.create(
            owner_kind=owner.kind,
            owner_id=owner.id,
            project_id=owner.project_id,
            application_id=owner.application_id,
            requirement_kind=item.kind,
            name=item.name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            storage_key=item.key,
            scan_status=ScanStatus.PENDING if scanner.enabled else ScanStatus.NOT_SCANNED,
            uploaded_by_id=viewer.person_id,
            uploaded_by_label=viewer.name[:200],
            uploader_system_id=viewer.system_authority_id if viewer.person_id is None else None,
            acting_for_id=acting_for,
            using_db=tx.conn,
        )
        rows.append(row)
        if scanner.enabled:
            from actions.outbox import enqueue_scan

            await enqueue_scan(tx, row.id)
        tx.publish(_event(EventKind.ATTACHMENT_ADDED, owner, row.id))
    if owner.application_id is not None:
        # a change to the draft (the retention purge looks at updated_at)
        await (
            Application.filter(id=owner.application_id)
            .using_db(tx.conn)
            .update(updated_at=datetime.now(UTC))
        )
    return rows


def _event(kind: EventKind, owner: Owner, attachment_id: int) -> LiveEvent:
    return LiveEvent(
        kind=kind,
        project_id=owner.project_id,
        application_id=owner.application_id,
        authority_id=owner.authority_id,
        attachment_id=attachment_id,
    )


# --- actions ----------------------------------------------------------------------------------


async def attachment_add(
    viewer: Viewer, application_id: int, files: Sequence[FileSpec]
) -> list[int]:
    """Add files to an application draft (the customer)."""
    from actions.access import access_application

    async def check(tx: Tx) -> Any:
        locked = await access_application(tx, viewer, application_id)
        if not policies.can_read_application_content(
            viewer, locked.app_facts, locked.project_facts
        ):
            raise DomainError(ErrorCode.FORBIDDEN, field=["applicationId"])  # it sees A
        if not policies.can_edit_application(viewer, locked.app_facts, locked.project_facts):
            raise DomainError(ErrorCode.FORBIDDEN, field=["applicationId"])
        if not rules.can_add_application_attachment(viewer, locked.app_facts, locked.project_facts):
            status = ApplicationStatus(locked.application.status)
            raise DomainError(
                ErrorCode.INVALID_STATUS_TRANSITION,
                field=["applicationId"],
                source=status.value,
                target=ApplicationStatus.DRAFT.value,
            )
        return locked

    async with atomic() as tx:  # checked before a byte is stored
        locked = await check(tx)
        upload_rules = await rules_for_application(
            tx, locked.permit_type, application_id, kinds_allowed=True
        )
    async with stored_files(files, upload_rules) as stored, atomic() as tx:
        locked = await check(tx)
        owner = Owner(
            AttachmentOwner.APPLICATION,
            application_id,
            locked.project.id,
            application_id,
            locked.application.authority_id,
        )
        again = await rules_for_application(
            tx, locked.permit_type, application_id, kinds_allowed=True
        )
        rows = await add_rows(tx, viewer, owner, stored, _customer_org(viewer, locked), again)
    return [row.id for row in rows]


def _customer_org(viewer: Viewer, locked: Any) -> int | None:
    return policies.customer_acting_for(viewer, locked.project.owner_organisation_id)


async def attachment_remove(viewer: Viewer, attachment_id: int) -> int:
    """Remove a draft's attachment: its file is deleted, its row says who removed it when.
    Returns the application's id."""
    from actions.access import access_attachment, forbid_unless

    async with atomic() as tx:
        access = await access_attachment(tx, viewer, attachment_id, lock=True)
        row, facts, project = access.attachment, access.facts, access.project_facts
        app = facts.application
        forbid_unless(
            app is not None and policies.can_edit_application(viewer, app, project), ["id"]
        )
        assert app is not None
        if not rules.can_remove_attachment(viewer, facts, project):
            # what was sent stays as it was sent
            raise DomainError(
                ErrorCode.INVALID_STATUS_TRANSITION,
                field=["id"],
                source=app.status.value,
                target=ApplicationStatus.DRAFT.value,
            )
        key = row.storage_key
        row.removed_at = datetime.now(UTC)
        row.removed_by_label = viewer.name[:200]
        row.storage_key = None
        await row.save(using_db=tx.conn)
        owner = Owner(
            AttachmentOwner.APPLICATION,
            row.owner_id,
            row.project_id,
            row.application_id,
            app.authority_id,
        )
        tx.publish(_event(EventKind.ATTACHMENT_REMOVED, owner, row.id))
        if key is not None:
            tx.after_commit(lambda: delete_quietly(get_storage(), [key]))
        assert row.application_id is not None
        return row.application_id


async def missing_required(
    tx: Tx, application_id: int, permit_type: dict[str, Any]
) -> list[DomainError]:
    """Submission errors for each required attachment the draft lacks (an infected file does
    not count), with the path ["attachments", <kind>]."""
    requirements = [
        r for r in permit_type.get("attachment_requirements") or [] if r.get("required")
    ]
    if not requirements:
        return []
    present = set(
        await Attachment.filter(
            application_id=application_id,
            owner_kind=AttachmentOwner.APPLICATION,
            removed_at=None,
        )
        .exclude(scan_status=ScanStatus.INFECTED)
        .using_db(tx.conn)
        .values_list("requirement_kind", flat=True)
    )
    return [
        DomainError(ErrorCode.ATTACHMENT_REQUIRED, field=["attachments", r["kind"]], name=r["name"])
        for r in requirements
        if r["kind"] not in present
    ]


async def listing(tx: Tx, application_id: int) -> list[dict[str, Any]]:
    """The application's attachments as the export and deliveries list them (no links: a
    delivery adds one valid for the receiving system when it is sent)."""
    rows = (
        await Attachment.filter(application_id=application_id, removed_at=None)
        .using_db(tx.conn)
        .order_by("id")
        .values(
            "id",
            "owner_kind",
            "requirement_kind",
            "name",
            "content_type",
            "size",
            "sha256",
            "scan_status",
            "created_at",
        )
    )
    from models.ids import global_id

    return [
        {
            "id": global_id("Attachment", r["id"]),
            "belongsTo": r["owner_kind"],
            "kind": r["requirement_kind"],
            "name": r["name"],
            "contentType": r["content_type"],
            "size": r["size"],
            "sha256": r["sha256"],
            "scanStatus": r["scan_status"],
            "uploadedAt": r["created_at"].isoformat(),
        }
        for r in rows
        # an infected file is quarantined: it is not passed on
        if r["scan_status"] != ScanStatus.INFECTED
    ]


# --- scanning ------------------------------------------------------------------------------------


async def scan_attachment(attachment_id: int) -> ScanStatus | None:
    """Pass one attachment's file through the scanner and record the verdict (the outbox
    worker runs this for each SCAN item). Raises ScanError when the scanner gives no verdict,
    after marking it SCAN_FAILED; the outbox retries it with backoff."""
    row = await Attachment.get_or_none(id=attachment_id)
    if row is None or row.storage_key is None or row.removed_at is not None:
        return None
    if row.scan_status in (ScanStatus.CLEAN, ScanStatus.INFECTED):
        return ScanStatus(row.scan_status)
    store = get_storage()
    try:
        verdict = await get_scanner().scan(store.read(row.storage_key))
    except (ScanError, StorageError) as exc:
        await Attachment.filter(id=row.id).update(
            scan_status=ScanStatus.SCAN_FAILED, scan_result=str(exc)[:200]
        )
        raise ScanError(str(exc)) from exc
    status = ScanStatus.INFECTED if verdict.infected else ScanStatus.CLEAN
    async with atomic() as tx:
        await (
            Attachment.filter(id=row.id)
            .using_db(tx.conn)
            .update(scan_status=status, scan_result=verdict.detail, scanned_at=datetime.now(UTC))
        )
        owner = Owner(
            AttachmentOwner(row.owner_kind), row.owner_id, row.project_id, row.application_id, None
        )
        tx.publish(_event(EventKind.ATTACHMENT_SCANNED, owner, row.id))
        if verdict.infected:
            await _tell_uploader(tx, row)
    if verdict.infected:
        await store.quarantine(row.storage_key)
        log.warning("attachment %s is infected (%s): quarantined", row.id, verdict.detail)
    return status


async def _tell_uploader(tx: Tx, row: Attachment) -> None:
    from actions.outbox import notify_uploader

    if row.uploaded_by_id is None:
        return
    person = await Person.get_or_none(id=row.uploaded_by_id, using_db=tx.conn)
    if person is None or not person.is_active:
        return
    await notify_uploader(tx, person, row)


# --- retention ---------------------------------------------------------------------------------


@dataclass
class PurgeReport:
    drafts_files: int = 0
    orphans: int = 0


async def purge(
    days: int | None = None, *, orphan_grace: float = ORPHAN_GRACE_SECONDS
) -> PurgeReport:
    """Remove the files of drafts untouched for `days` (ATTACHMENT_DRAFT_RETENTION_DAYS), and
    objects in the store that no attachment refers to (failed uploads)."""
    report = PurgeReport()
    days = get_settings().attachment_draft_retention_days if days is None else days
    cutoff = datetime.now(UTC) - timedelta(days=days)
    store = get_storage()
    abandoned = await Application.filter(
        status=ApplicationStatus.DRAFT, updated_at__lt=cutoff
    ).values_list("id", flat=True)
    if abandoned:
        rows = await Attachment.filter(
            application_id__in=list(abandoned), removed_at=None, storage_key__isnull=False
        ).values("id", "storage_key")
        for row in rows:
            async with atomic() as tx:
                updated = await (
                    Attachment.filter(id=row["id"], removed_at=None)
                    .using_db(tx.conn)
                    .update(
                        removed_at=datetime.now(UTC),
                        removed_by_label="retention purge",
                        storage_key=None,
                    )
                )
            if updated:
                await delete_quietly(store, [row["storage_key"]])
                report.drafts_files += 1
    await store.open()
    candidates = await store.keys_older_than(orphan_grace)
    if candidates:
        referenced: set[str] = {
            str(key)
            for key in await Attachment.filter(storage_key__in=candidates).values_list(
                "storage_key", flat=True
            )
        }
        orphans = [k for k in candidates if k not in referenced]
        await delete_quietly(store, orphans)
        report.orphans = len(orphans)
    return report


def errors_of(exc: DomainError | DomainErrors) -> list[DomainError]:
    return exc.errors if isinstance(exc, DomainErrors) else [exc]


__all__ = [
    "FileSpec",
    "Owner",
    "Stored",
    "UploadRules",
    "add_rows",
    "attachment_add",
    "attachment_remove",
    "listing",
    "missing_required",
    "purge",
    "raise_all",
    "rules_for_application",
    "scan_attachment",
    "stored_files",
]


class NotYetScanned(Exception):
    """The viewer may see the attachment, but its file is not served (yet): scan pending or
    failed, or infected."""

    def __init__(self, status: ScanStatus) -> None:
        self.status = status
        super().__init__(status.value)


async def open_download(viewer: Viewer, attachment_id: int) -> Attachment:
    """The attachment whose file the viewer may download now; audited for authority users
    like a content read (written before a byte is sent)."""
    from actions.access import access_attachment
    from actions.audit import audit_row

    async with atomic() as tx:
        access = await access_attachment(tx, viewer, attachment_id)
        row, facts, project = access.attachment, access.facts, access.project_facts
        authority_id = access.authority_id
        if row.storage_key is None:  # purged with its draft, or removed
            raise DomainError(ErrorCode.NOT_FOUND, field=["id"])
        if not rules.can_download_attachment(viewer, facts, project):
            raise NotYetScanned(facts.scan_status)
        if policies.is_audited_read(viewer, project):
            acting_for = policies.authority_acting_for(viewer, project, authority_id)
            concerned = authority_id if authority_id is not None else acting_for
            assert concerned is not None  # an authority user sees it only when involved
            entry = audit_row(
                viewer,
                AuditAction.ATTACHMENT_READ,
                "Attachment",
                row.id,
                concerned,
                {"name": row.name, "sha256": row.sha256},
                acting_for=acting_for,
            )
            await entry.save(using_db=tx.conn)
    return row
