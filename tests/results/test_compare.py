"""Pairing and summarising runs: the one home used by compare, the dashboard and the briefing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import plan_batch, run_batch
from results import (
    ResultsStore,
    over_years,
    pair_runs,
    paired_by_region,
    paired_differences,
    paired_quantiles,
    run_quantiles,
)
from scenarios import load_scenario

A, B = "lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"


def _values(rows: list[tuple]) -> pd.DataFrame:
    """Long values from (scenario, seed, year, metric, value)."""
    frame = pd.DataFrame(rows, columns=["scenario", "seed", "year", "metric", "value"])
    return frame.assign(point_id="basis", region="Gesamt", unit="EUR")


def test_over_years_sum_mean_last_max_per_metric():
    v = _values(
        [
            ("a", 1, 2027, "x", 3.0),
            ("a", 1, 2026, "x", 1.0),
            ("a", 1, 2026, "y", 5.0),
            ("a", 1, 2027, "y", 7.0),
        ]
    )
    assert over_years(v, "sum").set_index("metric")["value"].to_dict() == {"x": 4.0, "y": 12.0}
    assert over_years(v, "mean").set_index("metric")["value"].to_dict() == {"x": 2.0, "y": 6.0}
    last = over_years(v, {"x": "last", "y": "max"}).set_index("metric")["value"]
    assert last.to_dict() == {"x": 3.0, "y": 7.0}  # last by year, not by row
    assert (over_years(v, "sum")["year"] == 0).all()
    assert set(over_years(v, {"x": "sum"})["metric"]) == {"x"}
    with pytest.raises(ValueError, match="median"):
        over_years(v, "median")


def test_pair_runs_pairs_on_point_and_seed_only():
    v = _values(
        [
            ("a", 1, 2026, "x", 10.0),
            ("a", 2, 2026, "x", 20.0),
            ("b", 1, 2026, "x", 13.0),
            ("b", 3, 2026, "x", 99.0),  # no partner: left out
            ("c", 2, 2026, "x", 18.0),
        ]
    )
    pairs = pair_runs(v, "a").sort_values("scenario")
    assert list(pairs["scenario"]) == ["b", "c"]
    assert list(pairs["diff"]) == [3.0, -2.0]
    twice = pd.concat([v, v.iloc[[2]].assign(value=50.0)])  # the same run stored twice
    assert list(pair_runs(twice, "a").sort_values("scenario")["diff"]) == [3.0, -2.0]


def test_paired_and_run_quantiles():
    rows = [("a", s, 2026, "x", float(s)) for s in range(1, 6)]
    rows += [("b", s, 2026, "x", float(s) + 10 * s) for s in range(1, 6)]
    v = _values(rows)
    d = paired_quantiles(v, "a").iloc[0]
    assert d["scenario"] == "b" and d["pairs"] == 5
    assert d["median"] == 30.0
    assert d["q05"] == pytest.approx(np.quantile([10, 20, 30, 40, 50], 0.05))
    q = run_quantiles(v).set_index("scenario")
    assert q.loc["a", "runs"] == 5 and q.loc["a", "median"] == 3.0
    assert paired_quantiles(v[v["scenario"] == "a"], "a").empty
    assert run_quantiles(v.iloc[:0]).empty


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("vergleich") / "ergebnisse.duckdb"
    with ResultsStore(path) as s:
        assert run_batch(plan_batch([A, B], 4, years=2, scale=0.1), s).complete
    return path


def test_paired_differences_are_the_differences_per_seed(store):
    """Each row is the median and interval of ``B − A`` over run pairs, by definition."""
    outcomes = load_scenario(A).outcomes
    with ResultsStore(store, read_only=True) as s:
        table = paired_differences(s, A, B, outcomes).table
        yearly = s.yearly([A, B], [o.metric for o in outcomes])
    wide = yearly.pivot_table(
        index=["metric", "seed", "year"], columns="scenario", values="value"
    ).reset_index()
    for outcome in outcomes:
        mine = wide[wide["metric"] == outcome.metric]
        rows = table[table["metric"] == outcome.metric].set_index("year")
        for year, g in mine.groupby("year"):
            d = (g[B] - g[A]).to_numpy()
            assert rows.loc[year, "diff_median"] == np.median(d)
            assert rows.loc[year, "diff_low"] == np.quantile(d, 0.05)
            assert rows.loc[year, "n_pairs"] == 4
        how = {"sum": "sum", "mean": "mean", "last": "last"}[outcome.over_years]
        per_run = mine.sort_values("year").groupby("seed")[[A, B]].agg(how)
        total = (per_run[B] - per_run[A]).to_numpy()
        assert rows.loc[0, "diff_median"] == pytest.approx(np.median(total), rel=1e-12)


def test_paired_differences_without_pairs_is_an_error(store):
    outcomes = load_scenario(A).outcomes
    with ResultsStore(store, read_only=True) as s, pytest.raises(ValueError):
        paired_differences(s, A, "gibt-es-nicht", outcomes)


def test_paired_by_region_is_the_difference_per_seed_and_sozialraum(store):
    """Per region: each run's years made one figure, then paired by seed, by definition."""
    metrics = {"cases_31": "mean", "spent_regional_2": "sum", "total_spent": "sum"}
    with ResultsStore(store, read_only=True) as s:
        table = paired_by_region(s, A, B, metrics)
        yearly = s.yearly([A, B], list(metrics), region=None)
        only = paired_by_region(s, A, B, metrics, regions=["Region 2"])
        seed_1 = list(yearly[yearly["seed"] == 1]["run_id"].unique())
        one_pair = paired_by_region(s, A, B, metrics, run_ids=seed_1)
        unpaired = paired_by_region(s, A, "gibt-es-nicht", metrics)
    regions = set(yearly["region"])
    assert set(table["region"]) == regions and "Gesamt" in regions
    assert len(table) == len(regions) * len(metrics)
    for row in table.itertuples(index=False):
        mine = yearly[(yearly["region"] == row.region) & (yearly["metric"] == row.metric)]
        per_run = mine.groupby(["scenario", "seed"])["value"].agg(metrics[row.metric])
        d = (per_run[B] - per_run[A]).to_numpy()
        assert row.n_pairs == 4
        assert row.diff_median == pytest.approx(np.median(d), rel=1e-12, abs=1e-9)
        assert row.diff_low == pytest.approx(np.quantile(d, 0.05), rel=1e-12, abs=1e-9)
        assert row.median_a == pytest.approx(np.median(per_run[A]), rel=1e-12, abs=1e-9)
    assert set(only["region"]) == {"Region 2"}
    assert len(seed_1) == 2 and set(one_pair["n_pairs"]) == {1}
    assert unpaired.empty
