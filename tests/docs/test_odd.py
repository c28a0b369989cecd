"""The model documentation (docs/ODD.md) keeps up with the shipped scenario.

Every parameter path of the Lüneburg status quo (``ModelParams.provenance``: scenario
file, help types, municipalities) must have a row in the ODD's parameter tables,
written as code (`` `path` ``), with its current value and, in the same row, its
source or assumption text, so that a new, renamed or recalibrated parameter cannot go
undocumented. The tables are written by ``docs/parameter_tables.py``; the committed
ODD must be exactly what that script writes. The ODD keeps the section headings 1–8
of the protocol (Grimm et al. 2020).
"""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path
from types import ModuleType

import pytest

from model.params import ModelParams
from scenarios.loader import load_scenario

DOCS = Path(__file__).resolve().parents[2] / "docs"
ODD = DOCS / "ODD.md"
GENERATOR = DOCS / "parameter_tables.py"

HEADINGS = (
    "1 Zweck und Muster",
    "2 Einheiten, Zustandsvariablen und Skalen",
    "3 Prozessüberblick und Ablaufplanung",
    "4 Designkonzepte",
    "5 Initialisierung",
    "6 Eingabedaten",
    "7 Submodelle",
    "8 Parameter",
)


@pytest.fixture(scope="module")
def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def params() -> ModelParams:
    return load_scenario("lueneburg-status-quo").params


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    """``docs/parameter_tables.py``, imported from its file (``docs`` is no package)."""
    spec = importlib.util.spec_from_file_location("parameter_tables", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _value(params: ModelParams, path: str) -> object:
    """The value of a provenance path in the parameters."""
    head, *rest = path.split(".")
    if head == "regions":
        return getattr(next(r for r in params.regions if r.name == rest[0]), rest[1])
    if head == "providers":
        return getattr(next(p for p in params.providers if p.name == rest[0]), rest[1])
    if head == "help_types":
        return getattr(next(h for h in params.help_types if h.code == rest[0]), rest[1])
    if head == "municipalities":
        muns = [m for r in params.regions for m in r.municipalities]
        return getattr(next(m for m in muns if m.name == rest[0]), rest[1])
    if head == "offices":
        return getattr(next(o for o in params.offices if o.name == rest[0]), rest[1])
    if head == "sozialraeume":
        assert params.sozialraum_quota is not None
        return params.sozialraum_quota.indicators[rest[0]][rest[1]]
    if path.startswith("budget.index_weights."):
        return params.budget.index_weights[rest[1]]
    if path.startswith("sozialraum_quota.index_weights."):
        assert params.sozialraum_quota is not None
        return params.sozialraum_quota.index_weights[rest[1]]
    obj: object = params
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _numbers(cell: str) -> list[float]:
    """German numbers of a table cell: ``2.233.000`` -> 2233000, ``[0,53; 0,36]``."""
    parts = cell.strip().strip("[]").split(";")
    return [float(p.strip().replace(".", "").replace(",", ".")) for p in parts]


def _row(odd_text: str, path: str) -> list[str]:
    for line in odd_text.splitlines():
        if line.startswith(f"| `{path}` |"):
            return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
    raise AssertionError(f"no table row for {path}")


def test_every_status_quo_parameter_is_documented(odd_text, params):
    assert params.provenance, "the status quo scenario has no provenance"
    missing = [path for path, _ in params.provenance if f"`{path}`" not in odd_text]
    assert not missing, f"parameters missing from docs/ODD.md: {missing}"


def test_documented_values_match_the_scenario(odd_text, params):
    stale = []
    for path, _ in params.provenance:
        value = _value(params, path)
        if isinstance(value, str):  # a name (the Träger of an office)
            if _row(odd_text, path)[2] != f"`{value}`":
                stale.append((path, value))
            continue
        expected = list(value) if isinstance(value, tuple) else [value]
        shown = _numbers(_row(odd_text, path)[2])
        if len(shown) != len(expected) or not all(
            math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-12)
            for a, b in zip(shown, expected, strict=True)
        ):
            stale.append((path, value))
    assert not stale, f"values out of date in docs/ODD.md: {stale}"


def test_every_parameter_has_its_provenance_text(odd_text, params):
    stale = []
    for path, text in params.provenance:
        shown = _row(odd_text, path)[4].replace("\\|", "|")
        if " ".join(shown.split()) != " ".join(text.split()):
            stale.append(path)
    assert not stale, f"source or assumption text out of date in docs/ODD.md: {stale}"


def test_parameter_tables_are_what_the_generator_writes(odd_text, generator):
    assert generator.rewrite(odd_text) == odd_text, (
        "the parameter tables in docs/ODD.md are out of date: run python docs/parameter_tables.py"
    )


def test_generator_rewrites_only_between_the_markers(generator):
    text = f"# Kopf\n\n{generator.START}\nalt\n{generator.END}\n\n## Rest\n"
    new = generator.rewrite(text, tables="| neu |\n")
    assert new == f"# Kopf\n\n{generator.START}\n\n| neu |\n\n{generator.END}\n\n## Rest\n"
    with pytest.raises(ValueError, match="exactly one"):
        generator.rewrite("# ohne Marken\n", tables="")


@pytest.mark.parametrize("heading", HEADINGS)
def test_odd_section_heading_exists(odd_text, heading):
    pattern = rf"^## {re.escape(heading)}\s*$"
    assert re.search(pattern, odd_text, flags=re.MULTILINE), f"missing heading '## {heading}'"


def test_odd_sections_in_protocol_order(odd_text):
    found = [int(m) for m in re.findall(r"^## (\d+) ", odd_text, flags=re.MULTILINE)]
    assert found[:8] == list(range(1, 9))
