"""ABC-SMC: parameter recovery, determinism and the calibrate command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from calibration.costs import is_cost_target
from calibration.fit import (
    CalibrationSetup,
    Generation,
    Posterior,
    abc_smc,
    batch_simulator,
    distance,
    load_setup,
    posterior_document,
    write_posterior,
)
from calibration.targets import load_targets, statistics
from cli.main import main
from experiments import code_version, model_code_hash
from model.run import run_once
from scenarios import read_calibration
from scenarios.loader import load_scenario

WEAKLY_IDENTIFIED = ("help_types.31.selection_weight",)
"""Parameters the tiny recovery set-up recovers (true value inside the interval) but does
not narrow reliably. Measured (ABC seeds 7, 8, 9; all fit targets; scale 0.2): the 90 %
interval of the §31 selection weight spans 0.69, 0.88 and 0.72 of its prior, because the
§31 count trades the weight against ``need.base`` and only the §32 count moves with the
weight alone (−0.76 tolerances per +1.5 weight, single-run noise 0.63 tolerances)."""
TRUE = {"need.base": 0.79, "counselling.p_seek": 0.05, "help_types.31.selection_weight": 3.0}


def _tiny_setup(**changes: object) -> CalibrationSetup:
    data = {
        "name": "test-klein",
        "scenario": "lueneburg-status-quo",
        "seed": 7,
        "scale": 0.2,
        "years": 2,
        "burn_in_months": 24,
        "population": 30,
        "generations": 3,
        "quantile": 0.5,
        "min_acceptance": 0.02,
        "draws": 10,
        "sims_per_minute": 300,
        "parameters": [
            {
                "path": "need.base",
                "label": "Grundbelastung",
                "low": 0.4,
                "high": 1.2,
                "unit": "need",
            },
            {
                "path": "counselling.p_seek",
                "label": "Beratung suchen",
                "low": 0.02,
                "high": 0.1,
                "unit": "probability/month",
            },
            {
                "path": "help_types.31.selection_weight",
                "label": "Auswahlgewicht §31",
                "low": 1.5,
                "high": 6.0,
                "unit": "factor",
            },
        ],
    }
    data.update(changes)
    return CalibrationSetup.model_validate(data)


def test_shipped_setup_is_valid() -> None:
    setup = load_setup("lueneburg")
    assert setup.scenario == "lueneburg-status-quo"
    # the priors' check against the scenario's values: test_setup_files (one place)
    cost_paths = [c.path for c in setup.cost_parameters]
    assert set(load_scenario(setup.scenario).calibrated_paths) == set(setup.paths + cost_paths)


def test_parameter_recovery() -> None:
    """Data made by the model from known parameters is fitted back (90 % intervals)."""
    setup = _tiny_setup()
    # the targets computed from the runs (not the hold-outs, not the
    # spending, which the daily rates rescale)
    targets = [t for t in load_targets().targets if t.role == "fit" and not is_cost_target(t)]
    overrides = {**TRUE, "scale": setup.scale, "years": setup.years}
    overrides["burn_in_months"] = setup.burn_in_months
    # as the calibration simulates: the scenario's own values, not its calibration file
    params = load_scenario(setup.scenario, overrides, calibrated=False).params
    observed = np.mean(
        [statistics(run_once(params, s).results, targets) for s in (101, 102, 103, 104)], axis=0
    )
    pseudo = [
        t.model_copy(update={"value": float(v)}) for t, v in zip(targets, observed, strict=True)
    ]
    post = abc_smc(setup, pseudo, batch_simulator(setup, pseudo), max_simulations=400)
    assert len(post.generations) >= 3  # prior + at least two SMC generations
    order = np.argsort(post.theta, axis=0)
    for j, p in enumerate(setup.parameters):
        col, w = post.theta[order[:, j], j], post.weights[order[:, j]]
        cw = np.cumsum(w) / w.sum()
        q05, q95 = col[np.searchsorted(cw, 0.05)], col[min(np.searchsorted(cw, 0.95), len(col) - 1)]
        assert q05 <= TRUE[p.path] <= q95, (p.path, q05, q95)
        if p.path in WEAKLY_IDENTIFIED:
            continue
        # the data are informative: the interval is clearly narrower than the prior
        # (a flat posterior's 90 % interval spans 0.9 of it)
        assert q95 - q05 < 0.8 * (p.high - p.low), (p.path, q05, q95)
    # the distance shrank from the prior generation
    assert post.generations[-1].epsilon < np.inf
    assert np.median(post.distances) < post.generations[1].epsilon


def test_distance_is_zero_at_targets_and_infinite_for_failed_runs() -> None:
    targets = load_targets().by_role("fit")
    values = np.array([t.value for t in targets])
    d = distance(np.vstack([values, values * 1.1, np.full_like(values, np.nan)]), targets)
    assert d[0] == 0.0 and 0 < d[1] < 1 and np.isinf(d[2])


def _setup_file(tmp_path: Path, seed: int) -> Path:
    setup = _tiny_setup(population=8, generations=1, seed=seed)
    path = tmp_path / f"setup-{seed}.yaml"
    path.write_text(yaml.safe_dump(json.loads(setup.model_dump_json())), encoding="utf-8")
    return path


def test_calibrate_command_same_seed_same_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = _setup_file(tmp_path, 3)
    outs = [tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"]
    args = ["calibrate", "--setup", str(setup), "--minutes", "0.2", "--workers", "1"]
    assert main([*args, "--out", str(outs[0])]) == 0
    assert main([*args, "--out", str(outs[1])]) == 0
    assert main([*args, "--out", str(outs[2]), "--seed", "4"]) == 0
    assert "Kalibrierung fertig" in capsys.readouterr().out
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert outs[0].read_bytes() != outs[2].read_bytes()
    doc = yaml.safe_load(outs[0].read_text(encoding="utf-8"))
    assert doc["seed"] == 3 and doc["settings"]["max_simulations"] == 60
    assert len(doc["draws"]) == 10 and len(doc["particles"]) == 8
    assert set(doc["point"]) == set(TRUE)
    assert doc["holdout_targets"] and doc["fit_targets"]
    assert abs(sum(p["weight"] for p in doc["particles"]) - 1) < 1e-4
    # what it was fitted for (issue 14: stale calibration is visible)
    fitted = load_scenario("lueneburg-status-quo", calibrated=False).sha256
    assert doc["scenario_sha256"] == fitted and doc["model_code"] == model_code_hash()


def _small_posterior() -> Posterior:
    """A posterior of five particles, made up (no simulation)."""
    setup = _tiny_setup(draws=3)
    rng = np.random.default_rng(1)
    theta = setup.low + rng.random((5, len(setup.parameters))) * (setup.high - setup.low)
    return Posterior(
        setup=setup,
        theta=theta,
        weights=np.full(5, 0.2),
        distances=rng.random(5),
        generations=[Generation(np.inf, 5, 5, 5.0)],
        stopped="alle Generationen gerechnet",
        simulations=5,
    )


def test_calibration_file_records_what_it_was_fitted_for(tmp_path: Path) -> None:
    doc = posterior_document(_small_posterior(), load_targets(), "0" * 64, 10)
    as_written = load_scenario("lueneburg-status-quo", calibrated=False).sha256
    assert doc["scenario_sha256"] == as_written
    assert as_written != load_scenario("lueneburg-status-quo").sha256  # not the calibrated
    assert doc["model_code"] == model_code_hash()
    assert doc["code_version"] == code_version()  # kept as before
    cal = read_calibration(write_posterior(doc, tmp_path / "kal.yaml"))
    assert (cal.scenario_sha256, cal.model_code) == (as_written, model_code_hash())


def test_recorded_hashes_can_be_taken_when_the_calibration_starts() -> None:
    doc = posterior_document(
        _small_posterior(),
        load_targets(),
        "0" * 64,
        10,
        scenario_sha256="a" * 64,
        model_code="b" * 12,
    )
    assert (doc["scenario_sha256"], doc["model_code"]) == ("a" * 64, "b" * 12)
