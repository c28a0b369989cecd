"""Bad-input catalogue of the results store and the exports (issue 10, part B).

Before, a store of an older schema ended in a traceback after ``batch`` had written
its batch row; a truncated or bit-flipped store, a FIFO, a directory or a symlink
loop as ``--store`` gave tracebacks or "Datei nicht gefunden"; a foreign DuckDB file
was silently filled with the tool's tables; an SQLite file made DuckDB try to
download an extension; an export into an unwritable directory ended in a traceback
(the temporary file was created outside the error handling); a full disk during a
batch gave two tracebacks. Now each case below ends with exit 2 and one German
``Fehler:`` line naming the file (and the field where there is one), and the case's
working folder (the store, an earlier export, hidden files included) is byte for
byte unchanged. A full disk during a batch keeps every finished run and the same
command resumes (:data:`WRITE_CASES`).
"""

from __future__ import annotations

import dataclasses
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from results.export import TEMP_MARK
from results.store import CONNECTION_CONFIG, ResultsStore
from tests.bad_days.harness import (
    ROOT,
    Case,
    Outcome,
    assert_clear_input_error,
    run_case,
    tree_digest,
)

STORE = "ergebnisse.duckdb"
"""The small real store the ``small_store`` fixture puts into each case's folder."""

LOCKED = "gesperrt"
"""Name of the folder a case makes unwritable."""

A, B = "lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"
SMALL = ["--replicates", "1", "--years", "1", "--scale", "0.1", "--workers", "1"]
FULL_BATCH = [
    "batch",
    A,
    B,
    "--replicates",
    "4",
    "--years",
    "1",
    "--scale",
    "0.1",
    "--workers",
    "2",
]
"""Four runs more than the small store holds, on two worker processes."""


# --------------------------------------------------------------------------- files


def _variant(name: str, *sql: str) -> Callable[[Path], None]:
    """Writes ``name``: the small store changed with plain DuckDB."""

    def write(workdir: Path) -> None:
        shutil.copy(workdir / STORE, workdir / name)
        con = duckdb.connect(str(workdir / name), config=CONNECTION_CONFIG)
        try:
            for statement in sql:
                con.execute(statement)
        finally:
            con.close()

    return write


def _foreign(workdir: Path) -> None:
    con = duckdb.connect(str(workdir / "kunden.duckdb"), config=CONNECTION_CONFIG)
    con.execute("CREATE TABLE kunden (id INTEGER, name VARCHAR)")
    con.execute("INSERT INTO kunden VALUES (1, 'Muster')")
    con.close()


def _sqlite(workdir: Path) -> None:
    con = sqlite3.connect(workdir / "fremd.db")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()


