"""The permit-needs survey (lupatarveselvitys): questions, rules and their safe evaluation.

Questions and rules are data (data/catalogue/bundles/*.json, format in FORMAT.md).
Conditions are interpreted here by a small evaluator over a fixed grammar: there is no
eval, no expression parsing and no attribute access, so a catalogue file cannot run code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from models.enums import LANGUAGES, Certainty, QuestionType
from models.errors import ANSWER_TYPES, DomainError, ErrorCode, excerpt

Answer = bool | float | str
Condition = Mapping[str, Any]

_QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER_OPS = {"gt", "gte", "lt", "lte"}
_ALL_OPS = _NUMBER_OPS | {"eq", "ne", "in", "answered"}
_CERTAINTY_ORDER = {Certainty.POSSIBLE: 0, Certainty.CERTAIN: 1}


@dataclass(frozen=True)
class Need:
    """One permit kind the answers call for."""

    permit_kind: str
    certainty: Certainty
    reasons: tuple[dict[str, str], ...]
    rule_ids: tuple[str, ...]
    lead_time_days: int | None = None


# --- checking the catalogue data --------------------------------------------------------


def _is_text(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(value.get(lang), str) and value.get(lang) for lang in LANGUAGES
    )


def _check_value_for(question: Mapping[str, Any], value: Any, where: str) -> list[str]:
    qtype = question["type"]
    if qtype == QuestionType.BOOLEAN and not isinstance(value, bool):
        return [f"{where}: value must be a boolean"]
    if qtype == QuestionType.NUMBER and (
        isinstance(value, bool) or not isinstance(value, int | float)
    ):
        return [f"{where}: value must be a number"]
    if qtype == QuestionType.CHOICE:
        choices = {c["value"] for c in question.get("choices", [])}
        if value not in choices:
            return [f"{where}: {value!r} is not a choice of {question['id']}"]
    return []


def check_condition(
    condition: Any, questions: Mapping[str, Mapping[str, Any]], where: str
) -> list[str]:
    """Problems with a condition: unknown keys, questions or ops, or values of the wrong type."""
    if not isinstance(condition, Mapping) or len(condition) == 0:
        return [f"{where}: a condition must be a non-empty object"]
    if "always" in condition:
        return [] if condition == {"always": True} else [f"{where}: use {{'always': true}}"]
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        items = condition[key]
        if len(condition) != 1 or not isinstance(items, list) or not items:
            return [f"{where}: '{key}' needs a non-empty list and nothing else"]
        problems: list[str] = []
        for i, item in enumerate(items):
            problems += check_condition(item, questions, f"{where}.{key}[{i}]")
        return problems
    if "not" in condition:
        if len(condition) != 1:
            return [f"{where}: 'not' takes one condition and nothing else"]
        return check_condition(condition["not"], questions, f"{where}.not")
    if set(condition) - {"question", "op", "value"}:
        return [f"{where}: unknown keys {sorted(set(condition) - {'question', 'op', 'value'})}"]
    qid, op = condition.get("question"), condition.get("op")
    if qid not in questions or not isinstance(qid, str):
        return [f"{where}: unknown question {qid!r}"]
    if op not in _ALL_OPS:
        return [f"{where}: unknown op {op!r}"]
    question = questions[qid]
    if op == "answered":
        return [] if "value" not in condition else [f"{where}: 'answered' takes no value"]
    if "value" not in condition:
        return [f"{where}: op {op!r} needs a value"]
    value = condition["value"]
    if op in _NUMBER_OPS:
        if question["type"] != QuestionType.NUMBER:
            return [f"{where}: op {op!r} needs a NUMBER question"]
        return _check_value_for(question, value, where)
    if op == "in":
        if question["type"] != QuestionType.CHOICE or not isinstance(value, list) or not value:
            return [f"{where}: 'in' needs a CHOICE question and a non-empty list"]
        problems = []
        for item in value:
            problems += _check_value_for(question, item, where)
        return problems
    return _check_value_for(question, value, where)


def check_bundle(
    code: str,
    questions: Sequence[Mapping[str, Any]],
    rules: Sequence[Mapping[str, Any]],
    permit_kinds: set[str],
) -> list[str]:
    """Every problem in a bundle's survey data; an empty list means it is usable."""
    problems: list[str] = []
    by_id: dict[str, Mapping[str, Any]] = {}
    for i, q in enumerate(questions):
        where = f"{code}.questions[{i}]"
        qid = q.get("id")
        if not isinstance(qid, str) or not _QUESTION_ID.match(qid):
            problems.append(f"{where}: id must match {_QUESTION_ID.pattern}")
            continue
        if qid in by_id:
            problems.append(f"{where}: duplicate id {qid}")
        if q.get("type") not in {t.value for t in QuestionType}:
            problems.append(f"{where}: type must be BOOLEAN, NUMBER or CHOICE")
            continue
        if not _is_text(q.get("text")) or ("help" in q and not _is_text(q["help"])):
            problems.append(f"{where}: text (and help) must have fi, sv and en")
        if not isinstance(q.get("required", False), bool):
            problems.append(f"{where}: required must be a boolean")
        if q["type"] == QuestionType.CHOICE:
            choices = q.get("choices")
            if (
                not isinstance(choices, list)
                or not choices
                or not all(
                    isinstance(c, Mapping)
                    and isinstance(c.get("value"), str)
                    and _is_text(c.get("label"))
                    for c in choices
                )
            ):
                problems.append(f"{where}: choices must be a list of {{value, label}}")
        for bound in ("min", "max"):
            if bound in q and (
                q["type"] != QuestionType.NUMBER or not isinstance(q[bound], int | float)
            ):
                problems.append(f"{where}: {bound} is for NUMBER questions and must be a number")
        by_id[qid] = q
    for i, q in enumerate(questions):
        if "askIf" in q and q.get("id") in by_id:
            problems += check_condition(q["askIf"], by_id, f"{code}.questions[{i}].askIf")
    rule_ids: set[str] = set()
    for i, rule in enumerate(rules):
        where = f"{code}.rules[{i}]"
        rid = rule.get("id")
        if not isinstance(rid, str) or not rid or rid in rule_ids:
            problems.append(f"{where}: id must be a unique non-empty string")
        rule_ids.add(str(rid))
        if rule.get("permitKind") not in permit_kinds:
            problems.append(f"{where}: unknown permitKind {rule.get('permitKind')!r}")
        if rule.get("certainty") not in {c.value for c in Certainty}:
            problems.append(f"{where}: certainty must be CERTAIN or POSSIBLE")
        if not _is_text(rule.get("reason")):
            problems.append(f"{where}: reason must have fi, sv and en")
        lead = rule.get("leadTimeDays")
        if lead is not None and (not isinstance(lead, int) or isinstance(lead, bool) or lead < 0):
            problems.append(f"{where}: leadTimeDays must be a non-negative integer")
        problems += check_condition(rule.get("when"), by_id, f"{where}.when")
    return problems


