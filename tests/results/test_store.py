"""The DuckDB results store: one transaction per run, clear errors."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from experiments import execute, plan_batch
from results.store import DATA_TABLES, ResultsStore, StoreError


@pytest.fixture(scope="module")
def one_run():
    plan = plan_batch(["lueneburg-status-quo"], 1, years=1, scale=0.1)
    run = plan.runs[0]
    return plan, run, execute(run.task)


def counts(store: ResultsStore, run_id: str) -> dict[str, int]:
    out = {}
    for table in (*DATA_TABLES, "runs"):
        out[table] = int(
            store.query(f"SELECT count(*) AS n FROM {table} WHERE run_id = ?", [run_id])["n"][0]
        )
    return out


def test_write_and_read_a_run(tmp_path, one_run):
    _plan, run, data = one_run
    with ResultsStore(tmp_path / "s.duckdb") as store:
        store.write_run(run.record, data)
        n = counts(store, run.task.run_id)
        assert n["runs"] == 1
        assert n["results"] == len(data.results)
        assert n["flows"] == len(data.flows)
        manifest = store.runs().iloc[0]
        assert manifest["status"] == "done"
        assert manifest["scenario_sha256"] == run.record.scenario_sha256
        assert manifest["input_sha256"] == run.record.input_sha256
        assert manifest["code_version"] == run.record.code_version
        assert '"fls_rate"' in manifest["params"]
        # writing again replaces, never duplicates
        store.write_run(run.record, data)
        assert counts(store, run.task.run_id) == n
    # the file keeps everything after closing
    with ResultsStore(tmp_path / "s.duckdb", read_only=True) as store:
        assert store.done_run_ids() == {run.task.run_id}
        stored = store.query("SELECT * FROM results ORDER BY ALL").drop(columns="run_id")
        expected = data.results.sort_values(list(data.results.columns)).reset_index(drop=True)
        pd.testing.assert_frame_equal(
            stored.sort_values(list(stored.columns)).reset_index(drop=True),
            expected,
            check_dtype=False,
        )


def test_failed_write_leaves_nothing_of_the_run(tmp_path, one_run):
    _plan, run, data = one_run
    broken = dataclasses.replace(
        data,
        providers=data.providers.assign(staff_fte="kein Wert"),  # not a number
    )
    with ResultsStore(tmp_path / "s.duckdb") as store:
        with pytest.raises(Exception):  # noqa: B017 - DuckDB's conversion error
            store.write_run(run.record, broken)
        assert counts(store, run.task.run_id) == {t: 0 for t in (*DATA_TABLES, "runs")}
        store.write_run(run.record, data)  # the connection is still usable
        assert counts(store, run.task.run_id)["runs"] == 1


def test_missing_store_for_reading(tmp_path):
    with pytest.raises(StoreError) as info:
        ResultsStore(tmp_path / "fehlt.duckdb", read_only=True)
    assert "nicht gefunden" in info.value.message


def test_not_a_store(tmp_path):
    path = tmp_path / "notiz.duckdb"
    path.write_text("kein DuckDB\n")
    with pytest.raises(StoreError) as info:
        ResultsStore(path)
    assert "keine gültige Ergebnisdatei" in info.value.message or "nicht geöffnet" in (
        info.value.message
    )
    assert path.read_text() == "kein DuckDB\n"


def test_missing_folder(tmp_path):
    with pytest.raises(StoreError) as info:
        ResultsStore(tmp_path / "gibtsnicht" / "s.duckdb")
    assert "Verzeichnis" in info.value.message
