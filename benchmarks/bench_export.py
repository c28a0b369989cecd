"""Benchmark: exporting a store of 500 Lüneburg runs to XLSX (target: under 30 s on 2 cores).

Builds the store with a real batch (the status quo and the RB2-20 % variant with
retention, half of the runs each; default five years at a tenth of the population:
the rows, not the scale, make an export slow) and exports it the ways a user does:

* ``sozialraum export --format xlsx`` as a command (wall clock, interpreter start
  included) and as the function (wall clock and CPU time of the process),
* ``--format xlsx --aggregiert`` and ``--format csv`` as commands.

Prints the time to build the store, every export's time, the rows of each sheet,
file sizes and the notes the command prints (split sheets, CSV files too long for
Excel). A store given with ``--store`` is reused if it holds enough finished runs.

Usage::

    python benchmarks/bench_export.py [--runs 500] [--years 5] [--scale 0.1]
        [--workers 2] [--store out/bench-export.duckdb]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCENARIOS = ["lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"]


def de(x: float, digits: int = 1) -> str:
    """A number the German way (``1.234,5``)."""
    text = f"{x:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def build(store_path: Path, runs: int, years: int, scale: float, workers: int) -> None:
    from experiments import plan_batch, run_batch
    from results import ResultsStore

    if store_path.exists():
        with ResultsStore(store_path, read_only=True) as store:
            done = int(store.query("SELECT count(*) AS n FROM runs WHERE status = 'done'")["n"][0])
        if done >= runs:
            print(f"Speicher {store_path}: {done} fertige Läufe, wird wiederverwendet")
            return
    t0 = time.perf_counter()
    plan = plan_batch(SCENARIOS, max(1, runs // len(SCENARIOS)), years=years, scale=scale)
    planned = time.perf_counter() - t0
    with ResultsStore(store_path) as store:
        report = run_batch(plan, store, workers=workers)
    assert report.complete, report.failed
    total = time.perf_counter() - t0
    print(
        f"Speicher gebaut: {len(plan.runs)} Läufe ({', '.join(SCENARIOS)}), {years} Jahre, "
        f"Maßstab {de(scale, 2)}, {workers} Worker: {de(total)} s (davon Planung {de(planned)} s)"
    )


def command(*args: str) -> tuple[float, str]:
    """Run ``sozialraum …`` as a user does; (seconds, its output)."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"sozialraum {' '.join(args)} endete mit {done.returncode}: {done.stderr}")
    return seconds, done.stdout


def sheet_rows(path: Path) -> list[tuple[str, int, int]]:
    """(sheet, rows below the heading, columns) of every sheet of a workbook."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [(ws.title, (ws.max_row or 1) - 1, ws.max_column or 0) for ws in book.worksheets]
    finally:
        book.close()


def size_mb(path: Path) -> str:
    if path.is_dir():
        total = sum(p.stat().st_size for p in path.iterdir())
    else:
        total = path.stat().st_size
    return f"{de(total / 1e6)} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--store", type=Path, default=None, help="Speicher (wird wiederverwendet)")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} Kerne, Last {os.getloadavg()[0]:.1f}")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store_path = args.store or folder / "bench-export.duckdb"
        build(store_path, args.runs, args.years, args.scale, args.workers)

        from results import ResultsStore, export_results

        with ResultsStore(store_path, read_only=True) as store:
            counts = store.query(
                "SELECT count(*) FILTER (WHERE month = 0) AS yearly, count(*) AS total "
                "FROM results WHERE run_id IN (SELECT run_id FROM runs WHERE status = 'done')"
            )
            runs = int(store.query("SELECT count(*) AS n FROM runs WHERE status = 'done'")["n"][0])
            print(
                f"{runs} Läufe: {de(int(counts['yearly'][0]), 0)} Jahreswerte, "
                f"{de(int(counts['total'][0]), 0)} Zeilen in results"
            )
            xlsx = folder / "funktion.xlsx"
            t0, c0 = time.perf_counter(), time.process_time()
            export_results(store, "xlsx", xlsx)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"XLSX (Funktion):          {de(wall)} s, CPU {de(cpu)} s, {size_mb(xlsx)}")

        store_arg = ["--store", str(store_path)]
        out = folder / "befehl.xlsx"
        seconds, text = command("export", *store_arg, "--format", "xlsx", "--out", str(out))
        print(f"XLSX (Befehl):            {de(seconds)} s, {size_mb(out)}")
        for name, rows, cols in sheet_rows(out):
            print(f"  Blatt {name!r}: {de(rows, 0)} Zeilen, {cols} Spalten")
        for line in text.splitlines():
            if line.startswith("Hinweis"):
                print(f"  {line}")

        agg = folder / "aggregiert.xlsx"
        seconds, _ = command(
            "export", *store_arg, "--format", "xlsx", "--aggregiert", "--out", str(agg)
        )
        print(f"XLSX --aggregiert:        {de(seconds)} s, {size_mb(agg)}")

        csv = folder / "csv"
        seconds, text = command("export", *store_arg, "--format", "csv", "--out", str(csv))
        print(f"CSV (Befehl):             {de(seconds)} s, {size_mb(csv)}")
        for line in text.splitlines():
            if line.startswith("Hinweis"):
                print(f"  {line}")
    print(f"Last am Ende {os.getloadavg()[0]:.1f} (andere Prozesse verlängern die Zeiten)")


if __name__ == "__main__":
    main()
