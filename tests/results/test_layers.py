"""The results and dashboard floors: imports point down, higher floors use the packages.

``results`` imports only the engine and the scenario language (never experiments,
calibration, the dashboard or the command line); the non-test code above it imports
``results`` and ``dashboard`` only through their packages (the names their
``__init__`` exports), never one of their modules.
"""

from __future__ import annotations

import ast
import types
from pathlib import Path

import pytest

import dashboard
import dashboard.briefing
import results

ROOT = Path(__file__).resolve().parents[2]

ABOVE_RESULTS = ("experiments", "calibration", "dashboard", "cli", "benchmarks", "docs")
"""Folders that may use the results floor (through its package only)."""

ABOVE_DASHBOARD = ("cli", "benchmarks", "docs")
"""Folders that may use the dashboard (through its package only)."""


def _imports(path: Path) -> list[tuple[str, int]]:
    """``(module, line)`` of every absolute import; ``from pkg import name`` as ``pkg.name``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in ("results", "dashboard"):
                found.extend((f"{node.module}.{a.name}", node.lineno) for a in node.names)
            else:
                found.append((node.module, node.lineno))
    return found


def _files(folders: tuple[str, ...]) -> list[Path]:
    return [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]


@pytest.mark.parametrize("path", sorted((ROOT / "results").glob("*.py")), ids=lambda p: p.name)
def test_results_imports_no_higher_floor(path: Path):
    for name, line in _imports(path):
        top = name.split(".")[0]
        assert top not in ("experiments", "calibration", "dashboard", "cli"), (
            f"results/{path.name}:{line} imports the higher floor {name}"
        )


@pytest.mark.parametrize(
    ("package", "folders"), [(results, ABOVE_RESULTS), (dashboard, ABOVE_DASHBOARD)]
)
def test_higher_floors_import_only_the_package(package, folders):
    offenders = []
    prefix = f"{package.__name__}."
    for path in _files(folders):
        for name, line in _imports(path):
            if name.startswith(prefix) and name.split(".")[1] not in package.__all__:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("package", [results, dashboard])
def test_public_names_exist(package):
    assert len(package.__all__) == len(set(package.__all__))
    for name in package.__all__:
        assert getattr(package, name) is not None, name


def test_no_public_name_hides_a_module():
    """``from results import export as ex`` is the exports module, not its function."""
    assert isinstance(results.export, types.ModuleType)
    assert isinstance(dashboard.briefing, types.ModuleType)
    for package in (results, dashboard):
        folder = Path(package.__file__).parent
        modules = {p.stem for p in folder.glob("*.py")} | {
            p.name for p in folder.iterdir() if p.is_dir()
        }
        assert not modules & set(package.__all__), package.__name__
