"""User errors speak the request's language throughout, point at the value at fault, and
never repeat more than a short excerpt of what the client sent."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from models import Project, ServiceBundle
from models.errors import DESCRIPTIONS, DETAILS, EXCERPT_LENGTH, MESSAGES, ErrorCode
from tests.factories import GQL, gid, make_application, make_customer, make_project
from tests.resolvers.applications.operations import APPLICATION_SUBMIT, APPLICATION_UPDATE

ROOT = Path(__file__).resolve().parents[2]
LONG = "Q" * 5000
#: What jsonschema and our old messages said in English, which no fi or sv message may contain.
ENGLISH = (
    "is not of type",
    "is too long",
    "is not one of",
    "is a required property",
    "Additional properties",
    "is less than",
    "does not match",
    "in the past",
    "a JSON object",
)

PERMIT_NEEDS = """query($input: PermitNeedsInput!) { permitNeeds(input: $input) {
  userErrors { code field message } } }"""


def _longest_echo(message: str, value: str = LONG) -> int:
    """How many characters of `value` (a run of one character) the message repeats."""
    run = best = 0
    for char in message:
        run = run + 1 if char == value[0] else 0
        best = max(best, run)
    return best


async def _errors(
    gql: GQL, query: str, variables: dict[str, Any], token: str, language: str
) -> list[dict[str, Any]]:
    result = await gql(query, variables, token=token, headers={"Accept-Language": language})
    (payload,) = result["data"].values()
    errors: list[dict[str, Any]] = payload["userErrors"]
    assert errors, result
    return errors


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_form_errors_are_in_the_request_language_at_their_own_paths(
    gql: GQL, language: str
) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, content={})
    errors = await _errors(
        gql,
        APPLICATION_UPDATE,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 2,
                "content": {
                    "expected_attendees": "many",
                    "event_type": LONG,
                    "event_name": LONG,
                    "no_such_field": LONG,
                },
            }
        },
        customer.token,
        language,
    )
    by_field = {tuple(e["field"]): e for e in errors}
    assert set(by_field) == {
        ("input", "content", "expected_attendees"),
        ("input", "content", "event_type"),
        ("input", "content", "event_name"),
        ("input", "content", "no_such_field"),
    }
    for error in errors:
        assert error["code"] == "SCHEMA_VIOLATION"
        assert _longest_echo(error["message"]) == 0, error
        if language != "en":
            assert not any(text in error["message"] for text in ENGLISH), error
    expected = {
        "fi": ("kokonaisluku", "enintään 200 merkkiä", "CONCERT, FESTIVAL", "ei ole tätä kenttää"),
        "sv": ("heltal", "högst 200 tecken", "CONCERT, FESTIVAL", "inte detta fält"),
        "en": ("whole number", "at most 200 characters", "CONCERT, FESTIVAL", "no such field"),
    }[language]
    messages = [
        by_field[("input", "content", name)]["message"]
        for name in ("expected_attendees", "event_name", "event_type", "no_such_field")
    ]
    for word, message in zip(expected, messages, strict=True):
        assert word in message, (word, message)


@pytest.mark.parametrize("language", ["fi", "sv"])
async def test_shared_data_errors_on_submit_are_translated_at_project_update_paths(
    gql: GQL, language: str
) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id)
    # data saved under an older schema: the catalogue's checks apply again on submission
    shared = {"contact": {"name": "Maija", "email": "not an address"}}
    await Project.filter(id=project_id).update(shared_data=shared)
    errors = await _errors(
        gql,
        APPLICATION_SUBMIT,
        {"input": {"id": gid("Application", app_id), "expectedVersion": 2}},
        customer.token,
        language,
    )
    fields = {tuple(e["field"]): e for e in errors}
    assert ("input", "sharedData", "organiser") in fields  # missing section, projectUpdate's path
    email = fields[("input", "sharedData", "contact", "email")]
    assert email["code"] == "SCHEMA_VIOLATION"
    assert ("sähköpostiosoite" if language == "fi" else "e-postadress") in email["message"]
    assert "not an address" not in email["message"]


async def test_survey_errors_quote_the_question_and_only_an_excerpt_of_the_answer(
    gql: GQL,
) -> None:
    customer = await make_customer()
    bundle = await ServiceBundle.get(code="public-event")
    base = {
        "serviceBundleId": gid("ServiceBundle", bundle.id),
        "municipalityCode": "091",
        "answers": [
            {"questionId": LONG, "value": {"boolean": True}},
            {"questionId": "attendees", "value": {"choice": LONG}},
        ],
    }
    errors = await _errors(gql, PERMIT_NEEDS, {"input": base}, customer.token, "sv")
    codes = {e["code"]: e for e in errors}
    assert set(codes) == {"UNKNOWN_QUESTION", "WRONG_ANSWER_TYPE"}
    assert 0 < _longest_echo(codes["UNKNOWN_QUESTION"]["message"]) < EXCERPT_LENGTH
    wrong = codes["WRONG_ANSWER_TYPE"]["message"]
    assert "Hur många personer" in wrong and "ett tal" in wrong and "attendees" not in wrong
    out_of_range = await _errors(
        gql,
        PERMIT_NEEDS,
        {"input": {**base, "answers": [{"questionId": "attendees", "value": {"number": -1}}]}},
        customer.token,
        "fi",
    )
    assert "odotetaan lukua väliltä 0–" in out_of_range[0]["message"]


def test_every_code_has_a_description_and_messages_in_three_languages() -> None:
    for code in ErrorCode:
        assert DESCRIPTIONS[code] and "{" not in DESCRIPTIONS[code], code
        assert set(MESSAGES[code]) == {"fi", "sv", "en"}, code
    for english, translations in DETAILS.items():
        assert {"fi", "sv"} <= set(translations), english


def _detail_literals() -> list[tuple[str, int, ast.expr]]:
    """Every `detail=` argument of a DomainError in the application's code."""
    found = []
    for package in ("actions", "models", "resolvers", "schema", "app", "permissions"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "DomainError":
                    found += [
                        (str(path.relative_to(ROOT)), node.lineno, keyword.value)
                        for keyword in node.keywords
                        if keyword.arg == "detail"
                    ]
    return found


def test_every_detail_written_in_the_code_has_its_translations() -> None:
    """A detail is an English text with fi and sv in models.errors.DETAILS (or a text built
    in every language): never an f-string, which would reach users in English only."""
    literals = _detail_literals()
    assert len(literals) > 10
    for path, line, value in literals:
        where = f"{path}:{line}"
        assert not isinstance(value, ast.JoinedStr), f"{where}: f-string detail"
        if isinstance(value, ast.Constant):
            assert value.value in DETAILS, f"{where}: {value.value!r} has no fi/sv in DETAILS"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (  # an enum value that does not exist
            "mutation($i: ApplicationStatusUpdateInput!) { applicationStatusUpdate(input: $i) { userErrors { code } } }",
            {"i": {"id": "x", "expectedVersion": 1, "status": LONG}},
        ),
        (
            'query($d: Date!) { permitNeeds(input: {serviceBundleId: "x", municipalityCode: "091", startsOn: $d, answers: []}) { userErrors { code } } }',
            {"d": LONG},
        ),  # a date that is not one
        ("query { " + LONG + " }", {}),  # a field that does not exist
    ],
)
async def test_top_level_errors_repeat_only_an_excerpt_of_the_input(
    gql: GQL, query: str, variables: dict[str, Any]
) -> None:
    customer = await make_customer()
    result = await gql(query, variables, token=customer.token, errors=True)
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert 0 < _longest_echo(error["message"]) < EXCERPT_LENGTH, error["message"]


def test_the_schema_describes_every_user_error_code_whole() -> None:
    """What GraphiQL and code generators show: no placeholder lost from a message template."""
    from schema.root import schema

    values = schema._schema.get_type("UserErrorCode").values  # type: ignore[union-attr]
    for code in ErrorCode:
        description = values[code.value].description
        assert description == DESCRIPTIONS[code], code
        assert not re.search(r"\(\s*\)|\(\s*[;,]|\s[.,;:)]|→ ", description), description
