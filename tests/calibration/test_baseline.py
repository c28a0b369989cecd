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
    # the parameters with runs, then the daily rates (calibration/costs.py)
    assert [p["path"] for p in cal["parameters"]] == SETUP.paths + [
        c.path for c in SETUP.cost_parameters
    ]
    assert cal["cost_stage"]["parameters"] == [c.path for c in SETUP.cost_parameters]
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


KNOWN_MISSES = {"ausgaben_hze_je_u21", "faelle_27_2", "faelle_33", "faelle_35"}
"""Fitted targets the shipped calibration is known to miss (open in the calibration issue).

Measured over the 40 draws of ``lueneburg-v1.yaml`` (4 December 2026, evening: one
ABC-SMC with the daily rates fitted inside it and the spending targets as a hard
condition, 11,754 runs, 7 generations, tolerance 1,251), median against the tolerance's
range: §27.2 54,2 (26,5–44,2), §33 74,1 (38,9–64,9), §35 1,8 (1,8–7,2, just below),
spending on HzE and §41 per under-21 668,0 € (686,0–838,4 €, 12 % under the target).
Met now: §30 32,6, the Sozialraumteams' cases 481,9, §31's duration 15,4 months, and
the newly fitted durations of §33 (50,2) and §27.2 (13,2). Mechanism: the model has too
few care days per counted case, so national euros and national case numbers do not fit
together; §34's daily rate sits at the top of its range (median 220 of 130–230 €).
The set is compared exactly: a target that starts to miss fails, and so does one that is
mended without being taken out of this set.
"""


KNOWN_OUTSIDE = {"dauer_35a"}
"""Fitted targets within their tolerance whose published value lies outside the 90 %
interval: §35a duration median 19,9 months (19,7–29,5), interval 16,5–23,9 against 24,6."""

KNOWN_INSIDE = {"ausgaben_hze_je_u21", "faelle_27_2", "faelle_35"}
"""Known misses whose published value still lies inside the 90 % interval."""


def test_calibrated_baseline_meets_the_fitted_targets(check: list[CheckRow]) -> None:
    fit = [r for r in check if r.target.role == "fit"]
    assert {r.target.id for r in fit} == {t.id for t in load_targets().by_role("fit")}
    misses = {r.target.id: (round(r.median, 1), r.target.hit_range) for r in fit if not r.hit}
    assert set(misses) == KNOWN_MISSES, misses
    outside = {r.target.id for r in fit if not r.inside}
    assert outside == KNOWN_MISSES - KNOWN_INSIDE | KNOWN_OUTSIDE, outside


def test_held_out_targets_are_predicted_and_finite(check: list[CheckRow]) -> None:
    held = [r for r in check if r.target.role == "holdout"]
    assert {r.target.id for r in held} == {t.id for t in load_targets().by_role("holdout")}
    for r in held:
        assert np.isfinite([r.q05, r.median, r.q95]).all() and r.q05 <= r.median <= r.q95
