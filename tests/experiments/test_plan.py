"""Planning a batch with the one recipe: what the plan records, what the store keeps."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dashboard.briefing import build_briefing
from dashboard.data import DashboardData
from experiments import (
    POINT_ESTIMATE,
    RunOptions,
    load_base,
    load_sweep,
    plan_batch,
    run_batch,
    run_spec,
)
from experiments.sweep import SWEEPS_DIR
from results import ResultsStore
from results.schema import CONNECTION_CONFIG
from scenarios import load_scenario

A, B = "lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"
SMALL = {"years": 1, "scale": 0.1}
CHANGED_NOTE = "wurde seit den Läufen geändert"


def test_plan_records_both_hashes():
    plan = plan_batch([A, B], 3, seed_base=2, **SMALL)
    written = {name: load_scenario(name).sha256 for name in (A, B)}
    assert plan.plan["scenario_sha256"] == written
    for run in plan.runs:
        record = run.record
        assert record.scenario_sha256 == written[record.scenario]
        spec = run_spec(
            load_base(record.scenario), run.replicate, options=RunOptions(seed_base=2, **SMALL)
        )
        assert (record.input_sha256, record.run_id) == (spec.input_sha256, spec.run_id)
        assert run.task.params == spec.params and run.task.seed == record.seed
    # the input hash follows the draw: three seeds, three draws, per scenario
    for name in (A, B):
        mine = [r.record.input_sha256 for r in plan.runs if r.record.scenario == name]
        assert len(mine) == 3


def test_sweep_points_share_the_content_hash():
    sweep = load_sweep(sorted(SWEEPS_DIR.glob("*.yaml"))[0])
    plan = plan_batch([B], 1, sweep=sweep, **SMALL)
    assert len({r.record.point_id for r in plan.runs}) == sweep.n_points
    assert {r.record.scenario_sha256 for r in plan.runs} == {load_scenario(B).sha256}
    assert len({r.record.input_sha256 for r in plan.runs}) == sweep.n_points


def test_point_estimate_batch_uses_no_draw():
    plan = plan_batch([A], 2, calibration=POINT_ESTIMATE, **SMALL)
    expected = load_scenario(A, {"years": 1, "scale": 0.1}).params
    assert all(r.task.params == expected for r in plan.runs)
    assert plan.plan["calibration"] == POINT_ESTIMATE
    assert plan.batch_id != plan_batch([A], 2, **SMALL).batch_id


@pytest.fixture(scope="module")
def fresh_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh store of two runs (two scenarios, one seed), made by the current code."""
    path = tmp_path_factory.mktemp("herkunft") / "ergebnisse.duckdb"
    with ResultsStore(path) as store:
        assert run_batch(plan_batch([A, B], 1, **SMALL), store).complete
    return path


def _briefing(path: Path) -> str:
    data = DashboardData(path)
    try:
        return build_briefing(data, A, [B], store_label="s.duckdb", created=datetime(2026, 1, 1))
    finally:
        data.close()


def test_regression_fresh_store_briefing_reports_changed_scenario_files(fresh_store):
    """``runs.scenario_sha256`` held the hash taken after the posterior draw.

    So the briefing's provenance check, comparing it with the scenario file's hash,
    reported for every calibrated scenario of a fresh store that its unchanged file
    "wurde seit den Läufen geändert". Now the store keeps the content hash as written
    (and the input hash apart): a fresh store's briefing reports no changed file.
    """
    html = _briefing(fresh_store)
    assert CHANGED_NOTE not in html
    for name in (A, B):
        assert load_scenario(name).sha256 in html


def test_briefing_still_reports_a_really_changed_file(fresh_store, tmp_path):
    """The check itself still works: a stored hash that differs from the file is reported."""
    path = tmp_path / "geaendert.duckdb"
    path.write_bytes(fresh_store.read_bytes())
    con = duckdb.connect(str(path), config=CONNECTION_CONFIG)
    con.execute("UPDATE runs SET scenario_sha256 = repeat('0', 64) WHERE scenario = ?", [B])
    con.close()
    html = _briefing(path)
    assert f"Die Szenariodatei „{B}“ {CHANGED_NOTE}" in html
    assert f"Die Szenariodatei „{A}“" not in html
