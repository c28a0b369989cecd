"""Tasks carry frozen parameters: a worker needs no scenario file, wherever it runs."""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments import execute, plan_batch, results_frame, run_batch
from results import ResultsStore
from tests.experiments import worker_without_files

ROOT = Path(__file__).resolve().parents[2]
A, B = "lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"
SMALL = {"years": 1, "scale": 0.1}
WORKER_START_SECONDS = 120
"""How long the test waits for its Dask worker to connect (a cold start imports a lot)."""


def _copy_of_the_library(target: Path) -> list[Path]:
    """The two Lüneburg scenarios with their data and calibration files, copied."""
    library = ROOT / "scenarios" / "library" / "lueneburg"
    shutil.copytree(library, target / "scenarios" / "library" / "lueneburg")
    shutil.copytree(ROOT / "scenarios" / "data", target / "scenarios" / "data")
    shutil.copytree(ROOT / "calibration" / "posterior", target / "calibration" / "posterior")
    return [target / "scenarios" / "library" / "lueneburg" / f"{n}.yaml" for n in (A, B)]


def test_task_is_small_frozen_and_names_no_file():
    plan = plan_batch([A], 1, **SMALL)
    task = plan.runs[0].task
    assert [f for f in task.__dataclass_fields__] == ["run_id", "params", "seed"]
    data = pickle.dumps(task)
    assert len(data) < 200_000
    assert str(ROOT).encode() not in data  # no path of this machine travels with a task
    assert pickle.loads(data) == task


def test_tasks_run_after_the_scenario_files_are_gone(tmp_path):
    files = _copy_of_the_library(tmp_path / "kopie")
    plan = plan_batch([str(f) for f in files], 1, **SMALL)
    reference = plan_batch([A, B], 1, **SMALL)
    assert plan.run_ids == reference.run_ids  # content, not paths, makes a run
    shutil.rmtree(tmp_path / "kopie")
    data = execute(plan.runs[0].task)
    expected = execute(reference.runs[0].task)
    pd.testing.assert_frame_equal(data.results, expected.results)


def test_dask_worker_in_another_folder_without_scenario_files(tmp_path):
    """A Dask worker started in an empty folder, unable to open any scenario, data or
    calibration file (an audit hook refuses them), computes the local pool's batch.

    The batch is planned from a copy of the scenario files that is deleted before
    anything runs; the worker is a separate ``dask worker`` process whose working
    directory is an empty folder.
    """
    distributed = pytest.importorskip("distributed")
    files = _copy_of_the_library(tmp_path / "kopie")
    plan = plan_batch([str(f) for f in files], 2, **SMALL)
    shutil.rmtree(tmp_path / "kopie")

    with ResultsStore(tmp_path / "pool.duckdb") as store:
        assert run_batch(plan, store, workers=2).complete
        pooled = results_frame(store, plan)

    empty = tmp_path / "leer"
    empty.mkdir()
    log = (tmp_path / "worker.log").open("w")
    with distributed.LocalCluster(
        n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:  # a scheduler on TCP only; its one worker comes from outside
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_worker",
                cluster.scheduler_address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--death-timeout",
                "60",
                "--local-directory",
                str(tmp_path / "scratch"),
                "--preload",
                "tests.experiments.worker_without_files",
            ],
            cwd=empty,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            with distributed.Client(cluster.scheduler_address) as client:
                client.wait_for_workers(1, timeout=WORKER_START_SECONDS)
                ((cwd, pid),) = client.run(worker_without_files.where).values()
                with ResultsStore(tmp_path / "dask.duckdb") as store:
                    report = run_batch(plan, store, scheduler=client)
                    clustered = results_frame(store, plan)
                    workers = set(store.runs()["worker"])
                (refused_during_batch,) = client.run(worker_without_files.refused).values()
                # the hook is armed: the library's own files are refused too
                probe = str(ROOT / "scenarios" / "library" / "lueneburg" / f"{A}.yaml")
                (answer,) = client.run(worker_without_files.try_open, probe).values()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
    assert Path(cwd) == empty and pid == proc.pid
    assert list(empty.iterdir()) == []
    assert answer == "refused"
    assert refused_during_batch == []
    assert report.complete, report.failed
    assert workers == {f"{socket.gethostname()}:{proc.pid}"}  # that worker did every run
    pd.testing.assert_frame_equal(pooled, clustered)


def test_worker_hook_refuses_only_data_files(tmp_path):
    """The preload's hook itself: YAML and CSV outside the installation are refused."""
    yaml_file = tmp_path / "x.yaml"
    yaml_file.write_text("a: 1\n")
    code = (
        "import tests.experiments.worker_without_files as w, sys; w.install();"
        f"print(w.try_open({str(yaml_file)!r}), w.try_open(sys.executable), w.refused())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert out.split()[:2] == ["refused", "opened"], out
    assert str(yaml_file.resolve()) in out
