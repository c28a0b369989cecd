"""Schema 2 keeps both hashes, schema 3 the analyses; older stores are upgraded when
opened for writing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from experiments import execute, plan_batch, run_batch
from results import ResultsStore, StoreError
from results.schema import (
    CONNECTION_CONFIG,
    DATA_TABLES,
    SCHEMA_VERSION,
    expected_schema,
    schema_of_version,
)
from scenarios import load_scenario
from tests.bad_days.harness import file_digest

A, B = "lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"
SMALL = {"years": 1, "scale": 0.1}
NEW_IN_3 = ("analyses", "sensitivity_indices")


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A current store: two scenarios × 2 seeds, plus one run of no batch."""
    path = tmp_path_factory.mktemp("migration") / "ergebnisse.duckdb"
    lone = plan_batch([A], 1, seed_base=9, **SMALL).runs[0]
    with ResultsStore(path) as store:
        assert run_batch(plan_batch([A, B], 2, **SMALL), store).complete
        store.write_run(lone.record, execute(lone.task))  # stored outside any batch
    return path


def _as_schema_1(source: Path, target: Path) -> str:
    """A copy of the store as schema 1 left it: no input hash, the draw's hash instead."""
    shutil.copy(source, target)
    con = duckdb.connect(str(target), config=CONNECTION_CONFIG)
    try:
        con.execute("UPDATE runs SET scenario_sha256 = 'nach-ziehung-' || run_id")
        con.execute("ALTER TABLE runs DROP COLUMN input_sha256")
        for table in NEW_IN_3:
            con.execute(f"DROP TABLE {table}")
        con.execute("UPDATE meta SET value = '1'")
    finally:
        con.close()
    return file_digest(target)


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True, config=CONNECTION_CONFIG)
    try:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").df()
            for t in (*DATA_TABLES, "batches", "batch_runs")
        }
    finally:
        con.close()


def test_store_keeps_both_hashes(master):
    with ResultsStore(master, read_only=True) as store:
        runs = store.runs()
    assert {"scenario_sha256", "input_sha256"} <= set(runs.columns)
    for name in (A, B):
        mine = runs[runs["scenario"] == name]
        assert set(mine["scenario_sha256"]) == {load_scenario(name).sha256}
        assert mine["input_sha256"].notna().all() and mine["input_sha256"].str.len().eq(64).all()
    assert expected_schema()["runs"][-1] == ("input_sha256", "VARCHAR")


def test_schema_1_is_the_current_one_without_the_input_hash_and_the_analyses():
    old = schema_of_version(1)
    assert old["runs"] == expected_schema()["runs"][:-1]
    assert {t: c for t, c in old.items() if t != "runs"} == {
        t: c for t, c in expected_schema().items() if t not in ("runs", *NEW_IN_3)
    }
    assert set(expected_schema()) - set(schema_of_version(2)) == set(NEW_IN_3)
    assert schema_of_version(SCHEMA_VERSION) == expected_schema()


def test_schema_1_store_is_upgraded_when_opened_for_writing(master, tmp_path):
    path = tmp_path / "alt.duckdb"
    _as_schema_1(master, path)
    before = _tables(path)
    with ResultsStore(path) as store:
        runs = store.runs().set_index("run_id")
        version = store.query("SELECT value FROM meta WHERE key = 'schema_version'")
    assert version["value"].tolist() == [str(SCHEMA_VERSION)]
    # the draw's hash is kept as the input hash; the content hash comes from the plans
    assert all(runs["input_sha256"] == "nach-ziehung-" + runs.index)
    in_batch = runs[runs["seed"] != 9]
    for name in (A, B):
        mine = in_batch[in_batch["scenario"] == name]
        assert len(mine) == 2 and set(mine["scenario_sha256"]) == {load_scenario(name).sha256}
    assert runs.loc[runs["seed"] == 9, "scenario_sha256"].isna().all()  # of no batch: unknown
    after = _tables(path)
    for table, frame in before.items():  # nothing stored is lost or changed
        pd.testing.assert_frame_equal(after[table], frame, obj=table)
    # now an ordinary store: read-only opening and resuming work
    with ResultsStore(path, read_only=True) as store:
        assert len(store.done_run_ids()) == 5
    with ResultsStore(path) as store:
        report = run_batch(plan_batch([A, B], 2, **SMALL), store)
    assert report.already_done == 4 and report.ran == 0


