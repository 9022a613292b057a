"""Demo people, organisations and roles (data/demo/people.json), with fresh tokens."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from actions.identity import membership_add, organisation_create, person_create, token_issue
from models import ApiToken, Organisation, Person
from models.enums import OrganisationKind, Role

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "people.json"
DEMO_LABEL = "demo"


@dataclass(frozen=True)
class DemoToken:
    key: str
    name: str
    roles: str
    token: str


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
            DemoToken(row["key"], person.name, "; ".join(roles) or "private customer", token)
        )
    for row in data.get("systems", []):
        authority = await Organisation.get(code=row["authority"])
        token = await token_issue(label=f"{DEMO_LABEL}: {row['label']}", authority=authority)
        tokens.append(
            DemoToken(row["key"], row["label"], f"AUTHORITY_SYSTEM @ {authority.name['fi']}", token)
        )
    return tokens
