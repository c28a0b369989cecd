"""The floors of the project, and imports pointing one way: down.

Floors from the bottom: the engine (``model``), the scenario language
(``scenarios``), the results store and its exports (``results``), sweeps, plans and
their execution (``experiments``), the calibration, the dashboard and the command
line. A module may import its own floor and the floors below it, never one above;
benchmarks and the documentation scripts sit on top. The per-floor tests
(``tests/*/test_layers.py``) check the order inside a floor and that other floors use
only a floor's public names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FLOORS = ("model", "scenarios", "results", "experiments", "calibration", "dashboard", "cli")
"""Bottom to top."""

TOP = ("benchmarks", "docs")
"""Folders above every floor (they may import any)."""


def _imported_floors(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in FLOORS:
                found.append((top, node.lineno))
    return found


def _modules() -> list[Path]:
    return [p for floor in FLOORS for p in sorted((ROOT / floor).rglob("*.py"))]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_point_down(path: Path) -> None:
    own = FLOORS.index(path.relative_to(ROOT).parts[0])
    upward = [
        f"line {line}: {floor}"
        for floor, line in _imported_floors(path)
        if FLOORS.index(floor) > own
    ]
    assert not upward, f"{path.relative_to(ROOT)} imports a higher floor: {upward}"


def test_every_package_is_a_floor() -> None:
    """A new top-level package must be given its place among the floors."""
    packages = {
        p.parent.name
        for p in ROOT.glob("*/__init__.py")
        if p.parent.name not in ("tests",) and not p.parent.name.startswith(".")
    }
    assert packages <= set(FLOORS), packages - set(FLOORS)


def test_a_higher_floor_breaks_the_check(tmp_path: Path) -> None:
    """The check sees an upward import (it can fail)."""
    module = tmp_path / "m.py"
    module.write_text("from dashboard import create_app\nimport model.params\n", encoding="utf-8")
    assert [f for f, _ in _imported_floors(module)] == ["dashboard", "model"]