def test_schema_1_store_read_only_is_refused_with_the_way_to_upgrade(master, tmp_path):
    path = tmp_path / "alt.duckdb"
    digest = _as_schema_1(master, path)
    with pytest.raises(StoreError) as info:
        ResultsStore(path, read_only=True)
    err = info.value
    assert err.field == "meta.schema_version"
    assert "ältere Schema 1, dieses Programm braucht 3" in err.message
    assert "schreibenden Befehl" in err.message and "--store" in err.message
    assert err.cli_line().startswith("Fehler:") and "\n" not in err.cli_line()
    assert file_digest(path) == digest


def test_schema_1_label_on_other_tables_is_refused_unchanged(master, tmp_path):
    """A store claiming schema 1 whose tables are not schema 1's is not touched."""
    path = tmp_path / "falsch.duckdb"
    shutil.copy(master, path)
    con = duckdb.connect(str(path), config=CONNECTION_CONFIG)
    con.execute("UPDATE meta SET value = '1'")  # but runs.input_sha256 is still there
    con.close()
    digest = file_digest(path)
    with pytest.raises(StoreError) as info:
        ResultsStore(path)
    assert info.value.field == "meta.schema_version"
    assert "passen nicht zu Schema 1" in info.value.message
    assert "runs.input_sha256" in info.value.message
    assert file_digest(path) == digest


def test_failed_upgrade_keeps_every_run(master, tmp_path, monkeypatch):
    """A write failure during the upgrade (full disk) rolls it back: still schema 1."""
    path = tmp_path / "alt.duckdb"
    digest = _as_schema_1(master, path)
    before = _tables(path)

    def disk_full(self, content, frame):
        raise duckdb.IOException("IO Error: No space left on device")

    monkeypatch.setattr(ResultsStore, "_hashes_of_schema_1", disk_full)
    with pytest.raises(StoreError) as info:
        ResultsStore(path)
    assert "Datenträger voll" in info.value.message
    monkeypatch.undo()
    assert file_digest(path) == digest
    assert not Path(f"{path}.wal").exists()
    con = duckdb.connect(str(path), read_only=True, config=CONNECTION_CONFIG)
    try:
        assert con.execute("SELECT value FROM meta").fetchall() == [("1",)]
        columns = [r[0] for r in con.execute("DESCRIBE runs").fetchall()]
    finally:
        con.close()
    assert "input_sha256" not in columns
    after = _tables(path)
    for table, frame in before.items():
        pd.testing.assert_frame_equal(after[table], frame, obj=table)


def test_schema_2_store_gets_the_analysis_tables_and_keeps_every_run(master, tmp_path):
    path = tmp_path / "v2.duckdb"
    shutil.copy(master, path)
    con = duckdb.connect(str(path), config=CONNECTION_CONFIG)
    for table in NEW_IN_3:
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE meta SET value = '2'")
    con.close()
    before = _tables(path)
    with pytest.raises(StoreError, match="ältere Schema 2"):
        ResultsStore(path, read_only=True)
    with ResultsStore(path) as store:
        store.write_analysis("a1", "sensitivity", A, None, ["b"], {"n": 1}, {"ok": True})
        assert store.analyses()["kind"].tolist() == ["sensitivity"]
    after = _tables(path)
    for table, frame in before.items():
        pd.testing.assert_frame_equal(after[table], frame, obj=table)
