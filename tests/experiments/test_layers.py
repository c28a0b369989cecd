"""The experiments floor: its modules import one way; it uses lower floors' packages only,
and higher floors use its package only.

Floors, bottom to top: model → scenarios → results → experiments → calibration →
dashboard → cli. Inside ``experiments/`` every module imports only modules listed
before it in :data:`ORDER`. ``experiments`` imports ``scenarios`` and ``results`` only
through their packages and nothing of a higher floor; calibration, dashboard, cli and
the benchmarks import ``experiments`` only through its package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import experiments
import results
import scenarios

ROOT = Path(__file__).resolve().parents[2]

ORDER = (
    "version",
    "sweep",
    "execution",
    "recipe",
    "snapshots",
    "paired",
    "plan",
    "batch",
    "study",
    "optimise",
    "discover",
    "sensitivity",
)
"""The modules of ``experiments/``, bottom to top."""

HIGHER = ("calibration", "dashboard", "cli")
"""Floors above the experiments."""

PACKAGES = {"scenarios": scenarios, "results": results, "experiments": experiments}


def _imports(path: Path) -> list[tuple[str, int]]:
    """Imported modules (``from pkg import name`` as ``pkg.name``), without the
    fallbacks of ``except ImportError:`` (code that also runs on an older tree)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            if ast.unparse(node.type) == "ImportError":
                skipped.update(id(n) for child in node.body for n in ast.walk(child))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in PACKAGES:
                found.extend((f"{node.module}.{a.name}", node.lineno) for a in node.names)
            else:
                found.append((node.module, node.lineno))
    return found


def _through_package(name: str) -> bool:
    """Whether ``pkg.x`` names something the package ``pkg`` exports."""
    top, _, rest = name.partition(".")
    return not rest or rest.split(".")[0] in PACKAGES[top].__all__


def test_every_module_is_in_the_order():
    modules = {p.stem for p in (ROOT / "experiments").glob("*.py")} - {"__init__"}
    assert modules == set(ORDER)


@pytest.mark.parametrize("module", ORDER)
def test_modules_import_one_way(module: str):
    below = set(ORDER[: ORDER.index(module)])
    for name, line in _imports(ROOT / "experiments" / f"{module}.py"):
        top, _, rest = name.partition(".")
        where = f"experiments/{module}.py:{line}"
        assert top not in HIGHER, f"{where} imports the higher floor {top}"
        if top == "experiments":
            assert rest.split(".")[0] in below, f"{where} imports {name}"
        elif top in PACKAGES:
            assert _through_package(name), f"{where} imports {name}, not the package's API"


def test_public_api_names_exist():
    assert len(experiments.__all__) == len(set(experiments.__all__))
    for name in experiments.__all__:
        assert hasattr(experiments, name), name


def test_higher_floors_use_the_package_only():
    offenders = []
    for floor in (*HIGHER, "benchmarks"):
        for path in sorted((ROOT / floor).rglob("*.py")):
            for name, line in _imports(path):
                if name.startswith("experiments.") and not _through_package(name):
                    offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not offenders, "\n".join(offenders)
