"""Budgets of the shipped scenarios come from public figures, never from the model.

* No budget quantity of a shipped scenario says it was set to the simulated spending
  (issue 12: "Budgets equal simulated spending, so the status quo overspends in 50 %
  of runs by construction").
* Every budget volume has a source with an address or a named document, or is a
  marked assumption.
* The derivations from national figures per under-21 stay in step with the data: the
  under-21 count written in the text is the municipality file's population times
  ``population.under21_share``, and the value is the stated euros per under-21 times
  that count.
* Budget volumes are levers (so they cannot be uncertainties); the status quo declares
  them with a range holding its value, and the overspend probability as an outcome.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from scenarios import LEVER_PATHS, Scenario, is_lever_path, list_scenarios, load_scenario

VOLUMES = ("budget.sozialraum_funds", "budget.ambulatory_funds", "budget.central_funds")
"""The budget volumes (euros per year) of every scenario."""

SIMULATED = re.compile(r"simulier|simulated|Modellausgaben|Ausgaben des Modells", re.IGNORECASE)
"""Words that say a figure was taken from the model's own output."""

ADDRESS_OR_DOCUMENT = re.compile(r"https?://\S+|\bVertrag §\d|\bVorlage \d{4}/\d{3}")
"""A web address, or a document the scenario file names (Ulm's contract, a Vorlage)."""


@cache
def _scenario(name: str) -> Scenario:
    return load_scenario(name)


def _budget_provenance(name: str) -> dict[str, str]:
    return {
        path: text for path, text in _scenario(name).params.provenance if path.startswith("budget.")
    }


def _number(text: str) -> float:
    """A German-formatted number (``21.723``, ``128,18``) as float."""
    return float(text.replace(".", "").replace(",", "."))


@pytest.mark.parametrize("name", list_scenarios())
def test_regression_budgets_equal_simulated_spending(name):
    """No budget quantity is set to (or derived from) the simulated spending."""
    prov = _budget_provenance(name)
    assert set(VOLUMES) <= set(prov), name
    for path, text in prov.items():
        assert not SIMULATED.search(text), (name, path, text[:120])
        assert "angesetzt in Höhe" not in text.lower(), (name, path)


@pytest.mark.parametrize("name", list_scenarios())
def test_every_budget_volume_has_a_source_with_address_or_a_marked_assumption(name):
    prov = _budget_provenance(name)
    for path in (*VOLUMES, "budget.yearly_increase"):
        text = prov[path]
        if text.startswith("Quelle: "):
            assert ADDRESS_OR_DOCUMENT.search(text), (name, path, text[:120])
        else:
            assert text.startswith("Annahme: ") and len(text) > len("Annahme: ") + 20, (
                name,
                path,
            )


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("lueneburg-status-quo", "budget.ambulatory_funds"),
        ("lueneburg-status-quo", "budget.central_funds"),
        ("potsdam-mittelmark-status-quo", "budget.ambulatory_funds"),
        ("potsdam-mittelmark-status-quo", "budget.central_funds"),
    ],
)
def test_derivation_per_under21_matches_the_municipality_file(name, path):
    """Euros per under-21 × the file's under-21 count = the value (rounded to 10.000 €)."""
    s = _scenario(name)
    text = dict(s.params.provenance)[path]
    inhabitants = sum(m.population for r in s.params.regions for m in r.municipalities)
    under21 = round(inhabitants * s.params.population.under21_share)
    counts = {int(_number(c)) for c in re.findall(r"× (\d{1,3}(?:\.\d{3})+) unter 21", text)}
    assert counts == {under21}, (name, path, counts, under21)
    per_u21 = [_number(x) for x in re.findall(r"(\d{1,3}(?:\.\d{3})*,\d{2}) € je unter 21", text)]
    assert per_u21, (name, path)
    value = getattr(s.params.budget, path.split(".", 1)[1])
    # the per-under-21 figure that is multiplied by the count is the last one stated
    assert value == pytest.approx(round(per_u21[-1] * under21, -4), abs=1.0), (name, path)


def test_budget_volumes_are_levers_with_a_range_holding_the_status_quo():
    s = _scenario("lueneburg-status-quo")
    levers = {lv.parameter: lv for lv in s.levers}
    for path in ("budget.ambulatory_funds", "budget.central_funds", "budget.yearly_increase"):
        assert path in LEVER_PATHS and is_lever_path(path)
        lever = levers[path]
        value = getattr(s.params.budget, path.split(".", 1)[1])
        assert lever.low is not None and lever.high is not None
        assert lever.low < value < lever.high, (path, lever.low, value, lever.high)
    assert not {u.parameter for u in s.uncertainties} & set(VOLUMES)


def test_overspend_probability_is_an_outcome_of_the_status_quo():
    outcomes = {o.metric: o for o in _scenario("lueneburg-status-quo").outcomes}
    overspent = outcomes["overspent"]
    assert overspent.better == "lower"
    assert "Budgetüberschreitung" in overspent.label
