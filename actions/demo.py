"""Demo people, organisations and roles (data/demo/people.json), with fresh tokens."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from actions.applications import application_create, application_submit, application_update
from actions.authority import application_status_update, supplement_request
from actions.identity import (
    membership_add,
    organisation_create,
    person_create,
    token_issue,
    viewer_for_person,
)
from actions.projects import ProjectChanges, project_create
from models import (
    ApiToken,
    Application,
    Organisation,
    PermitType,
    Person,
    Project,
    ServiceBundle,
)
from models.enums import OrganisationKind, Role
from models.ids import global_id
from models.statuses import ApplicationStatus

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "people.json"
DEMO_LABEL = "demo"


@dataclass(frozen=True)
class DemoToken:
    key: str
    name: str
    roles: str
    token: str
    email: str = ""


@dataclass(frozen=True)
class DemoApplication:
    id: str
    permit_type: str
    name: str
    status: str
    version: int


@dataclass(frozen=True)
class DemoProject:
    id: str
    name: str
    owner: str
    starts_on: date | None
    applications: list[DemoApplication]


async def seed_demo(path: Path = DEMO_FILE) -> list[DemoToken]:
    """Create the demo people (once) and issue each a fresh token, revoking older demo tokens."""
    data = json.loads(path.read_text(encoding="utf-8"))  # noqa: ASYNC240 - a small local file
    organisations: dict[str, Organisation] = {}
    for row in data["organisations"]:
        existing = await Organisation.filter(business_id=row["businessId"]).first()
        organisations[row["key"]] = existing or await organisation_create(
            OrganisationKind(row["kind"]), row["name"], row["businessId"]
        )
    now = datetime.now(UTC)
    await ApiToken.filter(label__startswith=DEMO_LABEL, revoked_at=None).update(revoked_at=now)
    tokens: list[DemoToken] = []
    for row in data["people"]:
        person = await Person.filter(email=row["email"].lower()).first() or await person_create(
            row["name"],
            row["email"],
            row.get("language", "fi"),
            is_operator=row.get("operator", False),
        )
        roles = []
        for role in row.get("roles", []):
            if "organisation" in role:
                target = organisations[role["organisation"]]
                label = target.name["fi"]
            else:
                target = await Organisation.get(code=role["authority"])
                label = target.name["fi"]
            await membership_add(person, target, Role(role["role"]))
            roles.append(f"{role['role']} @ {label}")
        if row.get("operator"):
            roles.append("OPERATOR")
        token = await token_issue(label=f"{DEMO_LABEL}: {row['key']}", person=person)
        tokens.append(
            DemoToken(
                row["key"],
                person.name,
                "; ".join(roles) or "private customer",
                token,
                person.email,
            )
        )
    people = {row["key"]: await Person.get(email=row["email"].lower()) for row in data["people"]}
    for row in data.get("projects", []):
        await _seed_project(row, people, organisations)
    for row in data.get("systems", []):
        authority = await Organisation.get(code=row["authority"])
        token = await token_issue(label=f"{DEMO_LABEL}: {row['label']}", authority=authority)
        tokens.append(
            DemoToken(row["key"], row["label"], f"AUTHORITY_SYSTEM @ {authority.name['fi']}", token)
        )
    return tokens


async def _seed_project(
    row: dict[str, Any], people: dict[str, Person], organisations: dict[str, Organisation]
) -> None:
    """A demo project with its applications, made through the real actions (once)."""
    organisation = organisations[row["organisation"]]
    if await Project.exists(owner_organisation_id=organisation.id, name=row["name"]):
        return
    owner = people[row["owner"]]
    viewer = await viewer_for_person(owner)
    starts = date.today() + timedelta(days=row["startsInDays"])
    bundle = await ServiceBundle.get(code=row["bundle"])
    project_id = await project_create(
        viewer,
        bundle_id=bundle.id,
        organisation_id=organisation.id,
        changes=ProjectChanges(
            name=row["name"],
            description=row["description"],
            municipality_code=row["municipality"],
            location=tuple(row["location"]),
            starts_on=starts,
            ends_on=starts + timedelta(days=row["days"] - 1),
            shared_data=row["sharedData"],
        ),
    )
    for item in row["applications"]:
        permit_type = await PermitType.get(code=item["permitType"])
        app_id = await application_create(viewer, project_id, permit_type.id)
        await application_update(viewer, app_id, 1, example_content(permit_type.form_schema))
        for attachment in item.get("attachments", []):
            await _attach(viewer, app_id, attachment)
        if item["submit"]:
            await application_submit(viewer, app_id, 2)
        if "processing" in item:  # a handler has started and asked for more information
            steps = item["processing"]
            handler = await viewer_for_person(people[steps["handler"]])
            version = (await Application.get(id=app_id)).version
            await application_status_update(
                handler, app_id, version, ApplicationStatus.IN_PROGRESS, ""
            )
            request = steps["supplementRequest"]
            await supplement_request(
                handler,
                app_id,
                version + 1,
                request["message"],
                date.today() + timedelta(days=request["dueInDays"]),
            )


async def demo_projects(path: Path = DEMO_FILE) -> list[DemoProject]:
    """The seeded projects as they are now, with the ids a newcomer pastes into GraphiQL."""
    data = json.loads(path.read_text(encoding="utf-8"))  # noqa: ASYNC240 - a small local file
    result = []
    for row in data.get("projects", []):
        organisation = await Organisation.get(
            business_id=next(
                o["businessId"] for o in data["organisations"] if o["key"] == row["organisation"]
            )
        )
        project = await Project.filter(
            owner_organisation_id=organisation.id, name=row["name"]
        ).first()
        if project is None:
            continue
        applications = []
        for app in await Application.filter(project_id=project.id).order_by("id"):
            permit_type = await PermitType.get(id=app.permit_type_id)
            applications.append(
                DemoApplication(
                    global_id("Application", app.id),
                    permit_type.code,
                    permit_type.name["en"],
                    str(app.status),
                    app.version,
                )
            )
        result.append(
            DemoProject(
                global_id("Project", project.id),
                project.name,
                organisation.name["fi"],
                project.starts_on,
                applications,
            )
        )
    return result


async def _attach(viewer: Any, app_id: int, attachment: dict[str, str]) -> None:
    """A demo file (data/demo/files), uploaded through the same action as the API's."""
    from starlette.datastructures import Headers, UploadFile

    from actions.attachments import FileSpec, attachment_add

    path = DEMO_FILE.parent / attachment["file"]
    with path.open("rb") as handle:
        upload = UploadFile(
            file=handle, filename=path.name, headers=Headers({"content-type": "application/pdf"})
        )
        await attachment_add(viewer, app_id, [FileSpec(upload, attachment["kind"], ["files", "0"])])


