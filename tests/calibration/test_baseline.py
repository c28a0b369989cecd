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
    # first stage, then the second stage's daily rates (calibration/costs.py)
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


KNOWN_MISSES = {"faelle_27_2", "faelle_30", "faelle_33", "sozialraum_faelle_lk", "dauer_31"}
"""Fitted targets the shipped calibration is known to miss (open in the calibration issue).

Measured over the 40 draws of ``lueneburg-v1.yaml`` (4 December 2026; two stages: 6,188
runs, tolerance 1,180, §31's FLS per week fitted to SPFH spending; then the daily rates,
29 of 200 first-stage particles kept), median against the tolerance's range: §27.2 48,6
(26,5–44,2), §30 31,2 (32,5–54,2), §33 68,8 (38,9–64,9), cases of the Sozialraumteams
572,9 (465,3–568,7), §31 duration 14,0 months (14,4–21,6). Met now, missed before: §31
cases 96,8, §42 39,9, §35a duration 21,0; met as before: both spending targets (698,7 €,
159,7 €), SPFH spending 79,1 € (57,4–86,2) and §34 92,8.
Mechanism as before: the second stage keeps the first-stage runs whose spending the
published rate ranges can lift to the national level – runs with many cases, because the
model's care days per counted case are too few (realised §33 duration 43,9 against 50
months, §27.2 10,5 against 14,1) and §34's daily rate sits at the top of its range (median
217 of 130–230 €); the held-out share of foster and residential care in spending (0,754
against 0,631) shows the same.
The set is compared exactly: a target that starts to miss fails, and so does one that is
mended without being taken out of this set.
"""


KNOWN_OUTSIDE = {"faelle_35", "dauer_35a"}
"""Fitted targets within their tolerance whose published value lies outside the 90 %
interval: §35 median 2,2 (tolerance 1,8–7,2), interval 0,7–4,1 against 4,5; §35a duration
median 21,0 months (19,7–29,5), interval 17,7–23,8 against 24,6."""

KNOWN_INSIDE = {"faelle_27_2", "faelle_30", "faelle_33", "sozialraum_faelle_lk", "dauer_31"}
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