def _truncated(workdir: Path) -> None:
    data = (workdir / STORE).read_bytes()
    (workdir / "halb.duckdb").write_bytes(data[: len(data) // 2])


def _bit_flipped(workdir: Path) -> None:
    data = bytearray((workdir / STORE).read_bytes())
    data[4096 + 100] ^= 0x10  # in the first database header
    (workdir / "kippbit.duckdb").write_bytes(bytes(data))


def _fifo(workdir: Path) -> None:
    os.mkfifo(workdir / "fifo.duckdb")


def _folder(name: str) -> Callable[[Path], None]:
    return lambda workdir: (workdir / name).mkdir()


def _loop(name: str) -> Callable[[Path], None]:
    return lambda workdir: (workdir / name).symlink_to(workdir / name)


def _empty(workdir: Path) -> None:
    (workdir / "leer.duckdb").touch()


def _locked_folder(workdir: Path) -> None:
    """A folder nobody can write into: immutable for root, read-only otherwise."""
    folder = workdir / LOCKED
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return
    if shutil.which("chattr") is None:
        pytest.skip("als root braucht ein unbeschreibbarer Ordner chattr")
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("Dateisystem erlaubt kein chattr +i")


def _unlock(workdir: Path) -> None:
    folder = workdir / LOCKED
    if not folder.exists():
        return
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


def _earlier_export(fmt: str, out: str) -> Callable[[Path], None]:
    """An earlier, complete export that a failing export must leave as it is."""

    def write(workdir: Path) -> None:
        from cli.main import main

        argv = ["export", "--store", str(workdir / STORE), "--format", fmt]
        assert main([*argv, "--out", str(workdir / out), "--szenario", A]) == 0

    return write


# --------------------------------------------------------------------------- cases


def _batch(store: str) -> Callable[[Path], list[str]]:
    return lambda w: ["batch", A, *SMALL, "--store", str(w / store)]


def _compare(store: str) -> Callable[[Path], list[str]]:
    return lambda w: ["compare", A, B, "--replicates", "2", *SMALL[2:], "--store", str(w / store)]


def _export(store: str, fmt: str, out: str) -> Callable[[Path], list[str]]:
    """``export``; ``{w}`` in ``out`` is the case's working folder."""
    return lambda w: [
        "export",
        "--store",
        str(w / store) if not store.startswith("/") else store,
        "--format",
        fmt,
        "--out",
        out.replace("{w}", str(w)),
    ]


OLD_COLUMN = ("alt.duckdb", "Feld runs.worker", "älteren Programmversion", "--store")

CASES = [
    Case(
        "alte-spalte-batch",
        "batch auf einer Ergebnisdatei einer älteren Version (Spalte runs.worker fehlt)",
        _batch("alt.duckdb"),
        OLD_COLUMN,
        setup=_variant("alt.duckdb", "ALTER TABLE runs DROP COLUMN worker"),
    ),
    Case(
        "alte-spalte-compare",
        "compare auf einer Ergebnisdatei einer älteren Version (Spalte runs.worker fehlt)",
        _compare("alt.duckdb"),
        OLD_COLUMN,
        setup=_variant("alt.duckdb", "ALTER TABLE runs DROP COLUMN worker"),
    ),
    Case(
        "alte-spalte-export",
        "export aus einer Ergebnisdatei einer älteren Version (Spalte runs.worker fehlt)",
        _export("alt.duckdb", "csv", "{w}/csv"),
        OLD_COLUMN,
        setup=_variant("alt.duckdb", "ALTER TABLE runs DROP COLUMN worker"),
    ),
    Case(
        "alte-tabelle-batch",
        "batch auf einer Ergebnisdatei ohne Tabelle providers",
        _batch("alt.duckdb"),
        ("alt.duckdb", "Feld providers", "Tabelle providers fehlt", "älteren Programmversion"),
        setup=_variant("alt.duckdb", "DROP TABLE providers"),
    ),
    Case(
        "alte-schemaversion-batch",
        "batch auf einer Ergebnisdatei mit meta.schema_version 0",
        _batch("v0.duckdb"),
        ("v0.duckdb", "Feld meta.schema_version", "ältere Schema 0", "--store"),
        setup=_variant("v0.duckdb", "UPDATE meta SET value = '0'"),
    ),
    Case(
        "neuere-schemaversion-export",
        "export aus einer Ergebnisdatei mit meta.schema_version 99",
        _export("v99.duckdb", "xlsx", "{w}/e.xlsx"),
        ("v99.duckdb", "Feld meta.schema_version", "neuere Schema 99", "aktualisieren"),
        setup=_variant("v99.duckdb", "UPDATE meta SET value = '99'"),
    ),
    Case(
        "schemaversion-kaputt-batch",
        "batch auf einer Ergebnisdatei mit meta.schema_version „abc“",
        _batch("vabc.duckdb"),
        ("vabc.duckdb", "Feld meta.schema_version", "„abc“ ist keine Versionsnummer"),
        setup=_variant("vabc.duckdb", "UPDATE meta SET value = 'abc'"),
    ),
    Case(
        "fremde-duckdb-batch",
        "batch auf einer DuckDB-Datei eines anderen Programms (Tabelle kunden)",
        _batch("kunden.duckdb"),
        ("kunden.duckdb", "anderen Programms", "kunden", "--store"),
        setup=_foreign,
    ),
    Case(
        "fremde-duckdb-export",
        "export aus einer DuckDB-Datei eines anderen Programms",
        _export("kunden.duckdb", "csv", "{w}/csv"),
        ("kunden.duckdb", "anderen Programms"),
        setup=_foreign,
    ),
    Case(
        "sqlite-batch",
        "batch auf einer SQLite-Datei (DuckDB lud früher eine Erweiterung aus dem Netz)",
        _batch("fremd.db"),
        ("fremd.db", "SQLite-Datenbank", "keine Ergebnisdatei"),
        setup=_sqlite,
    ),
    Case(
        "sqlite-export",
        "export aus einer SQLite-Datei",
        _export("fremd.db", "xlsx", "{w}/e.xlsx"),
        ("fremd.db", "SQLite-Datenbank", "keine Ergebnisdatei"),
        setup=_sqlite,
    ),
    Case(
        "abgeschnitten-export",
        "export aus einer auf die Hälfte abgeschnittenen Ergebnisdatei",
        _export("halb.duckdb", "csv", "{w}/csv"),
        ("halb.duckdb", "unvollständig (abgeschnitten)", "Sicherung"),
        setup=_truncated,
    ),
    Case(
        "abgeschnitten-batch",
        "batch auf einer auf die Hälfte abgeschnittenen Ergebnisdatei",
        _batch("halb.duckdb"),
        ("halb.duckdb", "unvollständig (abgeschnitten)"),
        setup=_truncated,
    ),
    Case(
        "kippbit-export",
        "export aus einer Ergebnisdatei mit einem gekippten Bit im Kopf",
        _export("kippbit.duckdb", "csv", "{w}/csv"),
        ("kippbit.duckdb", "beschädigt (Prüfsumme stimmt nicht)", "Sicherung"),
        setup=_bit_flipped,
    ),
    Case(
        "kippbit-batch",
        "batch auf einer Ergebnisdatei mit einem gekippten Bit im Kopf",
        _batch("kippbit.duckdb"),
        ("kippbit.duckdb", "beschädigt (Prüfsumme stimmt nicht)"),
        setup=_bit_flipped,
    ),
    Case(
        "fifo-batch",
        "batch mit einer FIFO als --store (öffnen würde blockieren)",
        _batch("fifo.duckdb"),
        ("fifo.duckdb", "keine gewöhnliche Datei"),
        setup=_fifo,
    ),
    Case(
        "fifo-export",
        "export mit einer FIFO als --store",
        _export("fifo.duckdb", "csv", "{w}/csv"),
        ("fifo.duckdb", "keine gewöhnliche Datei"),
        setup=_fifo,
    ),
    Case(
        "dev-zero-export",
        "export mit /dev/zero als --store",
        _export("/dev/zero", "csv", "{w}/csv"),
        ("/dev/zero", "keine gewöhnliche Datei"),
    ),
    Case(
        "verzeichnis-batch",
        "batch mit einem Verzeichnis als --store",
        _batch("ordner.duckdb"),
        ("ordner.duckdb", "ist ein Verzeichnis"),
        setup=_folder("ordner.duckdb"),
    ),
    Case(
        "symlink-schleife-batch",
        "batch mit einer Symlink-Schleife als --store",
        _batch("schleife.duckdb"),
        ("schleife.duckdb", "Symlink-Schleife"),
        setup=_loop("schleife.duckdb"),
    ),
    Case(
        "symlink-schleife-export",
        "export mit einer Symlink-Schleife als --store",
        _export("schleife.duckdb", "csv", "{w}/csv"),
        ("schleife.duckdb", "Symlink-Schleife"),
        setup=_loop("schleife.duckdb"),
    ),
    Case(
        "leere-datei-batch",
        "batch mit einer leeren Datei als --store",
        _batch("leer.duckdb"),
        ("leer.duckdb", "leere Datei"),
        setup=_empty,
    ),
    Case(
        "export-xlsx-schreibgeschuetzt",
        "XLSX-Export in ein Verzeichnis, in das niemand schreiben darf",
        _export(STORE, "xlsx", f"{{w}}/{LOCKED}/e.xlsx"),
        (f"{LOCKED}/e.xlsx", "Feld --out", "kann nicht geschrieben werden", "keine Berechtigung"),
        setup=_locked_folder,
    ),
    Case(
        "export-csv-schreibgeschuetzt",
        "CSV-Export in ein Verzeichnis, in das niemand schreiben darf",
        _export(STORE, "csv", f"{{w}}/{LOCKED}/csv"),
        (f"{LOCKED}/csv", "Feld --out", "keine Berechtigung"),
        setup=_locked_folder,
    ),
    Case(
        "export-sys",
        "XLSX-Export nach /sys (auch für root unbeschreibbar)",
        _export(STORE, "xlsx", "/sys/ergebnisse.xlsx"),
        ("/sys/ergebnisse.xlsx", "Feld --out", "keine Berechtigung"),
    ),
    Case(
        "export-csv-auf-datei",
        "CSV-Export mit einer Datei als --out",
        _export(STORE, "csv", "{w}/" + STORE),
        (STORE, "Feld --out", "ist eine Datei"),
    ),
    Case(
        "export-fremder-ordner",
        "CSV-Export in einen Ordner mit anderen Dateien (er würde als Ganzes ersetzt)",
        _export(STORE, "csv", "{w}"),
        ("Feld --out", "enthält andere Dateien", STORE, "leeres oder neues Verzeichnis"),
    ),
    Case(
        "export-anderes-format",
        "Parquet-Export in den Ordner eines CSV-Exports",
        _export(STORE, "parquet", "{w}/csv"),
        ("csv", "Feld --out", "früheren Parquet-Export", "closings.csv"),
        setup=_earlier_export("csv", "csv"),
    ),
    Case(
        "export-xlsx-auf-ordner",
        "XLSX-Export auf einen Ordner namens e.xlsx",
        _export(STORE, "xlsx", "{w}/e.xlsx"),
        ("e.xlsx", "Feld --out", "ist ein Verzeichnis"),
        setup=_folder("e.xlsx"),
    ),
    Case(
        "export-symlink-schleife",
        "Export mit einer Symlink-Schleife als --out",
        _export(STORE, "csv", "{w}/schleife"),
        ("schleife", "Feld --out", "Symlink-Schleife"),
        setup=_loop("schleife"),
    ),
    Case(
        "export-ohne-verzeichnis",
        "XLSX-Export in ein Verzeichnis, das es nicht gibt",
        _export(STORE, "xlsx", "{w}/fehlt/e.xlsx"),
        ("fehlt/e.xlsx", "Feld --out", "Verzeichnis gibt es nicht"),
    ),
    Case(
        "export-csv-dateigroesse",
        "CSV-Export über einen früheren, bei voller Platte (Dateigrößengrenze 100 kB)",
        _export(STORE, "csv", "{w}/csv"),
        ("csv", "Feld --out", "kann nicht geschrieben werden", "Dateigrößengrenze"),
        setup=_earlier_export("csv", "csv"),
        subprocess=True,
        env={"SOZIALRAUM_TEST_FSIZE": "100000"},
    ),
    Case(
        "export-xlsx-dateigroesse",
        "XLSX-Export über einen früheren, bei voller Platte (Dateigrößengrenze 60 kB)",
        _export(STORE, "xlsx", "{w}/e.xlsx"),
        ("e.xlsx", "Feld --out", "Dateigrößengrenze"),
        setup=_earlier_export("xlsx", "e.xlsx"),
        subprocess=True,
        env={"SOZIALRAUM_TEST_FSIZE": "60000"},
    ),
]
"""Refused inputs: the case's folder stays byte for byte as it was."""

WRITE_CASES = [
    Case(
        "batch-platte-voll",
        "batch mit 2 Prozessen, dessen Ergebnisdatei unterwegs an die Dateigrößengrenze "
        "(300 kB) stößt",
        lambda w: [*FULL_BATCH, "--store", str(w / STORE)],
        (STORE, "kann nicht geschrieben werden", "Dateigrößengrenze", "derselbe Befehl setzt"),
        subprocess=True,
        env={"SOZIALRAUM_TEST_FSIZE": "300000"},
    ),
]
"""A store that fills up while a batch runs: finished runs kept, the batch resumes."""


# --------------------------------------------------------------------------- running


def _run_with_file_size_limit(case: Case, workdir: Path) -> Outcome:
    """Run a case in its own process whose files may not grow beyond the limit.

    ``RLIMIT_FSIZE`` makes every write beyond the limit fail with ``EFBIG`` (Python
    ignores ``SIGXFSZ``), which is what a full disk looks like to the program.
    """
    limit = int(case.env["SOZIALRAUM_TEST_FSIZE"])

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-m", "cli", *case.argv(workdir)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=case.timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=limit_files,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def _run(case: Case, workdir: Path, capsys: pytest.CaptureFixture[str]) -> Outcome:
    if "SOZIALRAUM_TEST_FSIZE" in case.env:
        return _run_with_file_size_limit(case, workdir)
    return run_case(dataclasses.replace(case, setup=None), workdir, capsys)


@pytest.mark.parametrize("case", CASES, ids=[c.ident for c in CASES])
def test_store_and_export_refuse_bad_input(
    case: Case, small_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each bad input: exit 2, one ``Fehler:`` line, the folder unchanged, no leftovers."""
    workdir = small_store.parent
    try:
        if case.setup is not None:
            case.setup(workdir)
            capsys.readouterr()
        before = tree_digest(workdir)
        outcome = _run(case, workdir, capsys)
        after = tree_digest(workdir)
    finally:
        _unlock(workdir)
    assert_clear_input_error(
        outcome, *(e.replace("{w}", str(workdir)) for e in case.expect), lines=case.lines
    )
    assert after == before  # the stores, an earlier export, hidden files: all as they were
    assert not [p for p in workdir.rglob("*") if TEMP_MARK in p.name]


def _stored(path: Path) -> tuple[int, int, int]:
    with ResultsStore(path, read_only=True) as store:
        runs = store.query("SELECT count(*) AS n, count(DISTINCT run_id) AS d FROM runs")
        dup = store.query(
            "SELECT count(*) AS n FROM (SELECT run_id, year, month, region, metric, count(*) c "
            "FROM results GROUP BY ALL HAVING c > 1)"
        )
    return int(runs["n"][0]), int(runs["d"][0]), int(dup["n"][0])


@pytest.mark.parametrize("case", WRITE_CASES, ids=[c.ident for c in WRITE_CASES])
def test_regression_full_disk_during_batch_gives_two_tracebacks(
    case: Case, small_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full disk mid-batch: one German line, exit 2, runs kept, the batch resumes."""
    before, _, _ = _stored(small_store)
    outcome = _run(case, small_store.parent, capsys)
    assert_clear_input_error(outcome, *case.expect, lines=case.lines)
    kept, distinct, duplicates = _stored(small_store)
    assert kept == distinct and duplicates == 0
    assert before <= kept < before + 4  # some, not all, of the new runs were stored
    resumed = _run(dataclasses.replace(case, env={}, subprocess=True), small_store.parent, capsys)
    assert resumed.code == 0, resumed.err
    assert f"{kept} schon gespeichert" in resumed.out
    assert _stored(small_store) == (before + 4, before + 4, 0)  # every run exactly once
