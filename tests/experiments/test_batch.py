"""Batch runner: plans, common random numbers, resume, local pool and Dask."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from experiments import (
    BatchInterrupted,
    code_version,
    plan_batch,
    results_frame,
    run_batch,
)
from model.run import run_once
from results import ResultsStore
from scenarios import calibration_overrides, load_scenario

SCENARIOS = ["lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"]
SMALL = {"years": 2, "scale": 0.1}


def test_plan_is_deterministic_and_seeds_are_shared():
    a = plan_batch(SCENARIOS, 3, **SMALL)
    b = plan_batch(SCENARIOS, 3, **SMALL)
    assert a.batch_id == b.batch_id
    assert a.run_ids == b.run_ids
    assert len(set(a.run_ids)) == 6
    seeds = {
        sc: sorted(r.record.seed for r in a.runs if r.record.scenario == sc) for sc in SCENARIOS
    }
    assert seeds[SCENARIOS[0]] == seeds[SCENARIOS[1]] == [1, 2, 3]
    assert all(r.record.code_version == code_version() for r in a.runs)
    # another seed base or scale is another batch
    assert plan_batch(SCENARIOS, 3, seed_base=4, **SMALL).batch_id != a.batch_id
    assert plan_batch(SCENARIOS, 3, years=2, scale=0.2).batch_id != a.batch_id


def test_batch_run_equals_a_single_run(tmp_path):
    plan = plan_batch(SCENARIOS[:1], 1, seed_base=5, **SMALL)
    with ResultsStore(tmp_path / "s.duckdb") as store:
        run_batch(plan, store)
        stored = results_frame(store, plan).drop(columns="run_id")
    # the shipped scenarios are calibrated: replicate seed 5 uses posterior draw 4
    draw = calibration_overrides(load_scenario(SCENARIOS[0]), 5)
    assert draw
    sc = load_scenario(SCENARIOS[0], {**draw, **SMALL})
    direct = run_once(sc.params, 5).results.drop(columns="run_id")
    key = ["year", "month", "region", "metric"]
    pd.testing.assert_frame_equal(
        stored.sort_values(key).reset_index(drop=True),
        direct.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )


def test_common_random_numbers_across_scenarios(tmp_path):
    plan = plan_batch(SCENARIOS, 2, **SMALL)
    with ResultsStore(tmp_path / "s.duckdb") as store:
        run_batch(plan, store)
        frame = store.query(
            "SELECT r.scenario, r.seed, res.value FROM results res JOIN runs r USING (run_id)"
            " WHERE res.metric = 'families' AND res.month = 1 AND res.region = 'Gesamt'"
            " AND res.year = 2026"
        )
    wide = frame.pivot(index="seed", columns="scenario", values="value")
    # same seed: the identical population in January of the first year
    assert (wide[SCENARIOS[0]] == wide[SCENARIOS[1]]).all()
    # different seeds: different populations
    assert wide[SCENARIOS[0]].nunique() == 2


def test_interrupted_batch_resumes_without_loss_or_duplicates(tmp_path):
    plan = plan_batch(SCENARIOS, 3, **SMALL)
    seen = []

    def stop_after_two(run, data, error):
        seen.append(run.task.run_id)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with ResultsStore(tmp_path / "s.duckdb") as store:
        with pytest.raises(BatchInterrupted) as info:
            run_batch(plan, store, on_run=stop_after_two)
        assert info.value.report.ran == 2
        assert store.done_run_ids() == set(seen)
        report = run_batch(plan, store)
        assert report.already_done == 2 and report.ran == 4 and report.complete
        resumed = results_frame(store, plan)
        runs = store.runs()
        assert sorted(runs["run_id"]) == sorted(plan.run_ids)
    with ResultsStore(tmp_path / "ref.duckdb") as store:
        run_batch(plan, store)
        reference = results_frame(store, plan)
    pd.testing.assert_frame_equal(resumed, reference)


def test_local_pool_equals_in_process(tmp_path):
    plan = plan_batch(SCENARIOS, 2, **SMALL)
    with ResultsStore(tmp_path / "one.duckdb") as store:
        run_batch(plan, store, workers=1)
        serial = results_frame(store, plan)
    with ResultsStore(tmp_path / "pool.duckdb") as store:
        report = run_batch(plan, store, workers=2)
        pooled = results_frame(store, plan)
        workers = set(store.runs()["worker"])
    assert report.complete
    assert len(workers) == 2
    pd.testing.assert_frame_equal(serial, pooled)


def test_dask_local_cluster_equals_local_pool(tmp_path):
    distributed = pytest.importorskip("distributed")
    plan = plan_batch(SCENARIOS, 2, **SMALL)
    with ResultsStore(tmp_path / "pool.duckdb") as store:
        run_batch(plan, store, workers=2)
        pooled = results_frame(store, plan)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with ResultsStore(tmp_path / "dask.duckdb") as store:
            report = run_batch(plan, store, scheduler=cluster.scheduler_address)
            clustered = results_frame(store, plan)
            workers = set(store.runs()["worker"])
    assert report.complete
    assert len(workers) == 2  # two worker processes did the work
    pd.testing.assert_frame_equal(pooled, clustered)


def test_engine_failure_is_recorded_and_retried(tmp_path):
    plan = plan_batch(SCENARIOS[:1], 1, **SMALL)
    bad = plan.runs[0]
    broken = dataclasses.replace(  # no year to simulate: the engine fails in the worker
        bad.spec, params=dataclasses.replace(bad.spec.params, years=0)
    )
    plan.runs[0] = dataclasses.replace(bad, build=lambda: broken)
    with ResultsStore(tmp_path / "s.duckdb") as store:
        report = run_batch(plan, store)
        assert len(report.failed) == 1 and not report.complete
        assert store.runs()["status"].tolist() == ["failed"]
        fixed = plan_batch(SCENARIOS[:1], 1, **SMALL)
        report = run_batch(fixed, store)
        assert report.ran == 1 and report.complete
        assert store.runs()["status"].tolist() == ["done"]
