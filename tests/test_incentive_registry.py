"""A sixth incentive scheme, registered here, reaches every floor without editing a file.

Adding a scheme used to touch about eight files (engine, parameters, two lists of the
schema, the what-if page and its YAML, the labels of app and briefing, the ODD
generator, the status quo's lever choices); a forgotten label crashed the dashboard
at start and no test noticed. Now a scheme is one class registered in
``model/incentives.py``: this test registers a small one (``half_retention``) and shows
that the scenario schema accepts it with its parameter, the engine runs it, the
labels, the what-if page, the briefing and the parameter tables name it. It is
unregistered afterwards.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from datetime import datetime
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from model.incentives import (
    R1,
    R2,
    Closing,
    IncentiveScheme,
    SchemeParameter,
    register,
    scheme_names,
    unregister,
)
from model.params import IncentiveParams
from model.run import run_once
from scenarios import ScenarioError, load_scenario
from tests.fixtures.dash_tree import find_component as _find
from tests.scenarios.helpers import base_doc, variant, write_scenario

NAME = "half_retention"
LABEL = "Halber Rückbehalt (Testsystem)"
SMALL = {"years": 1, "scale": 0.05, "burn_in_months": 6}


class HalfRetention(IncentiveScheme):
    """Half of an agreed share of unspent regional budget 2 stays with the region."""

    name = NAME
    label = LABEL
    description = (
        "Wie der Rückbehalt, aber der Region bleibt nur die Hälfte des vereinbarten Anteils "
        "der nicht verbrauchten Mittel des regionalen Budgets 2; ein Testsystem ohne Vorbild."
    )
    parameters = (
        SchemeParameter(
            "half_share",
            "vereinbarter Anteil, von dem die Hälfte der Region bleibt",
            "number",
            default=0.0,
            whatif=0.6,
            whatif_assumption="Testannahme: sechs Zehntel vereinbart, drei Zehntel bleiben",
        ),
    )

    def savings_signal(self, pot: int) -> float:
        return self.params.half_share / 2 if pot == R2 else 0.0

    def settle(self, closing: Closing) -> None:
        balance = closing.available - closing.spent
        kept = np.zeros_like(balance)
        surplus = np.maximum(balance[:, R2], 0)
        kept[:, R2] = np.floor(surplus * self.params.half_share / 2).astype(np.int64)
        closing.carry_out = kept
        closing.next_carry_in[:, R1] += kept[:, R2]
        closing.result = balance - kept


@pytest.fixture
def half_retention():
    register(HalfRetention)
    yield HalfRetention
    unregister(NAME)
    assert NAME not in scheme_names()


def _quantity(value: float) -> dict:
    return {"value": value, "unit": "share", "assumption": "Test: halber Rückbehalt"}


def _half_scenario(folder: Path, share: float = 0.6) -> Path:
    doc = base_doc()
    doc["title"] = "Halber Rückbehalt"
    doc["incentive"] = {"scheme": NAME, "half_share": _quantity(share)}
    doc["budget"]["regional2_share"] = _quantity(0.2)
    for lever in doc["levers"]:
        if lever["parameter"] == "incentive.scheme":
            lever["choices"] = ["none", NAME]
    return write_scenario(folder, "halb", doc)


# ------------------------------------------------------------------ scenario language


def test_the_schema_accepts_the_scheme_its_parameter_and_lever_choice(half_retention, tmp_path):
    sc = load_scenario(_half_scenario(tmp_path))
    assert sc.params.incentive.scheme == NAME
    assert sc.params.incentive.half_share == 0.6
    assert dict(sc.params.provenance)["incentive.half_share"] == "Annahme: Test: halber Rückbehalt"
    assert sc.units["incentive.half_share"] == "share"
    # a variant changes the parameter by its dotted path, like any other
    changed = variant(tmp_path, "halb-mehr", "halb.yaml", {"incentive.half_share": 0.8})
    assert load_scenario(changed).params.incentive.half_share == 0.8


def test_the_schema_checks_the_new_parameter(half_retention, tmp_path):
    doc = base_doc()
    doc["incentive"] = {"scheme": NAME}
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(tmp_path, "ohne", doc))
    assert info.value.field == "incentive.half_share"
    assert f"Anreizsystem „{NAME}“ braucht diesen Parameter" in info.value.message
    doc["incentive"] = {"scheme": NAME, "half_share": _quantity(1.5)}
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(tmp_path, "zu-viel", doc))
    assert info.value.field == "incentive.half_share"
    assert "liegt nicht zwischen 0 und 1" in info.value.message
    doc["incentive"] = {"scheme": "none", "half_share": _quantity(0.5)}
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(tmp_path, "fremd", doc))
    assert "gehört nicht zum Anreizsystem „none“" in info.value.message


def test_without_registration_the_scheme_and_its_lever_choice_are_refused(tmp_path):
    path = _half_scenario(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.field == "incentive.scheme"
    assert f"Wert „{NAME}“ ist nicht erlaubt; erlaubt: „none“, „retention“" in info.value.message
    doc = base_doc()
    for lever in doc["levers"]:
        if lever["parameter"] == "incentive.scheme":
            lever["choices"] = ["none", NAME]
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(tmp_path, "wahl", doc))
    assert info.value.field.startswith("levers.") and info.value.field.endswith(".choices.1")
    assert f"Wert „{NAME}“ ist nicht erlaubt" in info.value.message


def test_the_engine_runs_the_scheme(half_retention, tmp_path):
    params = load_scenario(_half_scenario(tmp_path), SMALL).params
    r = run_once(params, seed=3)
    c = r.closing[r.closing.pot == "regional_2"]
    assert r.value("total_spent") > 0
    available = c.allocation + c.carry_in + c.transfer_in - c.transfer_out
    assert (available == c.spent + c.carry_out + c.result).all()


# ------------------------------------------------------------------ labels, what-if, briefing


def test_labels_name_the_scheme(half_retention):
    from results import CHOICE_LABELS, SCHEME_LABELS

    assert SCHEME_LABELS[NAME] == LABEL
    assert CHOICE_LABELS["incentive.scheme"][NAME] == LABEL
    assert list(SCHEME_LABELS)[-1] == NAME


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory):
    """A store with one run of the status quo and one of the new scheme (built once)."""
    from experiments import plan_batch, run_batch
    from results import ResultsStore

    folder = tmp_path_factory.mktemp("registry")
    half = _half_scenario(folder / "szenarien")
    register(HalfRetention)
    try:
        plan = plan_batch(["lueneburg-status-quo", str(half)], 1, years=1, scale=0.05)
        with ResultsStore(folder / "s.duckdb") as store:
            assert run_batch(plan, store).complete
    finally:
        unregister(NAME)
    return folder / "s.duckdb", half


def test_the_whatif_page_offers_and_builds_the_scheme(half_retention, tiny_store, tmp_path):
    from dashboard import create_app, ids
    from dashboard.context import build_context
    from dashboard.pages import whatif as page
    from dashboard.whatif import CHANGED_POINT, scheme_overrides, slider_start
    from experiments import Point, run_spec

    app = create_app(tiny_store[0], cache_dir=tmp_path / "cache")
    try:
        dropdown = _find(app.layout, ids.WhatIf.SCHEME)
        assert {"label": LABEL, "value": NAME} in dropdown.options
        rule = page.rules(build_context(app.data))[ids.prop(ids.WhatIf.SCHEME, "value")]
        assert rule.problem(NAME) is None and rule.problem("lotterie") is not None
    finally:
        app.data.close()
    assert scheme_overrides(NAME)["half_share"]["value"] == 0.6
    # the changed version of a what-if run: the scheme with its what-if value, validated
    base = load_scenario("lueneburg-status-quo")
    what = dataclasses.replace(slider_start(base), scheme=NAME, regional2_share=0.2)
    spec = run_spec(base, 0, point=Point(CHANGED_POINT, what.overrides(base)))
    assert spec.params.incentive == IncentiveParams(NAME, half_share=0.6)


def test_the_briefing_names_the_scheme(half_retention, tiny_store, monkeypatch):
    import dashboard.briefing
    from dashboard import DashboardData, build_briefing
    from dashboard.assumptions import load_named

    store, half = tiny_store
    # the briefing reads library scenarios by name; the test scenario lies elsewhere
    monkeypatch.setattr(
        dashboard.briefing,
        "load_named",
        lambda name: load_scenario(half) if name == half.stem else load_named(name),
    )
    data = DashboardData(store)
    try:
        html = build_briefing(
            data,
            "lueneburg-status-quo",
            ["lueneburg-status-quo", half.stem],
            store_label="s.duckdb",
            created=datetime(2026, 1, 5, 9, 0),
        )
    finally:
        data.close()
    text = re.sub(r"<[^>]+>", " ", html)
    assert "Anreizsystem" in text and LABEL in text
    assert "kein Anreizsystem (Bezahlung je Fall)" in text


# ------------------------------------------------------------------ documentation


def _generator() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "docs" / "parameter_tables.py"
    spec = importlib.util.spec_from_file_location("parameter_tables", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_parameter_tables_list_the_scheme_and_its_parameter(half_retention, tmp_path):
    tables = _generator()
    rows = "\n".join(tables.scheme_tables())
    assert f"| `{NAME}` | {LABEL} |" in rows
    assert "`incentive.half_share`" in rows and "Testannahme" in rows
    assert tables.describe("incentive.half_share") == (
        f"{LABEL}: vereinbarter Anteil, von dem die Hälfte der Region bleibt"
    )
    assert f"`{NAME}`" in tables.describe("incentive.scheme")
    leaves = tables.leaves(load_scenario(_half_scenario(tmp_path)).params)
    assert leaves["incentive.scheme"] == NAME and leaves["incentive.half_share"] == 0.6
