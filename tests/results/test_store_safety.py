"""Opening a results store is checked completely before anything is written (issue 10).

Before, a store of an older schema (a column missing) ended in a traceback after
``batch`` had written its batch row; a foreign DuckDB file was silently filled with
the tool's tables; an SQLite file made DuckDB try to download an extension; a
truncated or bit-flipped file, a FIFO, a directory or a symlink loop gave a
traceback or a misleading message.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from experiments import plan_batch, run_batch
from results.schema import CONNECTION_CONFIG, SCHEMA_VERSION, expected_schema
from results.store import ResultsStore
from results.store_files import StoreError, duckdb_reason
from tests.bad_days.harness import file_digest


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "ergebnisse.duckdb"
    plan = plan_batch(["lueneburg-status-quo"], 2, years=1, scale=0.1)
    with ResultsStore(path) as store:
        assert run_batch(plan, store).complete
    return path


@pytest.fixture
def store_copy(master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "ergebnisse.duckdb"
    shutil.copy(master, path)
    return path


def _alter(path: Path, *sql: str) -> str | None:
    """Change a store with plain DuckDB (as an older program version would have left it)."""
    con = duckdb.connect(str(path), config=CONNECTION_CONFIG)
    try:
        for statement in sql:
            con.execute(statement)
    finally:
        con.close()
    return file_digest(path)


def _refused(path: Path, *, read_only: bool) -> StoreError:
    with pytest.raises(StoreError) as info:
        ResultsStore(path, read_only=read_only)
    return info.value


def _last_columns() -> list[tuple[str, str]]:
    """One column of every table: its last (never part of a primary key)."""
    return [(table, columns[-1][0]) for table, columns in sorted(expected_schema().items())]


@pytest.mark.parametrize(("table", "column"), _last_columns())
@pytest.mark.parametrize("read_only", [False, True])
def test_regression_older_schema_gives_traceback_and_batch_row(
    store_copy, table, column, read_only
):
    """A store without one of the columns the tool needs is refused, unchanged."""
    digest = _alter(store_copy, f"ALTER TABLE {table} DROP COLUMN {column}")
    err = _refused(store_copy, read_only=read_only)
    assert err.field == f"{table}.{column}"
    assert "älteren Programmversion" in err.message and "--store" in err.message
    assert file_digest(store_copy) == digest
    assert not Path(f"{store_copy}.wal").exists()


@pytest.mark.parametrize("table", sorted(set(expected_schema()) - {"meta"}))
def test_missing_table_is_refused(store_copy, table):
    digest = _alter(store_copy, f"DROP TABLE {table}")
    err = _refused(store_copy, read_only=False)
    assert err.field == table and f"Tabelle {table} fehlt" in err.message
    assert file_digest(store_copy) == digest


def test_column_of_another_type_is_refused(store_copy):
    digest = _alter(store_copy, "ALTER TABLE runs ALTER seed TYPE VARCHAR")
    err = _refused(store_copy, read_only=True)
    assert err.field == "runs.seed" and "Typ VARCHAR statt BIGINT" in err.message
    assert file_digest(store_copy) == digest


@pytest.mark.parametrize(
    ("value", "expect"),
    [
        (str(SCHEMA_VERSION - 1), "ältere Schema"),
        (str(SCHEMA_VERSION + 1), "neuere Schema"),
        ("abc", "keine Versionsnummer"),
    ],
)
def test_schema_version_is_checked(store_copy, value, expect):
    digest = _alter(store_copy, f"UPDATE meta SET value = '{value}'")
    err = _refused(store_copy, read_only=False)
    assert err.field == "meta.schema_version" and expect in err.message
    assert file_digest(store_copy) == digest


def test_regression_foreign_duckdb_file_is_filled_with_tables(tmp_path):
    """A DuckDB database of another program is refused and gets no table."""
    path = tmp_path / "kunden.duckdb"
    digest = _alter(path, "CREATE TABLE kunden (id INTEGER, name VARCHAR)")
    err = _refused(path, read_only=False)
    assert "anderen Programms" in err.message and "kunden" in err.message
    assert file_digest(path) == digest
    con = duckdb.connect(str(path), read_only=True)
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["kunden"]
    con.close()


def test_empty_duckdb_database_becomes_a_store(tmp_path):
    path = tmp_path / "leer.duckdb"
    duckdb.connect(str(path)).close()
    with ResultsStore(path) as store:
        assert store.done_run_ids() == set()
    with ResultsStore(path, read_only=True) as store:
        assert store.query("SELECT value FROM meta")["value"].tolist() == [str(SCHEMA_VERSION)]


def test_regression_sqlite_file_makes_duckdb_download_an_extension(tmp_path):
    """An SQLite file is refused before DuckDB sees it; no connection autoloads."""
    path = tmp_path / "fremd.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    digest = file_digest(path)
    for read_only in (False, True):
        err = _refused(path, read_only=read_only)
        assert "SQLite" in err.message and "keine Ergebnisdatei" in err.message
    assert file_digest(path) == digest
    with ResultsStore(tmp_path / "neu.duckdb") as store:
        assert store.con is not None
        settings = dict(
            store.con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('autoload_known_extensions', 'autoinstall_known_extensions')"
            ).fetchall()
        )
    assert settings == {
        "autoload_known_extensions": "false",
        "autoinstall_known_extensions": "false",
    }


def _special(kind: str, tmp_path: Path) -> Path:
    if kind == "fifo":
        path = tmp_path / "fifo.duckdb"
        os.mkfifo(path)
    elif kind == "verzeichnis":
        path = tmp_path / "ordner.duckdb"
        path.mkdir()
    elif kind == "schleife":
        path = tmp_path / "schleife.duckdb"
        path.symlink_to(path)
    elif kind == "geraet":
        path = Path("/dev/zero")
    elif kind == "leer":
        path = tmp_path / "leer.duckdb"
        path.touch()
    else:
        path = tmp_path / "notiz.duckdb"
        path.write_text("kein DuckDB\n")
    return path


@pytest.mark.parametrize(
    ("kind", "expect"),
    [
        ("fifo", "keine gewöhnliche Datei"),
        ("verzeichnis", "ist ein Verzeichnis"),
        ("schleife", "Symlink-Schleife"),
        ("geraet", "keine gewöhnliche Datei"),
        ("leer", "leere Datei"),
        ("text", "kein DuckDB-Format"),
    ],
)
@pytest.mark.parametrize("read_only", [False, True])
def test_store_path_that_is_no_store_file(tmp_path, kind, expect, read_only):
    path = _special(kind, tmp_path)
    err = _refused(path, read_only=read_only)  # a FIFO would block if it were opened
    assert expect in err.message


def _read_everything(path: Path) -> None:
    with ResultsStore(path, read_only=True) as store:
        for table in expected_schema():
            store.query(f"SELECT * FROM {table}")


def test_regression_truncated_or_bit_flipped_store_gives_traceback(master, tmp_path):
    """Every truncation and many single bit flips: a StoreError or a readable store."""
    data = master.read_bytes()
    path = tmp_path / "kaputt.duckdb"
    refused = 0
    cuts = [12, 4096, 12288, 20000, len(data) // 3, len(data) // 2, len(data) - 4096]
    flips = [0, 3, 9, 4096 + 100, 8192 + 100, 12288 + 50, *range(20000, len(data), 97_001)]
    variants = [data[:n] for n in cuts]
    for offset in flips:
        flipped = bytearray(data)
        flipped[offset] ^= 0x10
        variants.append(bytes(flipped))
    for variant in variants:
        path.write_bytes(variant)
        try:
            _read_everything(path)
        except StoreError as err:
            refused += 1
            assert "Fehler:" in err.cli_line()
            assert any(
                word in err.message
                for word in ("abgeschnitten", "Prüfsumme", "DuckDB-Format", "nicht mehr nutzbar")
            ), err.message
            assert path.read_bytes() == variant
    assert refused >= len(cuts) + 6  # every cut and every flip in a header is found


def test_close_twice_and_use_after_close(store_copy):
    store = ResultsStore(store_copy, read_only=True)
    store.close()
    store.close()
    with pytest.raises(StoreError):
        store.runs()


def test_store_locked_by_another_process(store_copy):
    """A store another process writes to: a clear German line, not DuckDB's text."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('bereit', "
            "flush=True); time.sleep(60)",
            str(store_copy),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "bereit"
        for read_only in (False, True):
            err = _refused(store_copy, read_only=read_only)
            assert "wird gerade von einem anderen Prozess benutzt" in err.message
            assert "Could not" not in err.cli_line()
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            duckdb.IOException('Could not write file "s.duckdb.wal": No space left on device'),
            "Datenträger voll",
        ),
        (
            duckdb.TransactionException(
                'Failed to commit: Could not write file "s.duckdb.wal": File too large'
            ),
            "Dateigrößengrenze",
        ),
        (duckdb.IOException("Could not set lock on file"), "anderen Prozess"),
        (duckdb.Error("Corrupt database file: computed checksum 1 does not match"), "Prüfsumme"),
        (OSError(28, "No space left on device"), "Datenträger voll"),
        (OSError(122, "Disk quota exceeded"), "Speicherkontingent"),
        (duckdb.ConversionException("Could not convert string 'x' to DOUBLE"), None),
        (duckdb.CatalogException("Table with name nix does not exist"), None),
    ],
)
def test_storage_failures_are_told_in_german(error, reason):
    """Full disk, size limit, lock, corruption: German; query and type errors: not storage."""
    found = duckdb_reason(error)
    assert found is None if reason is None else reason in found
