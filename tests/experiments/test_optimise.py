"""Robust search over levers: encoding, objectives per run, dominance and the NSGA-II driver."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments import (
    DEFAULT_OBJECTIVES,
    OBJECTIVES,
    Lever,
    LeverSpace,
    Point,
    dominates,
    load_base,
    non_dominated,
    objective_metrics,
    objective_values,
    run_spec,
    search,
    uncertainty_sample,
)
from model.incentives import SCHEMES
from scenarios import ScenarioError

SPACE = LeverSpace(
    (
        Lever("budget.bound_share", "Gebunden", 0.5, 1.0, unit="share"),
        Lever("provider.fls_rate", "Satz", 60.0, 90.0, unit="EUR/FLS"),
        Lever("budget.allocation_key", "Schlüssel", choices=("population", "sozialraumindex")),
        Lever("incentive.scheme", "Anreiz", choices=("none", "retention", "bonus_malus")),
        Lever("incentive.retention_share", "Rückbehalt", 0.0, 1.0, unit="share"),
    ),
    base_scheme="none",
)


# =========================================================================== encoding


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5))
def test_decoding_an_encoded_candidate_gives_it_back(x: list[float]):
    candidate = SPACE.decode(x)
    assert SPACE.decode(SPACE.encode(candidate)) == candidate
    assert np.all((SPACE.encode(candidate) >= 0) & (SPACE.encode(candidate) <= 1))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(5000, 10000),
    st.integers(600000, 900000),
    st.sampled_from(["population", "sozialraumindex"]),
    st.integers(0, 10000),
)
def test_every_value_with_four_decimals_is_a_candidate(bound: int, rate: int, key: str, kept: int):
    candidate = {
        "budget.bound_share": bound / 1e4,
        "provider.fls_rate": rate / 1e4,
        "budget.allocation_key": key,
        "incentive.scheme": "retention",
        "incentive.retention_share": kept / 1e4,
    }
    assert SPACE.decode(SPACE.encode(candidate)) == candidate


def test_numeric_levers_are_rounded_and_choices_split_the_unit_interval():
    c = SPACE.decode([0.123456, 1.0, 0.4999, 0.0, 0.5])
    assert c["budget.bound_share"] == 0.5617  # 0.5 + 0.123456 · 0.5, four decimals
    assert c["provider.fls_rate"] == 90.0
    assert c["budget.allocation_key"] == "population"
    assert c["incentive.scheme"] == "none"
    assert c["incentive.retention_share"] is None  # "none" has no such parameter
    assert SPACE.decode([0, 0, 0.5, 1.0, 0])["incentive.scheme"] == "bonus_malus"  # u = 1
    assert SPACE.decode([0, 0, 0.5, 0.34, 0.25])["incentive.retention_share"] == 0.25


def test_overrides_of_another_scheme_are_a_whole_incentive_section():
    c = SPACE.decode([0, 0, 0, 0.9, 0.3])
    section = SPACE.overrides(c)["incentive"]
    assert section["scheme"] == "bonus_malus"
    assert set(section) == {"scheme", "corridor", "bonus_share", "malus_share"}
    kept = SPACE.overrides(SPACE.decode([0, 0, 0, 0.5, 0.3]))["incentive"]
    assert kept["retention_share"]["value"] == 0.3  # the lever's value, not the what-if's
    same = LeverSpace(SPACE.levers, base_scheme="retention")
    assert same.overrides(SPACE.decode([0, 0, 0, 0.5, 0.3]))["incentive.retention_share"][
        "value"
    ] == pytest.approx(0.3)


@pytest.fixture(scope="module")
def rueckbehalt() -> Any:
    return load_base("lueneburg-rb2-20-rueckbehalt")


def test_the_default_levers_of_lueneburg(rueckbehalt: Any):
    space = LeverSpace.from_scenario(rueckbehalt)
    assert space.paths == [
        "budget.bound_share",
        "budget.regional2_share",
        "incentive.scheme",
        "budget.allocation_key",
    ]
    assert space.lever("incentive.scheme").choices == tuple(SCHEMES)  # no choices: all
    assert space.lever("budget.bound_share").unit == "share"
    assert space.base_scheme == "retention"


@pytest.mark.parametrize("u", [0.0, 0.3, 0.5, 0.7, 0.99])
def test_every_candidate_builds_valid_parameters(rueckbehalt: Any, u: float):
    space = LeverSpace.from_scenario(
        rueckbehalt,
        ["budget.regional2_share", "incentive.scheme", "regions.*.direct_contact_share"],
    )
    candidate = space.decode([u, u, u])
    params = run_spec(rueckbehalt, 0, point=Point("p000", space.overrides(candidate))).params
    assert params.incentive.scheme == candidate["incentive.scheme"]
    assert params.budget.regional2_share == candidate["budget.regional2_share"]
    assert {r.direct_contact_share for r in params.regions} == {
        candidate["regions.*.direct_contact_share"]
    }
    if candidate["incentive.scheme"] == "retention":  # the scenario's own scheme keeps 50 %
        assert params.incentive.values["retention_share"] == 0.5


def test_unknown_levers_are_refused_with_the_declared_ones(rueckbehalt: Any):
    with pytest.raises(ScenarioError) as err:
        LeverSpace.from_scenario(rueckbehalt, ["budget.bound_share", "need.base"])
    line = err.value.cli_line()
    assert "Feld --levers" in line and "need.base" in line and "budget.regional2_share" in line
    with pytest.raises(ScenarioError, match="doppelt"):
        LeverSpace.from_scenario(rueckbehalt, ["budget.bound_share", "budget.bound_share"])


def test_the_uncertainty_sample_is_a_seeded_latin_hypercube():
    a = uncertainty_sample(3, 5, seed=7)
    assert a.shape == (5, 3)
    assert np.array_equal(a, uncertainty_sample(3, 5, seed=7))
    assert not np.array_equal(a, uncertainty_sample(3, 5, seed=8))
    for column in a.T:  # one point in each fifth of every axis
        assert sorted(np.floor(column * 5).astype(int)) == [0, 1, 2, 3, 4]


# =========================================================================== objectives


def test_objectives_from_the_values_per_run():
    runs = {  # candidate → runs: (total_spent, unmet, exits, overspent years)
        0: [(100.0, 10.0, 0.0, 0.0), (300.0, 20.0, 1.0, 2.0), (200.0, 30.0, 0.0, 0.0)],
        1: [(50.0, 1.0, 2.0, 1.0), (70.0, 3.0, 2.0, 1.0)],
    }
    rows = []
    metrics = ["total_spent", "unmet_need_families", "provider_exits", "overspent"]
    for k, values in runs.items():
        for r, run in enumerate(values):
            for metric, value in zip(metrics, run, strict=True):
                rows.append(
                    {"candidate": k, "run_id": f"r{k}{r}", "metric": metric, "value": value}
                )
    names = list(OBJECTIVES)
    got = objective_values(pd.DataFrame(rows), names, 2)
    # median, 90th percentile (linear: 200 + 0.8 · 100), mean, mean, share of runs > 0
    expected = [[200.0, 280.0, 20.0, 1 / 3, 1 / 3], [60.0, 68.0, 2.0, 2.0, 1.0]]
    np.testing.assert_allclose(got, expected)
    with pytest.raises(ValueError, match="no runs"):
        objective_values(pd.DataFrame(rows), names, 3)


def test_the_objectives_name_their_metrics():
    assert objective_metrics(DEFAULT_OBJECTIVES) == {
        "total_spent": "sum",
        "unmet_need_families": "mean",
        "overspent": "sum",
    }


def test_dominance():
    f = np.array([[1.0, 5.0], [2.0, 2.0], [3.0, 3.0], [5.0, 1.0], [1.0, 5.0]])
    assert non_dominated(f).tolist() == [0, 1, 3, 4]  # equal rows do not dominate each other
    assert dominates(f[1], f[2]) and not dominates(f[2], f[1])
    assert not dominates(f[0], f[3]) and not dominates(f[0], f[4])


# =========================================================================== the driver


def _zdt1(candidates: list[dict[str, Any]]) -> np.ndarray:
    """ZDT1 in two variables: the front is x2 = 0, f2 = 1 − √f1."""
    out = []
    for c in candidates:
        f1, x2 = c["x1"], c["x2"]
        g = 1.0 + 9.0 * x2
        out.append([f1, g * (1.0 - math.sqrt(f1 / g))])
    return np.array(out)


ZDT = LeverSpace((Lever("x1", "x1", 0.0, 1.0), Lever("x2", "x2", 0.0, 1.0)))


def test_the_search_finds_the_known_front_of_zdt1():
    calls: list[int] = []

    def evaluate(candidates: list[dict[str, Any]]) -> np.ndarray:
        calls.append(len(candidates))
        return _zdt1(candidates)

    result = search(ZDT, evaluate, 2, generations=40, population=20, seed=3)
    assert result.generations == 40 and len(calls) == 40
    assert all(n <= 20 for n in calls)  # one call per generation, new candidates only
    front = result.front_objectives()
    assert len(front) >= 10
    gap = front[:, 1] - (1.0 - np.sqrt(front[:, 0]))
    assert gap.max() < 0.1  # near the true front
    assert front[:, 0].min() < 0.1 and front[:, 0].max() > 0.8  # and spread along it
    everything = np.array([e.objectives for e in result.evaluated])
    for f in front:
        assert not any(dominates(g, f) for g in everything)


def test_the_same_seed_gives_the_same_front():
    a = search(ZDT, _zdt1, 2, generations=5, population=8, seed=11)
    b = search(ZDT, _zdt1, 2, generations=5, population=8, seed=11)
    c = search(ZDT, _zdt1, 2, generations=5, population=8, seed=12)
    assert [e.candidate for e in a.evaluated] == [e.candidate for e in b.evaluated]
    assert a.front == b.front
    np.testing.assert_array_equal(a.front_objectives(), b.front_objectives())
    assert [e.candidate for e in a.evaluated] != [e.candidate for e in c.evaluated]


def test_each_distinct_candidate_is_evaluated_once():
    space = LeverSpace((Lever("s", "S", choices=("a", "b")), Lever("t", "T", choices=("x", "y"))))
    seen: list[str] = []

    def evaluate(candidates: list[dict[str, Any]]) -> np.ndarray:
        seen.extend(space.key(c) for c in candidates)
        return np.array([[c["s"] == "a", c["t"] == "x"] for c in candidates], dtype=float)

    result = search(space, evaluate, 2, generations=6, population=6, seed=1)
    assert len(seen) == len(set(seen)) <= 4
    assert len(result.evaluated) == len(seen)


def test_a_wrong_evaluation_is_refused():
    with pytest.raises(ValueError, match="shape"):
        search(ZDT, lambda c: np.zeros((len(c), 3)), 2, generations=2, population=4, seed=1)
    with pytest.raises(ValueError, match="finite"):
        search(ZDT, lambda c: np.full((len(c), 2), np.nan), 2, generations=2, population=4, seed=1)
