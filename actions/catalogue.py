"""Loading the public catalogue from data/catalogue (format: data/catalogue/FORMAT.md)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from models import (
    CatalogueDocument,
    Municipality,
    Organisation,
    PermitKind,
    PermitType,
    ServiceBundle,
)
from models.business_id import normalize_business_id
from models.catalogue import ATTACHMENT_TYPES, SHARED_DATA_SCHEMA, authority_serves
from models.enums import LANGUAGES, AuthorityScope, Certainty, Channel, OrganisationKind
from models.errors import DomainError, ErrorCode, excerpt, raise_all
from models.forms import PROJECT_REQUIREMENTS, check_schema
from models.survey import Answer, check_answers, check_bundle, needs
from models.validation import municipality_code
from notifications.events import publish_catalogue_change

log = logging.getLogger("luukku.catalogue")

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "data" / "catalogue"


class CatalogueError(ValueError):
    """The catalogue data files have problems; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("catalogue data has problems:\n  " + "\n  ".join(problems))


@dataclass
class CatalogueData:
    municipalities: list[dict[str, Any]]
    authorities: list[dict[str, Any]]
    permit_kinds: list[dict[str, Any]]
    bundles: list[dict[str, Any]]
    permit_types: list[dict[str, Any]]
    forms: dict[str, Any]
    shared_data_schema: dict[str, Any]
    attachment_types: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def read_catalogue(directory: Path = CATALOGUE_DIR) -> CatalogueData:
    """Read and check every catalogue file. Raises CatalogueError listing every problem."""
    try:
        data = CatalogueData(
            municipalities=_read(directory / "municipalities.json"),
            authorities=_read(directory / "authorities.json"),
            permit_kinds=_read(directory / "permit_kinds.json"),
            bundles=[_read(p) for p in sorted((directory / "bundles").glob("*.json"))],
            permit_types=_read(directory / "permit_types.json"),
            forms={p.stem: _read(p) for p in sorted((directory / "forms").glob("*.json"))},
            shared_data_schema=_read(directory / "shared_data.schema.json"),
            attachment_types=_read(directory / "attachment_types.json"),
        )
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError([str(exc)]) from exc
    problems = _check(data)
    if problems:
        raise CatalogueError(problems)
    return data


def _is_text(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(value.get(lang), str) and value[lang].strip() for lang in LANGUAGES
    )


