"""Factories: async functions with sensible defaults that build data through the actions."""

from __future__ import annotations

import copy
import functools
import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import orjson

from actions import applications as app_actions
from actions import authority as authority_actions
from actions.identity import membership_add, organisation_create, person_create, token_issue
from actions.projects import ProjectChanges, project_create
from models import Organisation, PermitType, ServiceBundle
from models.enums import OrganisationKind, Role
from models.statuses import ApplicationStatus
from permissions.facts import Viewer
from resolvers.viewer import viewer_for_token
from schema.node import encode_id

_counter = itertools.count(1)


class GQL:
    """POST a GraphQL operation; returns the response JSON."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        errors: bool = False,
    ) -> dict[str, Any]:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )
        assert response.status_code < 500, response.text
        body: dict[str, Any] = response.json()
        if not errors:
            assert "errors" not in body, body
        return body

    async def upload(
        self,
        query: str,
        variables: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]],
        *,
        token: str | None = None,
        status: int | None = 200,
    ) -> dict[str, Any]:
        """A GraphQL multipart request: `files` maps each variable path (e.g.
        "input.files.0.file", null in `variables`) to (file name, content, content type)."""
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        mapping = {str(i): [f"variables.{path}"] for i, path in enumerate(files)}
        parts = {str(i): file for i, file in enumerate(files.values())}
        response = await self.client.post(
            "/graphql",
            data={
                "operations": orjson.dumps({"query": query, "variables": variables}).decode(),
                "map": orjson.dumps(mapping).decode(),
            },
            files=parts,
            headers=headers,
        )
        assert status is None or response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body


@dataclass
class Actor:
    """A signed-in person or system: its token and the Viewer the policies see."""

    person_id: int | None
    token: str
    viewer: Viewer
    name: str


def business_id(n: int) -> str:
    """A valid, unique business ID (Y-tunnus) for tests."""
    weights = (7, 9, 10, 5, 8, 4, 2)
    for base in itertools.count(2_000_000 + n * 13):
        digits = f"{base:07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"
    raise AssertionError


async def _actor(person: Any) -> Actor:
    token = await token_issue(label="test", person=person)
    viewer = await viewer_for_token(token)
    assert viewer is not None
    return Actor(person.id, token, viewer, person.name)


async def make_person(name: str | None = None, language: str = "fi") -> Any:
    n = next(_counter)
    return await person_create(name or f"Person {n}", f"person{n}@test.luukku.example", language)


async def make_customer(language: str = "fi") -> Actor:
    """A private customer."""
    return await _actor(await make_person(language=language))


async def make_company(name: str | None = None) -> Organisation:
    n = next(_counter)
    return await organisation_create(
        OrganisationKind.COMPANY, name or f"Company {n} Oy", business_id(n)
    )


async def make_representative(company: Organisation) -> Actor:
    person = await make_person()
    await membership_add(person, company, Role.CUSTOMER_REPRESENTATIVE)
    return await _actor(person)


async def make_handler(authority_code: str, role: Role = Role.AUTHORITY_HANDLER) -> Actor:
    person = await make_person()
    await membership_add(person, await Organisation.get(code=authority_code), role)
    return await _actor(person)


async def make_system(authority_code: str) -> Actor:
    authority = await Organisation.get(code=authority_code)
    token = await token_issue(label=f"system {authority_code}", authority=authority)
    viewer = await viewer_for_token(token)
    assert viewer is not None
    return Actor(None, token, viewer, viewer.name)


async def make_project(
    owner: Actor,
    *,
    organisation: Organisation | None = None,
    bundle: str = "public-event",
    municipality: str = "091",
    name: str = "Kesäfestivaali",
    starts_on: date | None = date(2027, 7, 1),
    description: str = "Kolmipäiväinen ulkoilmafestivaali.",
    location: tuple[float, float] | None = (60.17, 24.94),
    shared_data: dict[str, Any] | None = None,
) -> int:
    bundle_id = (await ServiceBundle.get(code=bundle)).id
    return await project_create(
        owner.viewer,
        bundle_id=bundle_id,
        organisation_id=organisation.id if organisation else None,
        changes=ProjectChanges(
            name=name,
            municipality_code=municipality,
            starts_on=starts_on,
            description=description,
            location=location,
            shared_data=full_shared_data() if shared_data is None else shared_data,
        ),
    )


def full_shared_data() -> dict[str, Any]:
    """Shared data with every section filled, valid against the catalogue's schema."""
    return copy.deepcopy(_full_shared_data())


