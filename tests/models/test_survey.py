"""The survey's rules are data, evaluated by a fixed grammar (no eval)."""

from __future__ import annotations

import pytest

from models.enums import Certainty
from models.errors import ErrorCode
from models.survey import check_answers, check_bundle, evaluate, needs

QUESTIONS = [
    {
        "id": "kind",
        "type": "CHOICE",
        "required": True,
        "text": {"fi": "a", "sv": "b", "en": "c"},
        "choices": [
            {"value": "WIND", "label": {"fi": "a", "sv": "b", "en": "c"}},
            {"value": "SOLAR", "label": {"fi": "a", "sv": "b", "en": "c"}},
        ],
    },
    {
        "id": "count",
        "type": "NUMBER",
        "required": True,
        "integer": True,
        "min": 0,
        "max": 500,
        "text": {"fi": "Montako?", "sv": "Hur många?", "en": "How many?"},
        "askIf": {"question": "kind", "op": "eq", "value": "WIND"},
    },
    {"id": "big", "type": "BOOLEAN", "text": {"fi": "a", "sv": "b", "en": "c"}},
]
TEXT = {"fi": "a", "sv": "b", "en": "c"}


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        ({"always": True}, {}, True),
        ({"question": "count", "op": "gte", "value": 10}, {"count": 10.0}, True),
        ({"question": "count", "op": "gt", "value": 10}, {"count": 10.0}, False),
        ({"question": "count", "op": "lt", "value": 10}, {}, False),  # unanswered is false
        ({"not": {"question": "count", "op": "lt", "value": 10}}, {}, True),
        ({"question": "kind", "op": "in", "value": ["WIND", "SOLAR"]}, {"kind": "SOLAR"}, True),
        ({"question": "big", "op": "eq", "value": True}, {"big": True}, True),
        ({"question": "big", "op": "ne", "value": True}, {"big": False}, True),
        ({"question": "big", "op": "answered"}, {"big": False}, True),
        (
            {"all": [{"always": True}, {"question": "big", "op": "eq", "value": True}]},
            {"big": False},
            False,
        ),
        (
            {"any": [{"question": "big", "op": "eq", "value": True}, {"always": True}]},
            {"big": False},
            True,
        ),
    ],
)
def test_conditions_evaluate_by_the_grammar(condition: dict, answers: dict, expected: bool) -> None:
    by_id = {q["id"]: q for q in QUESTIONS}
    from models.survey import check_condition

    assert check_condition(condition, by_id, "t") == []
    assert evaluate(condition, answers) is expected


@pytest.mark.parametrize(
    "condition",
    [
        {"question": "count", "op": "__import__('os')", "value": 1},
        {"question": "count", "op": "gte", "value": "__import__('os').system('x')"},
        {"question": "nope", "op": "eq", "value": 1},
        {"question": "kind", "op": "eq", "value": "HYDRO"},
        {"question": "big", "op": "gte", "value": 1},
        {"all": []},
        {"expr": "1 + 1"},
        "count > 3",
        {"question": "count", "op": "eq", "value": 1, "extra": True},
    ],
)
def test_bad_conditions_are_rejected_when_the_catalogue_loads(condition: object) -> None:
    rules = [
        {"id": "r", "permitKind": "k", "certainty": "CERTAIN", "when": condition, "reason": TEXT}
    ]
    assert check_bundle("b", QUESTIONS, rules, {"k"}) != []


def test_answers_are_type_checked_and_required_ones_depend_on_ask_if() -> None:
    _, errors = check_answers(QUESTIONS, [("kind", "WIND")])
    assert [(e.code, e.field) for e in errors] == [(ErrorCode.MISSING_ANSWER, ["answers"])]
    assert errors[0].render("sv") == "Frågan ”Hur många?” måste besvaras."  # its text, not its id
    _, errors = check_answers(QUESTIONS, [("kind", "SOLAR")])
    assert errors == []
    _, errors = check_answers(
        QUESTIONS, [("kind", True), ("count", 1.5), ("nope", True), ("big", "yes")]
    )
    codes = [e.code for e in errors]
    assert codes == [
        ErrorCode.WRONG_ANSWER_TYPE,
        ErrorCode.INVALID_VALUE,
        ErrorCode.UNKNOWN_QUESTION,
        ErrorCode.WRONG_ANSWER_TYPE,
    ]
    assert errors[2].field == ["answers", "2"]


def test_strongest_certainty_and_largest_lead_time_win() -> None:
    rules = [
        {
            "id": "a",
            "permitKind": "k",
            "certainty": "POSSIBLE",
            "when": {"always": True},
            "reason": TEXT,
        },
        {
            "id": "b",
            "permitKind": "k",
            "certainty": "CERTAIN",
            "when": {"always": True},
            "reason": TEXT,
            "leadTimeDays": 14,
        },
        {
            "id": "c",
            "permitKind": "j",
            "certainty": "POSSIBLE",
            "when": {"always": True},
            "reason": TEXT,
        },
    ]
    found = needs(rules, {})
    assert [(n.permit_kind, n.certainty, n.lead_time_days, n.rule_ids) for n in found] == [
        ("k", Certainty.CERTAIN, 14, ("a", "b")),
        ("j", Certainty.POSSIBLE, None, ("c",)),
    ]
