"""README's "Who sees what" table is the matrix's (tests/permissions/matrix.py SEES): the
rows it shows, per state, name exactly the roles the matrix says."""

from __future__ import annotations

from pathlib import Path

from tests.permissions.matrix import SEES
from tests.permissions.world import Role, State

README = Path(__file__).resolve().parents[2] / "README.md"
HEADER = "| Who sees | " + " | ".join(f"`{s.value}`" for s in State) + " |"
#: README's short names of the roles
SHORT = {
    Role.OWNER_REP: "own",
    Role.CO_REP: "rep",
    Role.UNRELATED_CUSTOMER: "cust",
    Role.ADDRESSED_HANDLER: "AH",
    Role.CO_AUTHORITY_HANDLER: "CAH",
    Role.UNINVOLVED_HANDLER: "UNI",
    Role.ADDRESSED_SYSTEM: "SYS",
    Role.ASKED_HANDLER: "ASK",
    Role.ADMIN: "ADM",
    Role.OPERATOR: "OPR",
    Role.ANONYMOUS: "anon",
}
ROWS = ("project", "content", "discussion", "decision", "confidential", "statement")
ROWS += ("statement_text", "outbox")


def cell(roles: frozenset[Role]) -> str:
    return " ".join(SHORT[r] for r in Role if r in roles) or "–"


def table() -> str:
    """The table as README shows it."""
    lines = [HEADER, "|" + "---|" * (len(State) + 1)]
    for row in ROWS:
        lines.append(f"| `{row}` | " + " | ".join(cell(SEES[row][s]) for s in State) + " |")
    return "\n".join(lines)


def test_the_readme_table_is_the_matrix() -> None:
    text = README.read_text(encoding="utf-8")
    assert table() in text, "README's Who sees what table differs from matrix.SEES:\n" + table()