def example_content(schema: dict[str, Any]) -> dict[str, Any]:
    """Plausible demo content for a permit form: every property with a value of its type."""
    result: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        result[name] = _example(prop, name)
    return result


_EXAMPLES = {
    "^([01][0-9]|2[0-3]):[0-5][0-9]$": "18:00",
    "^[0-9]{5}$": "00100",
    "^[0-9]{7}-[0-9]$": "3264871-7",
    r"^\+?[0-9 ()-]{6,20}$": "+358 40 765 4321",
    "^[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,4}-[0-9]{1,4}$": "091-17-1-1",
}


def _example(prop: dict[str, Any], name: str) -> Any:
    if "enum" in prop:
        return prop["enum"][0]
    kind = prop.get("type")
    if kind == "object":
        return example_content(prop)
    if kind == "array":
        return [_example(prop.get("items", {"type": "string"}), name)]
    if kind == "integer":
        return max(prop.get("minimum", 0), 50)
    if kind == "number":
        return float(max(prop.get("minimum", 0), 50))
    if kind == "boolean":
        return False
    if prop.get("format") == "date":
        return (date.today() + timedelta(days=120)).isoformat()
    if prop.get("format") == "email":
        return "aino.andersson@demo.luukku.example"
    if prop.get("format") == "uri":
        return "https://demo.luukku.example/liite.pdf"
    if "pattern" in prop:
        return _EXAMPLES[prop["pattern"]]
    label = prop.get("x-label", {}).get("fi") or prop.get("title") or name
    return f"{label} (esimerkki)"[: prop.get("maxLength", 200)]