def _unique(rows: list[dict[str, Any]], key: str, what: str, problems: list[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for row in rows:
        value = row.get(key)
        if not isinstance(value, str) or not value:
            problems.append(f"{what}: every entry needs a {key}")
        elif value in seen:
            problems.append(f"{what}: duplicate {key} {value}")
        else:
            seen[value] = row
    return seen


def _check(data: CatalogueData) -> list[str]:
    problems: list[str] = []
    municipalities = _unique(data.municipalities, "code", "municipalities", problems)
    for code, row in municipalities.items():
        if len(code) != 3 or not code.isdigit() or not _is_text(row.get("name")):
            problems.append(f"municipality {code}: needs a 3-digit code and a name in fi, sv, en")
    authorities = _unique(data.authorities, "code", "authorities", problems)
    business_ids: set[str] = set()
    for code, row in authorities.items():
        if not _is_text(row.get("name")):
            problems.append(f"authority {code}: name needs fi, sv and en")
        if row.get("scope") not in {s.value for s in AuthorityScope}:
            problems.append(f"authority {code}: scope must be LOCAL or NATIONAL")
        served = row.get("municipalities", [])
        if row.get("scope") == AuthorityScope.LOCAL and not served:
            problems.append(f"authority {code}: a LOCAL authority needs municipalities")
        for m in served:
            if m not in municipalities:
                problems.append(f"authority {code}: unknown municipality {m}")
        if "@" not in str(row.get("notificationEmail", "")):
            problems.append(f"authority {code}: notificationEmail must be an e-mail address")
        if row.get("businessId") is not None:
            normal = normalize_business_id(str(row["businessId"]))
            if normal is None:
                problems.append(f"authority {code}: invalid business id {row['businessId']}")
            elif normal in business_ids:
                problems.append(f"authority {code}: duplicate business id {normal}")
            else:
                business_ids.add(normal)
    kinds = _unique(data.permit_kinds, "code", "permit_kinds", problems)
    for code, row in kinds.items():
        if not (_is_text(row.get("name")) and _is_text(row.get("description"))):
            problems.append(f"permit kind {code}: name and description need fi, sv and en")
        requires = row.get("requires", [])
        if not isinstance(requires, list) or any(r not in kinds or r == code for r in requires):
            problems.append(f"permit kind {code}: requires must list other known kinds")
    problems += _dependency_cycles(kinds)
    bundles = _unique(data.bundles, "code", "bundles", problems)
    for code, row in bundles.items():
        if not (_is_text(row.get("name")) and _is_text(row.get("description"))):
            problems.append(f"bundle {code}: name and description need fi, sv and en")
        problems += check_bundle(code, row.get("questions", []), row.get("rules", []), set(kinds))
    for name, schema in data.forms.items():
        problem = check_schema(schema)
        if problem is not None or not isinstance(schema, dict) or schema.get("type") != "object":
            problems.append(f"form {name}: not a JSON Schema of an object ({problem})")
        if not _confidential_marks_are_booleans(schema):
            problems.append(f"form {name}: x-confidential must be true or false")
    if check_schema(data.shared_data_schema) is not None:
        problems.append("shared_data.schema.json: not a valid JSON Schema")
    shared_sections = set(data.shared_data_schema.get("properties", {})) | set(PROJECT_REQUIREMENTS)
    labels = data.attachment_types.get("labels") or {}
    for mime, label in labels.items():
        if not _is_text(label):
            problems.append(f"attachment_types.json: label of {mime} needs fi, sv and en")
    defaults = data.attachment_types.get("defaultTypes")
    if not isinstance(defaults, list) or not defaults:
        problems.append("attachment_types.json: defaultTypes must be a non-empty list")
    else:
        problems += [
            f"attachment_types.json: unknown type {t}" for t in defaults if t not in labels
        ]
    types = _unique(data.permit_types, "code", "permit_types", problems)
    ptv_ids: set[str] = set()
    served_by: dict[tuple[str, str], str] = {}
    for code, row in types.items():
        where = f"permit type {code}"
        if row.get("kind") not in kinds:
            problems.append(f"{where}: unknown kind {row.get('kind')}")
        authority = authorities.get(row.get("authority", ""))
        if authority is None:
            problems.append(f"{where}: unknown authority {row.get('authority')}")
        for bundle in row.get("bundles", []):
            if bundle not in bundles:
                problems.append(f"{where}: unknown bundle {bundle}")
        if not (_is_text(row.get("name")) and _is_text(row.get("description"))):
            problems.append(f"{where}: name and description need fi, sv and en")
        if row.get("legalBasis") is not None and not _is_text(row["legalBasis"]):
            problems.append(f"{where}: legalBasis needs fi, sv and en")
        if row.get("channel") not in {c.value for c in Channel}:
            problems.append(f"{where}: channel must be API or LIGHT")
        if "@" not in str(row.get("notificationEmail", "")):
            problems.append(f"{where}: notificationEmail must be an e-mail address")
        for number in ("processingDays", "leadTimeDays"):
            value = row.get(number)
            if (value is None and number == "processingDays") or (
                value is not None and (not isinstance(value, int) or value < 0)
            ):
                problems.append(f"{where}: {number} must be a non-negative integer")
        if row.get("form") not in data.forms:
            problems.append(f"{where}: unknown form {row.get('form')}")
        ptv = row.get("ptvServiceId")
        if not isinstance(ptv, str) or len(ptv) != 36 or ptv in ptv_ids:
            problems.append(f"{where}: ptvServiceId must be a unique UUID")
        ptv_ids.add(str(ptv))
        problems += _check_attachments(where, row, set(labels))
        for section in row.get("requiredSharedData", []):
            if section not in shared_sections:
                problems.append(f"{where}: unknown shared data section {section}")
        if authority is not None and "scope" in authority:
            for m_code, municipality in municipalities.items():
                if authority_serves(
                    authority["scope"],
                    authority.get("municipalities"),
                    m_code,
                    bool(municipality.get("isAland", False)),
                ):
                    key = (str(row.get("kind")), m_code)
                    if key in served_by:
                        problems.append(
                            f"{where}: kind {key[0]} already offered in {m_code} by {served_by[key]}"
                        )
                    served_by[key] = code
    return problems


def _dependency_cycles(kinds: dict[str, Any]) -> list[str]:
    """A kind may not need its own decision, directly or through others."""
    state: dict[str, int] = {}  # 1: being visited, 2: done
    problems: list[str] = []

    def visit(code: str, trail: list[str]) -> None:
        if state.get(code) == 2:
            return
        if state.get(code) == 1:
            problems.append("permit kinds: requires has a cycle: " + " -> ".join([*trail, code]))
            return
        state[code] = 1
        for other in kinds.get(code, {}).get("requires", []) or []:
            if other in kinds:
                visit(other, [*trail, code])
        state[code] = 2

    for code in kinds:
        visit(code, [])
    return problems


def _confidential_marks_are_booleans(schema: Any) -> bool:
    if isinstance(schema, dict):
        if "x-confidential" in schema and not isinstance(schema["x-confidential"], bool):
            return False
        return all(_confidential_marks_are_booleans(v) for v in schema.values())
    if isinstance(schema, list):
        return all(_confidential_marks_are_booleans(v) for v in schema)
    return True


def _check_attachments(where: str, row: dict[str, Any], known: set[str]) -> list[str]:
    problems: list[str] = []
    for mime in row.get("attachmentTypes", []):
        if mime not in known:
            problems.append(f"{where}: attachmentTypes: unknown type {mime}")
    kinds: set[str] = set()
    for item in row.get("attachments", []):
        kind = item.get("kind") if isinstance(item, dict) else None
        if not isinstance(kind, str) or not kind or kind in kinds:
            problems.append(f"{where}: every attachment needs a unique kind")
            continue
        kinds.add(kind)
        if not _is_text(item.get("name")) or (
            item.get("description") is not None and not _is_text(item["description"])
        ):
            problems.append(f"{where}: attachment {kind}: name and description need fi, sv, en")
        if not isinstance(item.get("required"), bool):
            problems.append(f"{where}: attachment {kind}: required must be true or false")
        types = item.get("types")
        if not isinstance(types, list) or not types or any(t not in known for t in types):
            problems.append(f"{where}: attachment {kind}: types must list known content types")
        size = item.get("maxBytes")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            problems.append(f"{where}: attachment {kind}: maxBytes must be a positive integer")
    return problems


def _requirements(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "kind": item["kind"],
            "name": item["name"],
            "description": item.get("description"),
            "required": item["required"],
            "types": list(item["types"]),
            "maxBytes": item["maxBytes"],
        }
        for item in row.get("attachments", [])
    ]


#: Called in this process when the catalogue changes (the API's in-memory snapshot).
_on_change: list[Callable[[], None]] = []


def on_catalogue_change(callback: Callable[[], None]) -> None:
    _on_change.append(callback)


def catalogue_changed() -> None:
    for callback in _on_change:
        callback()


async def load_catalogue(directory: Path = CATALOGUE_DIR) -> dict[str, int]:
    """Check the data files and write them into the database, in one transaction.

    Rows are matched by code and updated in place; rows no longer in the files are kept
    (applications may refer to them). Returns how many rows of each kind were loaded.
    """
    data = read_catalogue(directory)
    async with in_transaction() as conn:
        for row in data.municipalities:
            await Municipality.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "is_aland": bool(row.get("isAland", False))},
                using_db=conn,
            )
        authority_ids: dict[str, int] = {}
        for row in data.authorities:
            business_id = row.get("businessId")
            authority, _ = await Organisation.update_or_create(
                code=row["code"],
                defaults={
                    "kind": OrganisationKind.AUTHORITY,
                    "name": row["name"],
                    "business_id": normalize_business_id(business_id) if business_id else None,
                    "scope": AuthorityScope(row["scope"]),
                    "municipalities": list(row.get("municipalities", [])),
                    "notification_email": row["notificationEmail"],
                    # an endpoint set with `luukku authority-system` is kept unless the
                    # data file names one
                    **(
                        {"system_endpoint": row["systemEndpoint"]}
                        if row.get("systemEndpoint")
                        else {}
                    ),
                },
                using_db=conn,
            )
            authority_ids[row["code"]] = authority.id
        kind_ids: dict[str, int] = {}
        for row in data.permit_kinds:
            kind, _ = await PermitKind.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "description": row["description"],
                    "requires": list(row.get("requires", [])),
                },
                using_db=conn,
            )
            kind_ids[row["code"]] = kind.id
        for row in data.bundles:
            await ServiceBundle.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "description": row["description"],
                    "questions": row.get("questions", []),
                    "rules": row.get("rules", []),
                    "sort_order": int(row.get("sortOrder", 0)),
                },
                using_db=conn,
            )
        for order, row in enumerate(data.permit_types):
            await PermitType.update_or_create(
                code=row["code"],
                defaults={
                    "kind_id": kind_ids[row["kind"]],
                    "authority_id": authority_ids[row["authority"]],
                    "bundles": list(row.get("bundles", [])),
                    "name": row["name"],
                    "description": row["description"],
                    "channel": Channel(row["channel"]),
                    "notification_email": row["notificationEmail"],
                    "processing_days": row["processingDays"],
                    "lead_time_days": row.get("leadTimeDays"),
                    "legal_basis": row.get("legalBasis"),
                    "ptv_service_id": row["ptvServiceId"],
                    "form_schema": data.forms[row["form"]],
                    "required_shared_data": list(row.get("requiredSharedData", [])),
                    "attachment_requirements": _requirements(row),
                    "attachment_types": list(
                        row.get("attachmentTypes") or data.attachment_types["defaultTypes"]
                    ),
                    "sort_order": order,
                },
                using_db=conn,
            )
        await CatalogueDocument.update_or_create(
            key=SHARED_DATA_SCHEMA, defaults={"document": data.shared_data_schema}, using_db=conn
        )
        await CatalogueDocument.update_or_create(
            key=ATTACHMENT_TYPES, defaults={"document": data.attachment_types}, using_db=conn
        )
    catalogue_changed()
    try:  # and every other process, through the bus
        await publish_catalogue_change()
    except Exception as exc:  # no bus here (e.g. before the services start): nothing to tell
        log.info("catalogue change not published: %r", exc)
    return {
        "municipalities": len(data.municipalities),
        "authorities": len(data.authorities),
        "permit_kinds": len(data.permit_kinds),
        "bundles": len(data.bundles),
        "permit_types": len(data.permit_types),
    }


