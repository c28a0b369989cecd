"""The shipped calibration: current with its setup and targets, and the calibrated
Lüneburg baseline reproduces the fitted targets within their stated tolerances.

The predictive check runs the shipped status quo as batches do (one run per
posterior draw, seed = draw number, full scale, the scenario's own burn-in) and
compares the simulated median of every fit target with the target's tolerance
(``calibration/targets/targets.yaml``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from calibration.fit import load_setup
from calibration.report import CheckRow, predictive_check
from calibration.targets import TARGETS_FILE, load_targets, targets_sha256
from scenarios.loader import find_scenario, load_scenario

SETUP = load_setup("lueneburg")


def _shipped_file() -> Path:
    scenario = find_scenario(SETUP.scenario)
    ref = yaml.safe_load(scenario.read_text(encoding="utf-8"))["calibration"]["file"]
    return (scenario.parent / ref).resolve()


def test_shipped_calibration_file_belongs_to_setup_and_targets() -> None:
    cal = yaml.safe_load(_shipped_file().read_text(encoding="utf-8"))
    assert cal["name"] == SETUP.name and cal["scenario"] == SETUP.scenario
    assert cal["seed"] == SETUP.seed
    assert [p["path"] for p in cal["parameters"]] == SETUP.paths
    assert cal["targets_sha256"] == targets_sha256(TARGETS_FILE)
    settings = cal["settings"]
    for key in ("scale", "years", "burn_in_months", "population", "generations", "quantile"):
        assert settings[key] == getattr(SETUP, key), key
    # the scenario simulates with the same burn-in the calibration used
    assert load_scenario(SETUP.scenario).params.burn_in_months == SETUP.burn_in_months
    assert len(cal["draws"]) == SETUP.draws
    for p in cal["parameters"]:
        values = [d[p["path"]] for d in cal["draws"]]
        assert p["prior"]["low"] <= min(values) and max(values) <= p["prior"]["high"]


@pytest.fixture(scope="module")
def check() -> list[CheckRow]:
    return predictive_check(_shipped_file(), draws=40, workers=2)


def test_calibrated_baseline_meets_the_fitted_targets(check: list[CheckRow]) -> None:
    fit = [r for r in check if r.target.role == "fit"]
    assert {r.target.id for r in fit} == {t.id for t in load_targets().by_role("fit")}
    misses = [
        f"{r.target.id}: Median {r.median:.1f}, Spanne {r.target.hit_range}"
        for r in fit
        if not r.hit
    ]
    assert not misses, misses
    outside = [r.target.id for r in fit if not r.inside]
    assert not outside, outside


def test_held_out_targets_are_predicted_and_finite(check: list[CheckRow]) -> None:
    held = [r for r in check if r.target.role == "holdout"]
    assert {r.target.id for r in held} == {t.id for t in load_targets().by_role("holdout")}
    for r in held:
        assert np.isfinite([r.q05, r.median, r.q95]).all() and r.q05 <= r.median <= r.q95