@functools.cache
def _full_shared_data() -> dict[str, Any]:
    from actions.catalogue import read_catalogue

    return example_for(read_catalogue().shared_data_schema)  # type: ignore[no-any-return]


_PATTERN_EXAMPLES = {
    "^([01][0-9]|2[0-3]):[0-5][0-9]$": "18:00",
    "^[0-9]{5}$": "00100",
    "^[0-9]{7}-[0-9]$": "3264871-7",
    r"^\+?[0-9 ()-]{6,20}$": "+358 40 123 4567",
    "^[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,4}-[0-9]{1,4}$": "091-1-2-3",
}


def example_for(schema: dict[str, Any]) -> Any:
    """A valid example value for a (simple) JSON Schema, with every property filled."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: example_for(v) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_for(schema.get("items", {"type": "string"}))] * max(
            1, schema.get("minItems", 1)
        )
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return float(max(1, schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2027-06-01"
    if schema.get("format") == "email":
        return "someone@test.luukku.example"
    if schema.get("format") == "uri":
        return "https://example.org/doc"
    if "pattern" in schema:
        value = _PATTERN_EXAMPLES[schema["pattern"]]
        assert re.search(schema["pattern"], value)
        return value
    return "x" * max(1, schema.get("minLength", 1))


async def valid_content(permit_type_code: str) -> dict[str, Any]:
    permit_type = await PermitType.get(code=permit_type_code)
    return example_for(permit_type.form_schema)  # type: ignore[no-any-return]


async def attach_required(owner: Actor, app_id: int) -> list[int]:
    """Attach a small valid file for each attachment the permit type requires."""
    from actions.attachments import attachment_add
    from models import Application
    from tests.files import pdf, spec

    application = await Application.get(id=app_id)
    permit_type = await PermitType.get(id=application.permit_type_id)
    specs = [
        spec(f"{r['kind']}.pdf", pdf(r["name"]["fi"]), r["kind"], i)
        for i, r in enumerate(permit_type.attachment_requirements)
        if r["required"] and "application/pdf" in r["types"]
    ]
    return await attachment_add(owner.viewer, app_id, specs) if specs else []


async def make_application(
    owner: Actor,
    project_id: int,
    permit_type_code: str = "helsinki-police-event-notification",
    *,
    status: ApplicationStatus = ApplicationStatus.DRAFT,
    shared: bool = False,
    content: dict[str, Any] | None = None,
    handler: Actor | None = None,
    share_decision: bool = True,
) -> int:
    """An application brought to `status` through the real actions (a handler of the
    addressed authority makes the authority's steps; one is created when needed)."""
    permit_type = await PermitType.get(code=permit_type_code)
    app_id = await app_actions.application_create(owner.viewer, project_id, permit_type.id)
    version = 1
    body = await valid_content(permit_type_code) if content is None else content
    await app_actions.application_update(owner.viewer, app_id, version, body)
    version += 1
    await attach_required(owner, app_id)
    if shared:
        await app_actions.application_share(owner.viewer, app_id, version, True)
        version += 1
    if status is ApplicationStatus.DRAFT:
        return app_id
    await app_actions.application_submit(owner.viewer, app_id, version)
    version += 1
    if status is ApplicationStatus.NOT_STARTED:
        return app_id
    if status is ApplicationStatus.WITHDRAWN:
        await app_actions.application_withdraw(owner.viewer, app_id, version, "test")
        return app_id
    if handler is None:
        authority = await Organisation.get(id=permit_type.authority_id)
        handler = await make_handler(str(authority.code))
    await authority_actions.application_status_update(
        handler.viewer, app_id, version, ApplicationStatus.IN_PROGRESS, "aloitettu"
    )
    version += 1
    if status is ApplicationStatus.IN_PROGRESS:
        return app_id
    if status is ApplicationStatus.INFORMATION_REQUESTED:
        await authority_actions.supplement_request(
            handler.viewer, app_id, version, "Lisää kartta.", date.today() + timedelta(days=14)
        )
        return app_id
    await authority_actions.decision_record(
        handler.viewer,
        app_id,
        version,
        status,
        date.today(),
        "Päätös tehty.",
        "DIAARI-1/2027",
        share_decision,
    )
    return app_id


def gid(type_name: str, db_id: int) -> str:
    return encode_id(type_name, db_id)