# --- evaluating ---------------------------------------------------------------------------


def evaluate(condition: Condition, answers: Mapping[str, Answer]) -> bool:
    """Evaluate a (checked) condition against typed answers."""
    if "always" in condition:
        return True
    if "all" in condition:
        return all(evaluate(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, answers) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], answers)
    qid, op = condition["question"], condition["op"]
    if qid not in answers:
        return False
    answer = answers[qid]
    if op == "answered":
        return True
    value = condition["value"]
    match op:
        # Both sides are type-checked against the question (check_condition, check_answers),
        # so == never compares a boolean with a number.
        case "eq":
            return bool(answer == value)
        case "ne":
            return bool(answer != value)
        case "in":
            return bool(answer in value)
        case "gt":
            return bool(float(answer) > value)
        case "gte":
            return bool(float(answer) >= value)
        case "lt":
            return bool(float(answer) < value)
        case "lte":
            return bool(float(answer) <= value)
    return False


def is_asked(question: Mapping[str, Any], answers: Mapping[str, Answer]) -> bool:
    condition = question.get("askIf")
    return condition is None or evaluate(condition, answers)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_answers(
    questions: Sequence[Mapping[str, Any]], answers: Sequence[tuple[str, Answer]]
) -> tuple[dict[str, Answer], list[DomainError]]:
    """Type-check the answers; returns the answers by id and every problem found."""
    by_id = {q["id"]: q for q in questions}
    errors: list[DomainError] = []
    result: dict[str, Answer] = {}
    for index, (qid, value) in enumerate(answers):
        where = ["answers", str(index)]
        question = by_id.get(qid)
        if question is None:
            errors.append(
                DomainError(ErrorCode.UNKNOWN_QUESTION, field=where, question=excerpt(qid))
            )
            continue
        if qid in result:
            errors.append(DomainError(ErrorCode.DUPLICATE, field=where, value=question["text"]))
            continue
        qtype = question["type"]
        ok = (
            (qtype == QuestionType.BOOLEAN and isinstance(value, bool))
            or (qtype == QuestionType.NUMBER and isinstance(value, float) and math.isfinite(value))
            or (qtype == QuestionType.CHOICE and isinstance(value, str))
        )
        if not ok:
            errors.append(
                DomainError(
                    ErrorCode.WRONG_ANSWER_TYPE,
                    field=where,
                    question=question["text"],
                    expected=ANSWER_TYPES[qtype],
                )
            )
            continue
        if qtype == QuestionType.NUMBER:
            assert isinstance(value, float)
            if question.get("integer") and not value.is_integer():
                errors.append(
                    DomainError(
                        ErrorCode.INVALID_VALUE,
                        field=where,
                        detail="{question}: a whole number",
                        question=question["text"],
                    )
                )
                continue
            low, high = question.get("min"), question.get("max")
            if (low is not None and value < low) or (high is not None and value > high):
                errors.append(
                    DomainError(
                        ErrorCode.INVALID_VALUE,
                        field=where,
                        detail="{question}: from {low} to {high}",
                        question=question["text"],
                        low="…" if low is None else _number(low),
                        high="…" if high is None else _number(high),
                    )
                )
                continue
        if qtype == QuestionType.CHOICE and value not in {c["value"] for c in question["choices"]}:
            errors.append(
                DomainError(
                    ErrorCode.INVALID_VALUE,
                    field=where,
                    detail="{question}: not one of the choices",
                    question=question["text"],
                )
            )
            continue
        result[qid] = value
    if not errors:
        for question in questions:
            if (
                question.get("required")
                and question["id"] not in result
                and is_asked(question, result)
            ):
                errors.append(
                    DomainError(
                        ErrorCode.MISSING_ANSWER, field=["answers"], question=question["text"]
                    )
                )
    return result, errors


def needs(rules: Sequence[Mapping[str, Any]], answers: Mapping[str, Answer]) -> list[Need]:
    """The permit kinds the answers call for, strongest certainty first, in rule order."""
    found: dict[str, Need] = {}
    for rule in rules:
        if not evaluate(rule["when"], answers):
            continue
        kind = rule["permitKind"]
        certainty = Certainty(rule["certainty"])
        lead = rule.get("leadTimeDays")
        before = found.get(kind)
        if before is None:
            found[kind] = Need(kind, certainty, (rule["reason"],), (rule["id"],), lead)
            continue
        best = max(before.certainty, certainty, key=_CERTAINTY_ORDER.__getitem__)
        leads = [x for x in (before.lead_time_days, lead) if x is not None]
        found[kind] = Need(
            kind,
            best,
            (*before.reasons, rule["reason"]),
            (*before.rule_ids, rule["id"]),
            max(leads) if leads else None,
        )
    ordered = sorted(found.values(), key=lambda n: -_CERTAINTY_ORDER[n.certainty])
    return ordered


__all__ = ["Answer", "Need", "check_answers", "check_bundle", "evaluate", "is_asked", "needs"]