# --- reading the catalogue for the survey and for new applications ------------------------


@dataclass(frozen=True)
class Suggestion:
    """A permit the survey calls for, resolved for one municipality and start date."""

    kind: dict[str, Any]
    permit_type: dict[str, Any] | None
    certainty: Certainty
    reasons: tuple[dict[str, str], ...]
    lead_time_days: int | None
    latest_application_date: date | None
    recommended_application_date: date | None


async def municipality_row(code: str, field: list[str]) -> dict[str, Any]:
    row = await Municipality.filter(code=municipality_code(code, field)).values()
    if not row:
        raise DomainError(ErrorCode.INVALID_MUNICIPALITY, field=field, value=excerpt(code))
    return row[0]


async def offered_permit_types(municipality: dict[str, Any]) -> list[dict[str, Any]]:
    """Every permit type an authority offers through Luukku in the municipality."""
    rows = (
        await PermitType.all()
        .order_by("sort_order", "id")
        .values(
            *[f for f in PermitType._meta.fields_db_projection],
            authority_scope="authority__scope",
            authority_municipalities="authority__municipalities",
        )
    )
    return [
        row
        for row in rows
        if authority_serves(
            row["authority_scope"],
            row["authority_municipalities"],
            municipality["code"],
            municipality["is_aland"],
        )
    ]


