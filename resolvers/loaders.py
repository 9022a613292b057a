"""Per-request DataLoaders. Every child field and list field goes through one of these.

Loaders read `.values()` rows (plain dicts), not model objects: the hot read paths build
GraphQL objects straight from rows. One `Loaders` is created per request (and per
subscription event), so nothing is cached across requests.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import cached_property
from typing import Any, Generic, TypeVar, cast

from strawberry.dataloader import DataLoader

from models import (
    Application,
    Attachment,
    Decision,
    Membership,
    Message,
    Organisation,
    Person,
    ProcessingCase,
    Project,
    StatementRequest,
    StatusChange,
    SupplementRequest,
    Thread,
)
from models.enums import Role
from permissions.facts import ProjectFacts
from permissions.policies import project_facts
from resolvers.catalogue_cache import Snapshot, catalogue_cache

Row = dict[str, Any]
K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

MESSAGE_FIELDS = (
    "id",
    "thread_id",
    "author_id",
    "author_label",
    "acting_for_id",
    "body",
    "created_at",
)

STATEMENT_FIELDS = (
    "id",
    "application_id",
    "requesting_authority_id",
    "asked_authority_id",
    "question",
    "due_date",
    "status",
    "requested_by_id",
    "requested_by_label",
    "created_at",
    "answer",
    "decline_reason",
    "answered_at",
    "answered_by_id",
    "answered_by_label",
    "is_shared_with_customer",
)

APPLICATION_FIELDS = (
    "id",
    "project_id",
    "permit_type_id",
    "authority_id",
    "status",
    "is_shared",
    "origin",
    "certainty",
    "version",
    "created_by_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "submitted_by_id",
    "assigned_to_id",
    "assigned_at",
    "notice_email",
    "final_at",
)


ATTACHMENT_FIELDS = (
    "id",
    "owner_kind",
    "owner_id",
    "project_id",
    "application_id",
    "requirement_kind",
    "name",
    "content_type",
    "size",
    "sha256",
    "scan_status",
    "uploaded_by_id",
    "uploaded_by_label",
    "uploader_system_id",
    "created_at",
    "removed_at",
)


def _by_key(
    fetch: Callable[[list[K]], Awaitable[list[Row]]], key: str = "id"
) -> Callable[[list[K]], Awaitable[list[Row | None]]]:
    async def load(keys: list[K]) -> list[Row | None]:
        rows = {row[key]: row for row in await fetch(list(set(keys)))}
        return [rows.get(k) for k in keys]

    return load


def _grouped(
    fetch: Callable[[list[K]], Awaitable[list[Row]]], key: str
) -> Callable[[list[K]], Awaitable[list[list[Row]]]]:
    async def load(keys: list[K]) -> list[list[Row]]:
        groups: dict[Any, list[Row]] = defaultdict(list)
        for row in await fetch(list(set(keys))):
            groups[row[key]].append(row)
        return [groups.get(k, []) for k in keys]

    return load


async def _fetch_staff(authority_ids: list[int]) -> list[Row]:
    rows = (
        await Membership.filter(
            organisation_id__in=authority_ids,
            role__in=[Role.AUTHORITY_HANDLER, Role.AUTHORITY_ADMIN],
        )
        .order_by("person__name", "person_id")
        .values("organisation_id", id="person_id", name="person__name")
    )
    unique = {(r["organisation_id"], r["id"]): r for r in rows}
    return list(unique.values())


class CatalogueLoader(Generic[K]):
    """A loader over the in-memory catalogue: same interface as a DataLoader, no queries."""

    def __init__(self, table: Callable[[Snapshot], dict[Any, Row]]) -> None:
        self._table = table

    async def load(self, key: K) -> Row | None:
        return self._table(await catalogue_cache.get()).get(key)

    async def load_many(self, keys: Sequence[K]) -> list[Row | None]:
        table = self._table(await catalogue_cache.get())
        return [table.get(k) for k in keys]

    async def shared(self, key: K, build: Callable[[Row], T]) -> T | None:
        """`build` of the row, made once per catalogue snapshot (Snapshot.shared)."""
        snapshot = await catalogue_cache.get()
        return snapshot.shared(build, self._table(snapshot), key)


class SharedDataLoader(DataLoader[K, T]):
    """A DataLoader whose loads several tasks wait for (a live event's subscribers).

    A task awaiting a future that is cancelled cancels that future, and with it every other
    task awaiting the same cached load. Each caller here waits through its own shield: a
    subscriber that leaves (its task cancelled) stops waiting, and the load goes on for
    the others."""

    def load(self, key: K) -> Awaitable[T]:
        return asyncio.shield(super().load(key))


class OrganisationLoader:
    """Authorities come from the catalogue; companies and associations from the database."""

    def __init__(self, loader: type[DataLoader[Any, Any]] = DataLoader) -> None:
        self._others: DataLoader[int, Row | None] = loader(
            load_fn=_by_key(lambda ids: Organisation.filter(id__in=ids).values())
        )

    async def load(self, key: int) -> Row | None:
        authority = (await catalogue_cache.get()).authorities.get(key)
        return authority if authority is not None else await self._others.load(key)

    async def load_many(self, keys: Sequence[int]) -> list[Row | None]:
        return list(await asyncio.gather(*(self.load(k) for k in keys)))

    async def shared(self, key: int, build: Callable[[Row], T]) -> T | None:
        """`build` of the row: of an authority's, made once per catalogue snapshot
        (Snapshot.shared); of another organisation's, made now."""
        snapshot = await catalogue_cache.get()
        if key in snapshot.authorities:
            return snapshot.shared(build, snapshot.authorities, key)
        row = await self._others.load(key)
        return None if row is None else build(row)

    def prime(self, key: int, row: Row | None) -> None:
        """A company's or association's row read elsewhere (resolvers/planned.py)."""
        self._others.prime(key, row)


class Loaders:
    """The loaders of one request (or one live event). Each is made on first use, and none
    refers back to this object, so a request's loaders are freed by reference counting."""

    #: the DataLoader class of each loader (SharedLoaders: SharedDataLoader)
    _loader: type[DataLoader[Any, Any]] = DataLoader

    @cached_property
    def project(self) -> DataLoader[int, Row | None]:
        return self._loader(load_fn=_by_key(lambda ids: Project.filter(id__in=ids).values()))

    @cached_property
    def application(self) -> DataLoader[int, Row | None]:
        return self._loader(
            load_fn=_by_key(lambda ids: Application.filter(id__in=ids).values(*APPLICATION_FIELDS))
        )

    @cached_property
    def application_content(self) -> DataLoader[int, Row | None]:
        """The form content, read only where it is asked for (and may be read)."""
        return self._loader(
            load_fn=_by_key(lambda ids: Application.filter(id__in=ids).values("id", "content"))
        )

    @cached_property
    def applications_by_project(self) -> DataLoader[int, list[Row]]:
        by_id = self.application

        async def fetch(project_ids: list[int]) -> list[Row]:
            rows = (
                await Application.filter(project_id__in=project_ids)
                .order_by("id")
                .values(*APPLICATION_FIELDS)
            )
            for row in rows:
                by_id.prime(row["id"], row)
            return rows

        return self._loader(load_fn=_grouped(fetch, "project_id"))

    @cached_property
    def status_changes_by_application(self) -> DataLoader[int, list[Row]]:
        return self._loader(
            load_fn=_grouped(
                lambda ids: StatusChange.filter(application_id__in=ids).order_by("id").values(),
                "application_id",
            )
        )

    @cached_property
    def permit_type(self) -> CatalogueLoader[int]:
        return CatalogueLoader(lambda snapshot: snapshot.permit_types)

    @cached_property
    def permit_kind(self) -> CatalogueLoader[int]:
        return CatalogueLoader(lambda snapshot: snapshot.permit_kinds)

    @cached_property
    def municipality(self) -> CatalogueLoader[str]:
        return CatalogueLoader(lambda snapshot: snapshot.municipalities)

    @cached_property
    def bundle(self) -> CatalogueLoader[int]:
        return CatalogueLoader(lambda snapshot: snapshot.bundles)

    @cached_property
    def organisation(self) -> OrganisationLoader:
        return OrganisationLoader(self._loader)

    @cached_property
    def person(self) -> DataLoader[int, Row | None]:
        return self._loader(
            load_fn=_by_key(lambda ids: Person.filter(id__in=ids).values("id", "name", "language"))
        )

    @cached_property
    def supplements_by_application(self) -> DataLoader[int, list[Row]]:
        return self._loader(
            load_fn=_grouped(
                lambda ids: (
                    SupplementRequest.filter(application_id__in=ids).order_by("id").values()
                ),
                "application_id",
            )
        )

    @cached_property
    def processing_case_by_application(self) -> DataLoader[int, Row | None]:
        """What the permit plan needs of a submitted application's processing so far."""
        return self._loader(
            load_fn=_by_key(
                lambda ids: ProcessingCase.filter(application_id__in=ids).values(
                    "application_id", "submitted_at", "wait_seconds", "waiting_since"
                ),
                key="application_id",
            )
        )

    @cached_property
    def decision_by_application(self) -> DataLoader[int, Row | None]:
        return self._loader(
            load_fn=_by_key(
                lambda ids: Decision.filter(application_id__in=ids).values(), key="application_id"
            )
        )

    @cached_property
    def thread(self) -> DataLoader[int, Row | None]:
        return self._loader(load_fn=_by_key(lambda ids: Thread.filter(id__in=ids).values()))

    @cached_property
    def threads_by_project(self) -> DataLoader[int, list[Row]]:
        """All discussions of a project: its own and its applications'."""
        return self._loader(
            load_fn=_grouped(
                lambda ids: Thread.filter(project_id__in=ids).order_by("id").values(), "project_id"
            )
        )

    @cached_property
    def messages_by_project(self) -> DataLoader[int, list[Row]]:
        """All messages of a project's discussions, oldest first: one query however deep
        in the request the project's threads are asked for."""

        async def fetch(project_ids: list[int]) -> list[Row]:
            return (
                await Message.filter(thread__project_id__in=project_ids)
                .order_by("id")
                .values(*MESSAGE_FIELDS, project_id="thread__project_id")
            )

        return self._loader(load_fn=_grouped(fetch, "project_id"))

    async def project_thread(self, project_id: int) -> Row | None:
        threads = await self.threads_by_project.load(project_id)
        return next((t for t in threads if t["application_id"] is None), None)

    async def application_thread(self, project_id: int, application_id: int) -> Row | None:
        threads = await self.threads_by_project.load(project_id)
        return next((t for t in threads if t["application_id"] == application_id), None)

    async def thread_messages(self, project_id: int, thread_id: int) -> list[Row]:
        messages = await self.messages_by_project.load(project_id)
        return [m for m in messages if m["thread_id"] == thread_id]

    @cached_property
    def message(self) -> DataLoader[int, Row | None]:
        return self._loader(load_fn=_by_key(lambda ids: Message.filter(id__in=ids).values()))

    @cached_property
    def attachments_by_project(self) -> DataLoader[int, list[Row]]:
        """Every attachment of a project (not removed), oldest first: one query for all the
        owners (applications, supplements, messages, decisions) a request asks about."""
        return self._loader(
            load_fn=_grouped(
                lambda ids: (
                    Attachment.filter(project_id__in=ids, removed_at=None)
                    .order_by("id")
                    .values(*ATTACHMENT_FIELDS)
                ),
                "project_id",
            )
        )

    async def attachments_of(self, project_id: int, owner_kind: str, owner_id: int) -> list[Row]:
        rows = await self.attachments_by_project.load(project_id)
        return [r for r in rows if r["owner_kind"] == owner_kind and r["owner_id"] == owner_id]

    @cached_property
    def attachment(self) -> DataLoader[int, Row | None]:
        """An attachment by id, removed ones too (the live event of a removal)."""
        return self._loader(
            load_fn=_by_key(lambda ids: Attachment.filter(id__in=ids).values(*ATTACHMENT_FIELDS))
        )

    @cached_property
    def staff_by_authority(self) -> DataLoader[int, list[Row]]:
        return self._loader(load_fn=_grouped(_fetch_staff, "organisation_id"))

    @cached_property
    def statements_by_project(self) -> DataLoader[int, list[Row]]:
        """Every statement request on a project's applications, oldest first (the policies
        need them for every project: who was asked, and whether the request is open)."""

        async def fetch(project_ids: list[int]) -> list[Row]:
            return (
                await StatementRequest.filter(application__project_id__in=project_ids)
                .order_by("id")
                .values(*STATEMENT_FIELDS, project_id="application__project_id")
            )

        return self._loader(load_fn=_grouped(fetch, "project_id"))

    async def statements_of(self, project_id: int, application_id: int) -> list[Row]:
        rows = await self.statements_by_project.load(project_id)
        return [r for r in rows if r["application_id"] == application_id]

    @cached_property
    def statement(self) -> DataLoader[int, Row | None]:
        return self._loader(
            load_fn=_by_key(
                lambda ids: StatementRequest.filter(id__in=ids).values(
                    *STATEMENT_FIELDS, project_id="application__project_id"
                )
            )
        )

    @cached_property
    def _facts(self) -> dict[int, ProjectFacts]:
        return {}

    def prime_projects(self, rows: Sequence[Row]) -> None:
        for row in rows:
            self.project.prime(row["id"], row)

    async def project_facts(self, project_id: int) -> ProjectFacts | None:
        """Facts of a project for the policies, computed once per request."""
        if project_id in self._facts:
            return self._facts[project_id]
        # the same statements whether or not the project exists (or is visible): asking for
        # a hidden object costs what asking for a missing one does
        loads: tuple[Awaitable[Any], ...] = (
            self.project.load(project_id),
            self.applications_by_project.load(project_id),
            self.statements_by_project.load(project_id),
        )
        if all(isinstance(load, asyncio.Future) and load.done() for load in loads):
            # loaded already: no wait (gather would take a loop turn; a live event's
            # fan-out serves its subscribers without one, resolvers/live/table.py)
            project, applications, statements = (cast(Any, load).result() for load in loads)
        else:
            project, applications, statements = await asyncio.gather(*loads)
        if project is None:
            return None
        # callers that awaited the same loads concurrently (a live event's subscribers)
        # resume one after another: the first computes the facts, the others reuse them
        facts = self._facts.get(project_id)
        if facts is None:
            facts = self._facts[project_id] = project_facts(project, applications, statements)
        return facts


class SharedLoaders(Loaders):
    """The loaders of one live event, shared by all its subscribers in this process
    (resolvers/live/table.py, `event_loaders`): any of them may leave while the others wait."""

    _loader = SharedDataLoader
