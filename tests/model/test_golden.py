"""Golden values of a tiny fixed run: any change of the engine's results shows here.

If a change of the model is intended, regenerate the file and say why in the commit:
``python -m tests.model.test_golden`` rewrites ``golden.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from model.run import run_once
from tests.fixtures.factory import make_params

GOLDEN = Path(__file__).with_name("golden.yaml")
SETTINGS = {"scale": 0.05, "years": 2, "burn_in_months": 12}
SEED = 42
METRICS = (
    "total_spent",
    "spent_bound",
    "spent_central",
    "cases_total",
    "new_cases_total",
    "escalations",
    "unmet_need_families",
    "counselling_new_families",
    "hilfeplan_reviews",
)


def current() -> dict[str, dict[int, float]]:
    r = run_once(make_params(**SETTINGS), SEED).results
    y = r[(r.month == 0) & (r.region == "Gesamt") & r.metric.isin(METRICS)]
    return {
        m: {int(row.year): float(row.value) for row in y[y.metric == m].itertuples()}
        for m in METRICS
    }


def test_golden_values_of_a_tiny_fixed_run():
    expected = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    got = current()
    for metric in METRICS:
        for year, value in expected[metric].items():
            assert got[metric][year] == pytest.approx(value, rel=1e-9, abs=1e-9), (metric, year)


if __name__ == "__main__":
    GOLDEN.write_text(yaml.safe_dump(current(), sort_keys=True), encoding="utf-8")
