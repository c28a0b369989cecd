"""Dashboard data layer on a real store."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.data import DashboardData
from results import paired_quantiles as paired_from_yearly
from tests.dashboard.conftest import DEMO_SCENARIOS

BASE, REFORM, OTHER = DEMO_SCENARIOS


@pytest.fixture(scope="module")
def data(demo_store):
    d = DashboardData(demo_store)
    yield d
    d.close()


def test_catalogue(data):
    sc = data.scenarios()
    assert set(sc["scenario"]) == set(DEMO_SCENARIOS)
    assert (sc["runs"] == 4).all() and (sc["seeds"] == 4).all()
    assert data.years([BASE]) == [2026, 2027, 2028]
    assert data.regions() == ["Region 1", "Region 2", "Region 3"]


def test_quantiles_are_ordered_and_match_the_runs(data):
    q = data.quantiles(["total_spent"], [BASE, REFORM])
    assert len(q) == 2 * 3
    cols = ["q05", "q25", "median", "q75", "q95"]
    assert (np.diff(q[cols].to_numpy(), axis=1) >= 0).all()
    raw = data.yearly(["total_spent"], [BASE])
    first = raw[raw["year"] == 2026]["value"]
    row = q[(q["scenario"] == BASE) & (q["year"] == 2026)].iloc[0]
    assert row["median"] == pytest.approx(first.median())
    assert row["runs"] == 4


def test_paired_differences_pair_on_seed(data):
    d = data.paired(["total_spent"], BASE, [BASE, REFORM, OTHER])
    assert set(d["scenario"]) == {REFORM, OTHER}
    assert (d["pairs"] == 4).all()
    raw = data.yearly(["total_spent"], [BASE, REFORM])
    wide = raw[raw["year"] == 2027].pivot(index="seed", columns="scenario", values="value")
    expected = (wide[REFORM] - wide[BASE]).median()
    got = d[(d["scenario"] == REFORM) & (d["year"] == 2027)]["median"].iloc[0]
    assert got == pytest.approx(expected)


def test_paired_is_tighter_than_unpaired(data):
    """Same seeds: the spread of the difference is below the spread of either scenario."""
    d = data.paired(["cases_total"], BASE, [BASE, OTHER])
    q = data.quantiles(["cases_total"], [BASE])
    width_pair = (d["q95"] - d["q05"]).mean()
    width_base = (q["q95"] - q["q05"]).mean()
    assert width_pair < width_base


def test_paired_from_yearly_ignores_unpaired_runs(data):
    raw = data.yearly(["total_spent"], [BASE, REFORM])
    raw = raw[~((raw["scenario"] == REFORM) & (raw["seed"] == 1))]
    d = paired_from_yearly(raw, BASE)
    assert (d["pairs"] == 3).all()


def test_pots_budget_and_spending(data):
    pots = data.pots([REFORM])
    assert set(pots["pot"]) == {"bound", "regional_1", "regional_2", "central"}
    assert pots["label"].str.contains("Budget").all()
    assert (pots["budget"] >= 0).all()


def test_overspend_probability_in_unit_interval(data):
    p = data.overspend_probability([BASE, REFORM])
    assert p["probability"].between(0, 1).all()
    assert (p["runs"] == 4).all()


def test_cases_by_type_have_paragraph_labels(data):
    c = data.cases_by_type([BASE], year=2028)
    assert "§31 Sozialpädagogische Familienhilfe" in set(c["label"]) or any(
        label.startswith("§31") for label in c["label"]
    )
    assert c["year"].eq(2028).all()


def test_flows_equal_spending(data):
    """The mean flow per run of a year equals the mean total spending of that year."""
    f = data.flows(REFORM, 2027)
    spent = data.yearly(["total_spent"], [REFORM])
    mean_spent = spent[spent["year"] == 2027]["value"].mean()
    assert f["eur"].sum() == pytest.approx(mean_spent, rel=1e-9)
