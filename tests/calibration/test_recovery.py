"""Parameter recovery (calibration.recovery) on a toy whose answer is known.

The toy has two parameters and two statistics: the first statistic is ``a`` plus
noise (``a`` is identified), the second does not depend on either (``b`` is not). The
study must find ``a`` with a narrow interval that covers the truth about as often as
it should, and report ``b`` as not identified.
"""

from __future__ import annotations

import numpy as np
import pytest

from calibration.fit import CalibrationSetup
from calibration.recovery import IDENTIFIED_WIDTH, recover, report_document
from calibration.targets import Target

NOISE = 0.3


def _setup() -> CalibrationSetup:
    return CalibrationSetup.model_validate(
        {
            "name": "spielzeug",
            "scenario": "lueneburg-status-quo",
            "seed": 3,
            "scale": 0.1,
            "years": 1,
            "burn_in_months": 12,
            "population": 200,
            "generations": 5,
            "quantile": 0.5,
            "min_acceptance": 0.02,
            "draws": 10,
            "sims_per_minute": 1000,
            "parameters": [
                {"path": "a", "label": "a", "low": 5.0, "high": 15.0, "unit": "x"},
                {"path": "b", "label": "b", "low": 0.0, "high": 1.0, "unit": "x"},
            ],
        }
    )


def _target(tid: str, value: float) -> Target:
    return Target.model_validate(
        {
            "id": tid,
            "label": tid,
            "statistic": {"kind": "sum", "metrics": [tid]},
            "value": value,
            "unit": "x",
            "year": 2024,
            "source": "Spielzeugmodell, https://example.org",
            "derivation": "Test",
            "scale_note": "Test",
            "role": "fit",
            "tolerance": 0.1,
        }
    )


def _simulate(thetas: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    out = np.empty((len(thetas), 2))
    for i, (theta, seed) in enumerate(zip(thetas, seeds, strict=True)):
        rng = np.random.default_rng(int(seed))
        out[i] = (theta[0] + NOISE * rng.standard_normal(), 10.0 + NOISE * rng.standard_normal())
    return out


@pytest.fixture(scope="module")
def study():
    targets = [_target("s1", 10.0), _target("s2", 10.0)]
    return recover(_setup(), targets, _simulate, datasets=12, max_simulations=3000, seed=5)


def test_an_identified_parameter_is_recovered_with_a_narrow_interval(study):
    a = study.table()[0]
    assert a["coverage"] >= 0.8, a
    assert a["width"] < 0.25, a
    assert a["verdict"] == "wiedergefunden"
    # the medians follow the truths
    assert np.corrcoef(study.truths[:, 0], study.medians[:, 0])[0, 1] > 0.95


def test_a_parameter_the_targets_do_not_move_is_reported_as_not_identified(study):
    b = study.table()[1]
    assert b["width"] > IDENTIFIED_WIDTH, b
    assert b["verdict"].startswith("nicht identifiziert")


def test_the_same_seed_gives_the_same_study(study):
    targets = [_target("s1", 10.0), _target("s2", 10.0)]
    again = recover(_setup(), targets, _simulate, datasets=12, max_simulations=3000, seed=5)
    np.testing.assert_array_equal(again.q05, study.q05)
    np.testing.assert_array_equal(again.truths, study.truths)
    doc = report_document(study, {"seed": 5})
    assert doc["datasets"] == 12 and [p["path"] for p in doc["parameters"]] == ["a", "b"]


# ------------------------------------------------------- with a second-stage rate

BASE_RATE = 150.0


def _cost_setup() -> CalibrationSetup:
    doc = _setup().model_dump()
    doc["parameters"] = doc["parameters"][:1]
    doc["cost_parameters"] = [
        {
            "path": "help_types.34.daily_rate",
            "label": "Tagessatz",
            "low": 100.0,
            "high": 250.0,
            "unit": "EUR/day",
            "scales": ["spent_help_34"],
        }
    ]
    doc["cost_draws"] = 200
    return CalibrationSetup.model_validate(doc)


def _simulate_with_spending(thetas: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Statistic ``a`` plus noise, then the yearly spending (care days × base rate,
    days proportional to ``a`` with noise) and the population: the aux columns of
    ``aux_metrics`` (``spent_help_34``, ``under21``), one year each."""
    out = np.empty((len(thetas), 3))
    for i, (theta, seed) in enumerate(zip(thetas, seeds, strict=True)):
        rng = np.random.default_rng(int(seed))
        days = 100.0 * theta[0] * (1 + 0.02 * rng.standard_normal())
        out[i] = (theta[0] + NOISE * rng.standard_normal(), days * BASE_RATE, 1000.0)
    return out


def test_recovery_fits_the_rate_too_and_recovers_it() -> None:
    """The rate is identified by the spending once ``a`` is (spending = a × rate × 15):
    the study covers both truths about as often as it should, with narrow intervals."""
    spend = Target.model_validate(
        {
            **_target("x", 1.0).model_dump(),
            "id": "ausgaben",
            "statistic": {"kind": "per_u21", "metrics": ["spent_help_34"]},
            "tolerance": 0.05,
        }
    )
    rec = recover(
        _cost_setup(),
        [_target("s1", 10.0), spend],
        _simulate_with_spending,
        datasets=12,
        max_simulations=3000,
        seed=8,
        bases=[BASE_RATE],
    )
    assert [p.path for p in rec.setup.parameters] == ["a", "help_types.34.daily_rate"]
    rows = {r["path"]: r for r in rec.table()}
    assert rows["a"]["coverage"] >= 0.75 and rows["a"]["width"] < 0.3
    rate = rows["help_types.34.daily_rate"]
    assert rate["coverage"] >= 0.75 and rate["width"] < IDENTIFIED_WIDTH, rate
