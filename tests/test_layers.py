"""The imports point one way (README, "Layout"): settings are a leaf, models never import an
upper layer, and nothing below the schema imports the app's wiring."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("app", "actions", "models", "notifications", "permissions", "resolvers", "schema")


def imported(path: Path) -> set[str]:
    """Every Luukku module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name.split(".")[0] in PROJECT}


def files(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((ROOT / package).rglob("*.py"))]


def test_settings_are_a_leaf() -> None:
    assert imported(ROOT / "models" / "settings.py") == set()


def test_models_and_permissions_import_no_upper_layer() -> None:
    allowed = {"models": ("models",), "permissions": ("models", "permissions")}
    for package, below in allowed.items():
        for path in files(package):
            upward = {n for n in imported(path) if n.split(".")[0] not in below}
            assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"


def test_only_the_app_imports_the_app() -> None:
    for path in files("actions", "models", "notifications", "permissions", "resolvers"):
        wiring = {n for n in imported(path) if n.split(".")[0] == "app"}
        assert not wiring, f"{path.relative_to(ROOT)} imports {sorted(wiring)}"
