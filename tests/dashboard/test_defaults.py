"""The dashboard's initial selection: ``defaults.yaml``, its checks and its fallbacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.defaults import (
    DEFAULTS_ENV,
    DEFAULTS_FILE,
    defaults_path,
    initial_selection,
    load_defaults,
)
from scenarios import ScenarioError, list_scenarios
from tests.dashboard.conftest import DEMO_SCENARIOS
from tests.fixtures.dash_tree import find_component as _find

JOURNEY = ("lueneburg-rb2-20-rueckbehalt", "lueneburg-rb2-30-bonus-malus")
"""Journey 1: status quo against these two."""


def test_shipped_defaults_are_journey_one():
    d = load_defaults()
    assert d.path == DEFAULTS_FILE
    assert d.baseline == "lueneburg-status-quo"
    assert d.compared == JOURNEY
    assert all(d.reasons.values())  # every entry says where it comes from
    library = set(list_scenarios())
    assert {d.baseline, *d.compared} <= library


def test_regression_defaults_compared_two_variants_with_identical_results():
    """The first two other scenarios of the store were "RB2 10 %, ohne Anreiz" and "RB2 20 %,
    Ausgleich", which give identical results; now the file's comparison is opened."""
    stored = sorted(list_scenarios())
    baseline, compared = initial_selection(stored, load_defaults())
    assert baseline == "lueneburg-status-quo"
    assert compared == list(JOURNEY)
    old_rule = [s for s in stored if s != baseline][:2]
    assert old_rule != compared


def test_app_opens_with_the_configured_comparison(demo_store, tmp_path):
    app = create_app(demo_store, cache_dir=tmp_path)
    try:
        assert _find(app.layout, ids.Shell.BASELINE).value == DEMO_SCENARIOS[0]
        assert _find(app.layout, ids.Shell.COMPARED).value == list(JOURNEY)
    finally:
        app.data.close()


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ([], (None, [])),
        (["lueneburg-status-quo"], ("lueneburg-status-quo", [])),
        (
            ["a-status-quo", "b", "lueneburg-rb2-30-bonus-malus"],
            ("a-status-quo", ["lueneburg-rb2-30-bonus-malus"]),
        ),
        (["x", "y", "z-status-quo", "w"], ("z-status-quo", ["x", "y"])),
        (["x", "y", "w"], ("x", ["y", "w"])),
    ],
    ids=["empty", "baseline-only", "one-configured", "status-quo-fallback", "first-fallback"],
)
def test_fallbacks_when_the_store_lacks_the_configured_scenarios(stored, expected):
    assert initial_selection(stored, load_defaults()) == expected


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "vorauswahl.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
baseline: {value: kreis-status-quo, source: "Beschluss des Ausschusses"}
compared: {value: [kreis-variante-a], assumption: "die Variante des Fachdienstes"}
"""


def test_own_file_via_environment(tmp_path, monkeypatch):
    path = _write(tmp_path, GOOD)
    monkeypatch.setenv(DEFAULTS_ENV, str(path))
    assert defaults_path() == path
    d = load_defaults()
    assert (d.baseline, d.compared) == ("kreis-status-quo", ("kreis-variante-a",))
    assert d.reasons["compared"] == "die Variante des Fachdienstes"


@pytest.mark.parametrize(
    ("text", "field", "words", "line"),
    [
        (GOOD + "farben: rot\n", "farben", "unbekanntes Feld", 3),
        ("compared: {value: [a], source: x}\n", "baseline", "Pflichtfeld fehlt", None),
        (
            'baseline: {value: a}\ncompared: {value: [b], source: "x"}\n',
            "baseline",
            "Herkunft fehlt",
            1,
        ),
        (
            'baseline: {value: "../../etc/passwd", source: x}\ncompared: {value: [], source: x}\n',
            "baseline.value",
            "Namen eines Szenarios",
            1,
        ),
        (
            "baseline: {value: a, source: x}\ncompared: {value: b, source: x}\n",
            "compared.value",
            "Liste",
            2,
        ),
        (
            "baseline: {value: a, source: x}\ncompared: {value: [b, c, d, e, f], source: x}\n",
            "compared.value",
            "höchstens 4",
            2,
        ),
        (
            "baseline: {value: a, source: x}\ncompared: {value: [b, b], source: x}\n",
            "compared.value",
            "doppelt",
            2,
        ),
        (
            "baseline: {value: a, source: x}\ncompared:\n  value: [b, 7]\n  source: x\n",
            "compared.value.1",
            "Namen eines Szenarios",
            3,
        ),
        ("- eine Liste\n", None, "Schlüssel mit Werten", 1),
    ],
    ids=[
        "unknown-key",
        "no-baseline",
        "no-source",
        "path-as-name",
        "not-a-list",
        "too-many",
        "duplicate",
        "number-in-list",
        "top-level-list",
    ],
)
def test_bad_defaults_file_names_file_field_and_line(tmp_path, text, field, words, line):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_defaults(path)
    err = info.value
    assert err.field == field
    assert words in err.message
    assert err.line == line
    assert "vorauswahl.yaml" in str(err.file)


def test_every_problem_of_the_file_at_once(tmp_path):
    path = _write(tmp_path, "baseline: {value: 1}\ncompared: {value: [x, x]}\nfarbe: 2\n")
    with pytest.raises(ScenarioError) as info:
        load_defaults(path)
    problems = [info.value, *info.value.more]
    fields = {p.field for p in problems}
    assert {"farbe", "baseline", "baseline.value", "compared", "compared.value"} <= fields


def test_a_broken_defaults_file_stops_the_app_with_its_message(demo_store, tmp_path, monkeypatch):
    monkeypatch.setenv(DEFAULTS_ENV, str(_write(tmp_path, "baseline: [\n")))
    with pytest.raises(ScenarioError) as info:
        create_app(demo_store, cache_dir=tmp_path / "cache")
    assert "vorauswahl.yaml" in str(info.value.file)
