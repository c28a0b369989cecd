"""The scenario language's floors: its modules import one way, other floors use its package.

Inside ``scenarios/`` every module imports only modules listed before it in
:data:`ORDER`; the package imports nothing of a higher floor; and the non-test code
of every higher floor imports the scenario language only through ``scenarios``
itself (the names its ``__init__`` exports), never one of its modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import scenarios

ROOT = Path(__file__).resolve().parents[2]
"""The project folder."""

ORDER = (
    "formatting",
    "errors",
    "limits",
    "safe_yaml",
    "quantities",
    "sections",
    "paths",
    "declarations",
    "documents",
    "overrides",
    "calibration_file",
    "datafiles",
    "sozialraeume",
    "build",
    "loader",
)
"""The modules of ``scenarios/``, bottom to top."""

HIGHER_FLOORS = ("experiments", "results", "calibration", "dashboard", "cli", "benchmarks", "docs")
"""Folders of the floors above the scenario language (and the tools that use it)."""


def _imports(path: Path, *, runtime_only: bool = True) -> list[tuple[str, int]]:
    """Modules a file imports, with their lines.

    Left out: fallbacks in ``except ImportError:`` (code that also runs on an older
    tree, such as a benchmark comparing before and after) and, with
    ``runtime_only``, ``if TYPE_CHECKING:`` blocks.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        typing_only = isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        fallback = isinstance(node, ast.ExceptHandler) and (
            node.type is not None and ast.unparse(node.type) == "ImportError"
        )
        if (typing_only and runtime_only) or fallback:
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "scenarios":
                found.extend((f"scenarios.{a.name}", node.lineno) for a in node.names)
            else:
                found.append((node.module, node.lineno))
    return found


def test_every_module_of_the_package_is_in_the_order():
    modules = {p.stem for p in (ROOT / "scenarios").glob("*.py")} - {"__init__"}
    assert modules == set(ORDER)


@pytest.mark.parametrize("module", ORDER)
def test_modules_import_only_modules_below_them(module: str):
    below = set(ORDER[: ORDER.index(module)])
    for name, line in _imports(ROOT / "scenarios" / f"{module}.py"):
        top, _, rest = name.partition(".")
        if top == "scenarios":
            inner = rest.split(".")[0]
            assert inner in below, f"scenarios/{module}.py:{line} imports scenarios.{inner}"
        else:
            assert top not in ("experiments", "results", "calibration", "dashboard", "cli"), (
                f"scenarios/{module}.py:{line} imports the higher floor {top}"
            )


def test_the_public_api_names_exist():
    assert len(scenarios.__all__) == len(set(scenarios.__all__))
    for name in scenarios.__all__:
        assert hasattr(scenarios, name), name
    for name in ("load_scenario", "Scenario", "ScenarioError", "is_quantity_node", "read_yaml"):
        assert name in scenarios.__all__


def _higher_floor_files() -> list[Path]:
    files: list[Path] = []
    for floor in HIGHER_FLOORS:
        files.extend(sorted((ROOT / floor).rglob("*.py")))
    return files


def test_higher_floors_import_only_the_package():
    offenders = []
    for path in _higher_floor_files():
        for name, line in _imports(path, runtime_only=False):
            if name.startswith("scenarios."):
                inner = name.split(".")[1]
                if inner not in scenarios.__all__:
                    offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not offenders, "\n".join(offenders)
