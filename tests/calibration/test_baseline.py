"""The shipped calibration: current with its setup and targets, and the calibrated
Lüneburg baseline reproduces the fitted targets within their stated tolerances, except
the declared known misses (``KNOWN_MISSES``).

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


KNOWN_MISSES = {"faelle_34"}
"""Fitted targets the shipped calibration is known to miss (open in the calibration issue).

§34 Heimerziehung: median 54,0 against 76,1 cases per 10,000 under 21 (tolerance ±25 %,
lower edge 57,1; 90 % interval 35,3–74,0), measured over the 40 draws of
``lueneburg-v1.yaml`` (6,537 runs, tolerance 1,107); its point estimate gives 46,3 (4 seeds,
full scale), an earlier calibration's with the same priors and 2 years 82,5 – single
particles reach the target, the posterior as a whole does not. Among the stationary helps
for children of 6 and over the selection weights only share the families, and §34's share
saturates
(weight 6,4 → 61,0, weight 12 → 70,0 cases at the first calibration's point; the posterior
median of the weight is 10,1 with the prior's upper edge at 14), while families under 6
can only get §33, which lies 20 % above its target. What decides the §33/§34 split – the
age of the families with high need, §34's need band and lower age – is not calibrated.
The set is compared exactly: a target that starts to miss fails, and so does one that is
mended without being taken out of this set.
"""


def test_calibrated_baseline_meets_the_fitted_targets(check: list[CheckRow]) -> None:
    fit = [r for r in check if r.target.role == "fit"]
    assert {r.target.id for r in fit} == {t.id for t in load_targets().by_role("fit")}
    misses = {r.target.id: (round(r.median, 1), r.target.hit_range) for r in fit if not r.hit}
    assert set(misses) == KNOWN_MISSES, misses
    outside = {r.target.id for r in fit if not r.inside}
    assert outside <= KNOWN_MISSES, outside


def test_held_out_targets_are_predicted_and_finite(check: list[CheckRow]) -> None:
    held = [r for r in check if r.target.role == "holdout"]
    assert {r.target.id for r in held} == {t.id for t in load_targets().by_role("holdout")}
    for r in held:
        assert np.isfinite([r.q05, r.median, r.q95]).all() and r.q05 <= r.median <= r.q95
