"""The one recipe for a run: seed, posterior draw, parameters and the two hashes."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import pytest

from experiments import (
    POINT_ESTIMATE,
    POSTERIOR,
    UNCALIBRATED,
    Point,
    RunOptions,
    code_version,
    input_sha256,
    load_base,
    params_json,
    run_spec,
)
from experiments.recipe import canonical_json, run_id_for
from scenarios import LIBRARY_DIR, ScenarioError, display_path, load_scenario

NAME = "lueneburg-status-quo"
SIZE = RunOptions(years=2, scale=0.1)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base():
    return load_base(NAME, SIZE)


def test_seed_and_posterior_draw_follow_the_replicate(base):
    n = len(base.calibration_draws)
    assert n > 1
    options = dataclasses.replace(SIZE, seed_base=5)
    for replicate in (0, 1, n):
        spec = run_spec(base, replicate, options=options)
        assert spec.seed == 5 + replicate
        assert spec.draw == (spec.seed - 1) % n
        assert spec.calibration == POSTERIOR and spec.draws == n
        draw = dict(base.calibration_draws[spec.draw])
        expected = load_scenario(NAME, {**draw, "years": 2, "scale": 0.1}).params
        assert spec.params == expected
    # seed 0 wraps around to the last draw
    assert run_spec(base, 0, options=dataclasses.replace(SIZE, seed_base=0)).draw == n - 1


def test_content_hash_is_the_scenario_as_written_input_hash_what_runs(base):
    written = load_scenario(NAME).sha256
    point = Point("p000", {"budget.regional2_share": 0.2}, ROOT / "sweep.yaml")
    draws = base.calibration_draws
    # resampled draws repeat particles: take the first replicate with other values
    other = next(r for r in range(1, len(draws)) if dict(draws[r]) != dict(draws[0]))
    specs = [
        run_spec(base, 0, options=SIZE),
        run_spec(base, other, options=SIZE),
        run_spec(base, 0, point=point, options=SIZE),
        run_spec(base, 0, options=dataclasses.replace(SIZE, calibration=POINT_ESTIMATE)),
    ]
    assert {s.scenario_sha256 for s in specs} == {written}
    assert len({s.input_sha256 for s in specs}) == len(specs)  # draw, point, estimate differ
    for spec in specs:
        text = canonical_json(params_json(spec.params))
        assert spec.input_sha256 == hashlib.sha256(text.encode()).hexdigest()
        assert spec.input_sha256 == input_sha256(spec.params)
        assert spec.run_id == run_id_for(spec.input_sha256, spec.seed, code_version())
    assert specs[2].point_id == "p000" and dict(specs[2].point) == {"budget.regional2_share": 0.2}
    assert specs[2].params.budget.regional2_share == 0.2


def test_run_id_depends_on_input_seed_and_code_only(base):
    a = run_spec(base, 0, options=SIZE)
    assert run_spec(base, 0, options=SIZE) == a
    assert run_spec(base, 0, options=SIZE, version="0+anders").run_id != a.run_id
    other_seed = run_spec(base, 0, options=dataclasses.replace(SIZE, seed_base=2))
    assert other_seed.run_id != a.run_id
    record, task = a.record(), a.task()
    assert record.run_id == task.run_id == a.run_id
    assert record.scenario_sha256 == a.scenario_sha256
    assert record.input_sha256 == a.input_sha256
    assert (record.years, record.scale, record.seed) == (2, 0.1, 1)
    assert task.params is a.params and task.seed == 1


def test_same_content_elsewhere_is_the_same_run(tmp_path, base):
    """Both hashes cover content, not paths: a copied library folder plans the same runs."""
    copy = tmp_path / "kopie"
    shutil.copytree(LIBRARY_DIR.parent, copy / "scenarios")
    shutil.copytree(ROOT / "calibration" / "posterior", copy / "calibration" / "posterior")
    moved = load_base(copy / "scenarios" / "library" / "lueneburg" / f"{NAME}.yaml", SIZE)
    a, b = run_spec(base, 2, options=SIZE), run_spec(moved, 2, options=SIZE)
    assert (a.scenario_sha256, a.input_sha256, a.run_id) == (
        b.scenario_sha256,
        b.input_sha256,
        b.run_id,
    )


def test_point_estimate_and_uncalibrated_modes(base):
    estimate = run_spec(base, 3, options=dataclasses.replace(SIZE, calibration=POINT_ESTIMATE))
    assert estimate.draw is None and estimate.calibration == POINT_ESTIMATE
    assert estimate.params == load_scenario(NAME, {"years": 2, "scale": 0.1}).params
    raw_options = dataclasses.replace(SIZE, calibration=UNCALIBRATED)
    raw = load_base(NAME, raw_options)
    assert raw.calibrated_paths == () and raw.sha256 != base.sha256
    spec = run_spec(raw, 3, options=raw_options)
    assert spec.draw is None and spec.calibration == UNCALIBRATED
    expected = load_scenario(NAME, {"years": 2, "scale": 0.1}, calibrated=False).params
    assert spec.params == expected
    with pytest.raises(ValueError):  # a calibrated base cannot run uncalibrated
        run_spec(base, 0, options=raw_options)
    with pytest.raises(ValueError):
        RunOptions(calibration="irgendwie")


def test_invalid_point_names_its_file_and_field(base):
    sweep = ROOT / "meine-sweep.yaml"
    with pytest.raises(ScenarioError) as info:
        run_spec(base, 0, point=Point("p000", {"budget.regional2_share": 1.5}, sweep), options=SIZE)
    assert info.value.file == display_path(sweep)
    assert info.value.field is not None and info.value.field.startswith("budget.regional2_share")


def test_derived_parameters_follow_a_changed_file(tmp_path):
    """The recipe's cache is keyed by content: an edited scenario is never run stale."""
    path = tmp_path / "variante.yaml"
    text = (
        "name: variante\ndescription: Testvariante\n"
        f"extends: {LIBRARY_DIR / 'lueneburg' / (NAME + '.yaml')}\n"
        "overrides:\n  budget.regional2_share: {value: %s, unit: share, assumption: Test}\n"
    )
    path.write_text(text % "0.1", encoding="utf-8")
    first = run_spec(load_base(path, SIZE), 0, options=SIZE)
    path.write_text(text % "0.3", encoding="utf-8")
    second = run_spec(load_base(path, SIZE), 0, options=SIZE)
    assert first.params.budget.regional2_share == 0.1
    assert second.params.budget.regional2_share == 0.3
    assert first.scenario_sha256 != second.scenario_sha256
    assert first.run_id != second.run_id