async def permit_needs(
    bundle_id: int,
    municipality_code: str,
    starts_on: date | None,
    answers: list[tuple[str, Answer]],
) -> list[Suggestion]:
    """Evaluate a bundle's survey. Raises DomainErrors for unknown, ill-typed or missing answers."""
    bundle = await ServiceBundle.filter(id=bundle_id).values()
    if not bundle:
        raise DomainError(ErrorCode.NOT_FOUND, field=["serviceBundleId"])
    municipality = await municipality_row(municipality_code, ["municipalityCode"])
    typed, errors = check_answers(bundle[0]["questions"], answers)
    raise_all(errors)
    found = needs(bundle[0]["rules"], typed)
    kinds = {
        row["code"]: row
        for row in await PermitKind.filter(code__in=[n.permit_kind for n in found]).values()
    }
    offered = {row["kind_id"]: row for row in await offered_permit_types(municipality)}
    suggestions = []
    for need in found:
        kind = kinds[need.permit_kind]
        permit_type = offered.get(kind["id"])
        lead_times = [need.lead_time_days, permit_type["lead_time_days"] if permit_type else None]
        lead = max((x for x in lead_times if x is not None), default=None)
        latest = recommended = None
        if starts_on is not None and lead is not None:
            latest = starts_on - timedelta(days=lead)
        if starts_on is not None and permit_type is not None:
            recommended = starts_on - timedelta(days=max(permit_type["processing_days"], lead or 0))
        suggestions.append(
            Suggestion(kind, permit_type, need.certainty, need.reasons, lead, latest, recommended)
        )
    return suggestions
