"""Spending by help type (calibration/spending.py): the table adds up to the spending targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from calibration.report import posterior_results
from calibration.spending import (
    DEFAULT_FILE,
    help_codes,
    run_figures,
    spending_by_type,
    table_markdown,
)
from calibration.targets import load_targets, statistics


def _tidy(values: dict[str, list[float]]) -> pd.DataFrame:
    rows = [
        (2026 + y, 0, "Gesamt", metric, v, "x")
        for metric, series in values.items()
        for y, v in enumerate(series)
    ]
    return pd.DataFrame(rows, columns=["year", "month", "region", "metric", "value", "unit"])


def test_run_figures_against_a_hand_computed_run():
    results = _tidy(
        {
            "under21": [10_000, 20_000],
            "spent_help_34": [500_000, 1_500_000],
            "cases_34": [10, 30],
            "spent_help_29": [0, 0],
            "cases_29": [0, 0],
        }
    )
    assert help_codes(results) == ["34", "29"]
    f = run_figures(results, ["34", "29"])
    # EUR per under-21: mean of 50 and 75; cases per 10,000: mean of 10 and 15;
    # EUR per counted case: 2,000,000 / 40.
    np.testing.assert_allclose(f[0], [62.5, 12.5, 50_000.0])
    assert f[1, 0] == 0 and f[1, 1] == 0 and np.isnan(f[1, 2])


@pytest.fixture(scope="module")
def two_draws():
    frames = posterior_results(DEFAULT_FILE, draws=2, scale=0.1, years=2)
    return [r for r in frames if r is not None]


def test_spending_by_type_adds_up_to_the_hze_spending_target(two_draws):
    target = next(t for t in load_targets().targets if t.id == "ausgaben_hze_je_u21")
    codes = help_codes(two_draws[0])
    hze = [c for c in codes if f"spent_help_{c}" in target.statistic.metrics]
    assert len(hze) == len(target.statistic.metrics)
    for results in two_draws:
        f = run_figures(results, codes)
        by_type = sum(f[codes.index(c), 0] for c in hze)
        assert by_type == pytest.approx(statistics(results, [target])[0], rel=1e-12)
        assert by_type > 0


def test_the_table_names_every_help_type_in_german():
    rows = spending_by_type(DEFAULT_FILE, draws=2, scale=0.1, years=1, workers=1)
    text = table_markdown(rows)
    assert "| §34 |" in text and "| §27.2 |" in text
    assert "Summe der Mediane" in text
    assert all(np.isfinite(r.eur_per_u21[0]) for r in rows)
