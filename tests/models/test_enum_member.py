"""`member`: the enum's own call, by its map of values, for values read from rows."""

from __future__ import annotations

import pytest

from models.enums import Certainty, member
from models.statuses import ApplicationStatus


@pytest.mark.parametrize("status", list(ApplicationStatus))
def test_a_member_or_its_value_gives_the_member(status: ApplicationStatus) -> None:
    assert member(ApplicationStatus, status) is status is ApplicationStatus(status)
    assert member(ApplicationStatus, str(status.value)) is status


@pytest.mark.parametrize("value", ["draft", "", None, 3, ["DRAFT"]])
def test_anything_else_raises_as_the_enums_call_does(value: object) -> None:
    with pytest.raises(ValueError) as by_member:
        member(ApplicationStatus, value)
    with pytest.raises(ValueError) as by_call:
        ApplicationStatus(value)
    assert str(by_member.value) == str(by_call.value)
    assert member(Certainty, next(iter(Certainty)).value) is next(iter(Certainty))
