"""The status model is data: every status has labels, transitions say who and through what."""

from __future__ import annotations

from models.statuses import (
    DECISION_OUTCOMES,
    FINAL,
    LABELS,
    TRANSITIONS,
    ApplicationStatus,
    Side,
    Via,
    find_transition,
)

S = ApplicationStatus


def test_every_status_has_labels_in_three_languages() -> None:
    assert set(LABELS) == set(ApplicationStatus)
    for labels in LABELS.values():
        assert {lang for lang, text in labels.items() if text} == {"fi", "sv", "en"}
    assert LABELS[S.NOT_STARTED]["fi"] == "Aloittamatta"
    assert LABELS[S.INFORMATION_REQUESTED]["fi"] == "Lisätietoja tarvitaan"


def test_the_usual_path_is_allowed_with_the_right_side_and_action() -> None:
    path = [
        (S.DRAFT, S.NOT_STARTED, Side.CUSTOMER, Via.SUBMIT),
        (S.NOT_STARTED, S.IN_PROGRESS, Side.AUTHORITY, Via.STATUS_UPDATE),
        (S.IN_PROGRESS, S.INFORMATION_REQUESTED, Side.AUTHORITY, Via.SUPPLEMENT_REQUEST),
        (S.INFORMATION_REQUESTED, S.IN_PROGRESS, Side.CUSTOMER, Via.SUPPLEMENT_SUBMIT),
        (S.IN_PROGRESS, S.APPROVED, Side.AUTHORITY, Via.DECISION),
    ]
    for step in path:
        assert find_transition(*step) is not None, step


def test_nothing_leaves_a_final_status() -> None:
    assert not [t for t in TRANSITIONS if t.source in FINAL]


def test_sides_cannot_make_each_others_transitions() -> None:
    assert find_transition(S.DRAFT, S.NOT_STARTED, Side.AUTHORITY, Via.SUBMIT) is None
    assert find_transition(S.IN_PROGRESS, S.APPROVED, Side.CUSTOMER, Via.DECISION) is None
    assert find_transition(S.NOT_STARTED, S.WITHDRAWN, Side.AUTHORITY, Via.WITHDRAW) is None


def test_decisions_give_every_final_status_but_withdrawal() -> None:
    assert DECISION_OUTCOMES == FINAL - {S.WITHDRAWN}
    for outcome in DECISION_OUTCOMES:
        assert find_transition(S.IN_PROGRESS, outcome, Side.AUTHORITY, Via.DECISION)
    assert find_transition(S.DRAFT, S.APPROVED, Side.AUTHORITY, Via.DECISION) is None
