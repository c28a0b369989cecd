"""``sozialraum scenarios | batch | compare | export`` with the real engine and store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cli.main import main
from experiments import plan_batch, results_frame, run_batch
from results.store import ResultsStore
from scenarios.loader import list_scenarios
from tests.fixtures.calibrations import fitted_kreis
from tests.scenarios.test_error_catalogue import CASES, Case, Workspace

A, B = "lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"
SMALL = ["--years", "2", "--scale", "0.1"]
ROOT = Path(__file__).resolve().parents[2]


def batch_args(store: Path, *extra: str, replicates: int = 2) -> list[str]:
    return ["batch", A, B, "--replicates", str(replicates), *SMALL, "--store", str(store), *extra]


def test_scenarios_lists_the_library(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in list_scenarios():
        assert name in out
    assert "lueneburg:" in out


def test_batch_then_again_is_a_no_op(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    assert main(batch_args(store, "--workers", "1")) == 0
    out = capsys.readouterr().out
    assert "4 Läufe geplant, 0 schon gespeichert" in out
    assert "Fertig: 4 Läufe gerechnet" in out
    assert main(batch_args(store, "--workers", "1")) == 0
    assert "4 schon gespeichert, 0 zu rechnen" in capsys.readouterr().out
    with ResultsStore(store, read_only=True) as s:
        assert len(s.runs()) == 4


def _spawn(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for_saved(proc: subprocess.Popen[str], n: int, timeout: float = 120.0) -> int:
    saved = 0
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while saved < n:
        assert time.monotonic() < deadline, "Batch speichert keine Läufe"
        line = proc.stdout.readline()
        assert line, f"Batch endete zu früh: {proc.stderr.read() if proc.stderr else ''}"
        saved += " gespeichert: " in line
    return saved


def test_killed_batch_resumes_and_equals_an_uninterrupted_one(tmp_path):
    store = tmp_path / "s.duckdb"
    args = batch_args(store, "--workers", "2", replicates=15)
    proc = _spawn(args)
    _wait_for_saved(proc, 3)
    os.killpg(proc.pid, signal.SIGKILL)  # the batch and its workers, without warning
    proc.wait(timeout=30)
    plan = plan_batch([A, B], 15, years=2, scale=0.1)
    with ResultsStore(store, read_only=True) as s:
        stored_before = s.done_run_ids()
    assert 3 <= len(stored_before) < len(plan.runs)

    again = subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    assert f"{len(stored_before)} schon gespeichert" in again.stdout
    with ResultsStore(store, read_only=True) as s:
        runs = s.runs()
        resumed = results_frame(s, plan)
    assert sorted(runs["run_id"]) == sorted(plan.run_ids)  # each run once
    assert (runs["status"] == "done").all()

    with ResultsStore(tmp_path / "ref.duckdb") as s:
        run_batch(plan, s, workers=1)
        reference = results_frame(s, plan)
    pd.testing.assert_frame_equal(resumed, reference)


def test_sigterm_stops_cleanly_with_exit_130(tmp_path):
    store = tmp_path / "s.duckdb"
    args = batch_args(store, "--workers", "2", replicates=15)
    proc = _spawn(args)
    _wait_for_saved(proc, 2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Abgebrochen:" in err and "Derselbe Befehl setzt fort" in err
    assert "Traceback" not in err
    with ResultsStore(store, read_only=True) as s:
        assert len(s.done_run_ids()) >= 2


@pytest.fixture(scope="module")
def stored_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one finished batch (copied for each test that needs it)."""
    store = tmp_path_factory.mktemp("vorlage") / "s.duckdb"
    plan = plan_batch([A], 1, years=2, scale=0.1)
    with ResultsStore(store) as s:
        run_batch(plan, s)
    return store


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_broken_scenario_leaves_the_store_untouched(
    case: Case, tmp_path: Path, stored_batch: Path, capsys: pytest.CaptureFixture[str]
):
    store = tmp_path / "s.duckdb"
    store.write_bytes(stored_batch.read_bytes())
    before = store.read_bytes()
    root = tmp_path / "szenarien"
    root.mkdir()
    path = case.build(Workspace(root))
    code = main(["batch", A, str(path), "--replicates", "1", *SMALL, "--store", str(store)])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.splitlines()
    assert len(lines) == case.lines and all(line.startswith("Fehler: Datei ") for line in lines)
    assert case.fragment in lines[0]
    assert "Traceback" not in captured.err
    assert store.read_bytes() == before
    with ResultsStore(store, read_only=True) as s:
        assert len(s.runs()) == 1


def test_broken_sweep_creates_no_store(tmp_path, capsys):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("grid:\n  budget.regional2_share: [0.1, 1.7]\n", encoding="utf-8")
    store = tmp_path / "neu.duckdb"
    code = main(batch_args(store, "--sweep", str(sweep)))
    err = capsys.readouterr().err
    assert code == 2
    assert "sweep.yaml" in err and "budget.regional2_share" in err
    assert not store.exists()


def test_batch_with_sweep(tmp_path, capsys):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        "grid:\n  budget.regional2_share: [0.1, 0.3]\nlhs:\n  samples: 2\n", encoding="utf-8"
    )
    store = tmp_path / "s.duckdb"
    assert (
        main(
            [
                "batch",
                B,
                "--replicates",
                "1",
                *SMALL,
                "--sweep",
                str(sweep),
                "--store",
                str(store),
                "--workers",
                "1",
            ]
        )
        == 0
    )
    with ResultsStore(store, read_only=True) as s:
        runs = s.runs()
    assert sorted(runs["point_id"]) == ["p000", "p001", "p002", "p003"]
    # one scenario file, four inputs: the content hash as written, the input hash per point
    assert runs["scenario_sha256"].nunique() == 1
    assert runs["input_sha256"].nunique() == 4
    assert '"budget.regional2_share": 0.3' in runs.sort_values("point_id")["point"].iloc[-1]


def test_compare_prints_paired_differences(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    code = main(
        ["compare", A, B, "--replicates", "3", *SMALL, "--store", str(store), "--workers", "1"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert f"Vergleich {B} (B) gegen {A} (A), 3 gepaarte Läufe" in out
    assert "Ausgaben gesamt (€; niedriger ist besser)" in out
    assert "alle Jahre" in out and "90-%-Intervall" in out
    # the runs stay in the store for the next comparison
    with ResultsStore(store, read_only=True) as s:
        assert len(s.runs()) == 6


def test_export_formats(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    assert main(batch_args(store, "--workers", "1")) == 0
    capsys.readouterr()

    assert (
        main(["export", "--store", str(store), "--format", "csv", "--out", str(tmp_path / "csv")])
        == 0
    )
    raw = (tmp_path / "csv" / "results.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())  # BOM for Excel
    text = raw.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header == (
        "Szenario;Punkt;Wiederholung;Region;Kennzahl;Jahr;Monat;Wert;Einheit;Lauf;Kennzahl-Code"
    )
    frame = pd.read_csv(
        tmp_path / "csv" / "results.csv", sep=";", decimal=",", encoding="utf-8-sig"
    )
    assert frame["Wert"].dtype.kind == "f"
    assert any("," in line.split(";")[7] for line in text.splitlines()[1:50])

    assert (
        main(
            ["export", "--store", str(store), "--format", "parquet", "--out", str(tmp_path / "pq")]
        )
        == 0
    )
    runs = pd.read_parquet(tmp_path / "pq" / "runs.parquet")
    assert len(runs) == 4 and set(runs["scenario"]) == {A, B}
    assert len(pd.read_parquet(tmp_path / "pq" / "flows.parquet")) > 0

    xlsx = tmp_path / "ergebnisse.xlsx"
    assert (
        main(
            [
                "export",
                "--store",
                str(store),
                "--format",
                "xlsx",
                "--out",
                str(xlsx),
                "--szenario",
                A,
            ]
        )
        == 0
    )
    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert book.sheetnames == [
        "Hinweise",
        "Übersicht",
        "Übersicht je Punkt",
        "Läufe",
        "Jahreswerte",
    ]
    header = [c.value for c in next(book["Übersicht je Punkt"].iter_rows(max_row=1))]
    assert header[:3] == ["Szenario", "Punkt", "Jahr"] and "Median" in header
    assert book["Läufe"].max_row == 3  # heading + two runs of A


def test_export_errors(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    assert main(["export", "--store", str(store), "--out", str(tmp_path / "x")]) == 2
    assert "nicht gefunden" in capsys.readouterr().err
    assert main(batch_args(store, "--workers", "1", replicates=1)) == 0
    capsys.readouterr()
    assert (
        main(["export", "--store", str(store), "--batch", "abc", "--out", str(tmp_path / "x")]) == 2
    )
    assert "Batch „abc“ nicht gefunden" in capsys.readouterr().err
    assert (
        main(
            ["export", "--store", str(store), "--format", "xlsx", "--out", str(tmp_path / "x.csv")]
        )
        == 2
    )
    assert ".xlsx" in capsys.readouterr().err


def test_exported_files_get_normal_permissions(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    assert main(batch_args(store, "--workers", "1", replicates=1)) == 0
    old = os.umask(0o022)
    try:
        assert (
            main(["export", "--store", str(store), "--format", "csv", "--out", str(tmp_path / "c")])
            == 0
        )
    finally:
        os.umask(old)
    assert (tmp_path / "c" / "runs.csv").stat().st_mode & 0o777 == 0o644


# ------------------------------------------------------------------ a store of schema 1


def _schema_1_store(tmp_path: Path) -> tuple[Path, str]:
    """A store as schema 1 left it (no input hash); returns it and its digest."""
    import duckdb

    from results.schema import CONNECTION_CONFIG
    from tests.bad_days.harness import file_digest

    path = tmp_path / "alt.duckdb"
    with ResultsStore(path) as store:
        assert run_batch(plan_batch([A], 1, years=1, scale=0.1), store).complete
    con = duckdb.connect(str(path), config=CONNECTION_CONFIG)
    con.execute("ALTER TABLE runs DROP COLUMN input_sha256")
    for table in ("analyses", "sensitivity_indices"):  # added in schema 3
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE meta SET value = '1'")
    con.close()
    return path, file_digest(path)


def test_export_of_a_schema_1_store_says_how_to_upgrade_it(tmp_path, capsys):
    from tests.bad_days.harness import file_digest

    path, digest = _schema_1_store(tmp_path)
    code = main(["export", "--store", str(path), "--out", str(tmp_path / "csv")])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fehler:"), err
    assert "alt.duckdb" in lines[0] and "Feld meta.schema_version" in lines[0]
    assert "ältere Schema 1" in lines[0] and "sozialraum batch" in lines[0]
    assert file_digest(path) == digest
    assert not (tmp_path / "csv").exists()


def test_batch_upgrades_a_schema_1_store_and_keeps_its_runs(tmp_path, capsys):
    path, _ = _schema_1_store(tmp_path)
    with_store = ["--store", str(path), "--workers", "1"]
    assert (
        main(["batch", A, "--replicates", "2", "--years", "1", "--scale", "0.1", *with_store]) == 0
    )
    assert "1 schon gespeichert, 1 zu rechnen" in capsys.readouterr().out
    with ResultsStore(path, read_only=True) as s:
        runs = s.runs()
    assert len(runs) == 2 and runs["input_sha256"].notna().all()
    assert main(["export", "--store", str(path), "--out", str(tmp_path / "csv")]) == 0


# ------------------------------------------------------------------ issue 16


def test_regression_compare_help_printed_double_percent(capsys):
    """``compare --help`` printed "90-%%-Intervall": argparse prints a description as
    written (only help texts are %-formatted)."""
    assert main(["compare", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "90-%-Intervall" in out
    assert "%%" not in out
    assert "--region" in out


def test_regression_budget_overrun_years_printed_as_0_000():
    """ "Jahre mit Budgetüberschreitung" (a count of years) printed "0,000"; counts
    show no decimals when whole, money as ``1.234 €``."""
    from cli.batch_commands import fmt_figure, format_comparison

    rows = []
    for metric, label, unit, value in (
        ("overspent", "Jahre mit Budgetüberschreitung", "ja/nein", 0.0),
        ("total_spent", "Ausgaben gesamt", "EUR", 1234567.0),
    ):
        for year in (2026, 0):
            rows.append(
                {
                    "metric": metric,
                    "label": label,
                    "better": "lower",
                    "unit": unit,
                    "year": year,
                    "n_pairs": 5,
                    "median_a": value,
                    "median_b": value,
                    "diff_median": 0.0,
                    "diff_low": 0.0,
                    "diff_high": 0.0,
                    "verdict": "gleich",
                }
            )
    text = format_comparison(pd.DataFrame(rows), "a", "b", 5, width=120)
    assert "0,000" not in text
    block = text[text.index("Jahre mit Budgetüberschreitung") :].splitlines()
    assert block[0] == "Jahre mit Budgetüberschreitung (Jahre; niedriger ist besser)"
    assert block[3].split() == ["2026", "0", "0", "0", "[0;", "0]", "gleich"]
    assert "1.234.567 €" in text
    assert fmt_figure(2.5, "ja/nein") == "2,5"
    assert fmt_figure(0.5, "Monate") == "0,500"


def test_regression_a_batch_with_nothing_to_compute_built_every_run_spec(
    tmp_path, capsys, monkeypatch
):
    """A batch whose runs were all stored still built every run's parameters before
    looking at the store (26 s for 400 runs); the plan now takes the run ids of a
    stored batch with the same recipe and builds only the runs still to compute."""
    import duckdb

    import experiments.plan as plan_module
    from results.schema import CONNECTION_CONFIG

    built: list[int] = []
    real = plan_module.run_spec

    def counted(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan_module, "run_spec", counted)
    store = tmp_path / "s.duckdb"
    args = batch_args(store, "--workers", "1", replicates=3)
    assert main(args) == 0
    assert len(built) == 6  # a new batch: every run built
    first = capsys.readouterr().out
    built.clear()
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "6 schon gespeichert, 0 zu rechnen" in out
    assert built == []  # nothing to compute: nothing built
    assert first.split(":")[0] == out.split(":")[0]  # the same batch id
    # one run lost (e.g. a failed run): only that run is built and computed again
    con = duckdb.connect(str(store), config=CONNECTION_CONFIG)
    lost = con.execute("SELECT run_id FROM runs ORDER BY run_id LIMIT 1").fetchone()[0]
    con.execute("DELETE FROM results WHERE run_id = ?", [lost])
    con.execute("UPDATE runs SET status = 'failed' WHERE run_id = ?", [lost])
    con.close()
    assert main(args) == 0
    assert "5 schon gespeichert, 1 zu rechnen" in capsys.readouterr().out
    assert len(built) == 1
    with ResultsStore(store, read_only=True) as s:
        assert s.done_run_ids() >= {lost} and len(s.runs()) == 6


def test_new_kreis_is_compared_per_sozialraum_from_the_command_line(tmp_path, capsys):
    """Issue 16: the new Kreis's reform variant against its status quo (both files
    extend by path), with cases per Sozialraum and help type and spending per
    Sozialraum and pot; ``--region`` restricts everything to one Sozialraum."""
    from results import paired_by_region
    from scenarios import fmt_eur
    from tests.fixtures import new_kreis

    store = tmp_path / "s.duckdb"
    common = ["--replicates", "2", "--years", "1", "--scale", "0.1", "--store", str(store)]
    argv = ["compare", str(new_kreis.STATUS_QUO), str(new_kreis.VARIANT), *common, "--workers", "1"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "der ganze Kreis" in text
    cases = text[text.index("Fälle je Sozialraum und Hilfeart") :]
    money = text[text.index("Ausgaben je Sozialraum und Topf") :]
    for region in (*new_kreis.REGIONS, "Gesamt"):
        assert f"\n{region} " in cases[: cases.index("Ausgaben je Sozialraum")]
        assert f"\n{region} " in money
    a, b = "neuer-kreis-status-quo", "neuer-kreis-rb2-20-rueckbehalt"
    with ResultsStore(store, read_only=True) as s:
        figures = paired_by_region(s, a, b, {"spent_regional_2": "sum"}, regions=["Süd"])
    assert fmt_eur(float(figures["median_b"].iloc[0])) in money
    # one Sozialraum
    assert main([*argv, "--region", "Nord"]) == 0
    text = capsys.readouterr().out
    assert "Region Nord" in text.splitlines()[1]
    assert "4 schon gespeichert, 0 zu rechnen" in text  # the same runs, from the store
    body = text[text.index("Fälle je Sozialraum und Hilfeart") :]
    assert "\nNord " in body
    assert not any(f"\n{r} " in body for r in ("Ost", "Süd", "West", "Mitte", "Gesamt"))
    assert "Nur für den ganzen Kreis erfasst: Marktaustritte von Trägern" in text
    # an unknown region: one line, nothing run
    assert main([*argv, "--region", "Atlantis"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Feld --region: unbekannte Region „Atlantis“" in err[0]
    assert "Nord, Ost, Süd, West, Mitte" in err[0]


# ------------------------------------------------------------------ calibration freshness


def test_batch_warns_once_of_a_stale_calibration_after_its_report(tmp_path, capsys):
    """The base and its variant share the calibration: one warning, exit code 0."""
    kreis = fitted_kreis(tmp_path / "kreis")
    reform = kreis.variant("kal-reform", {"budget.regional2_share": 0.2})
    kreis.change_scenario()
    store = tmp_path / "s.duckdb"
    args = ["batch", str(kreis.scenario), str(reform), "--replicates", "1", *SMALL]
    assert main([*args, "--store", str(store), "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert "Fertig: 2 Läufe gerechnet" in captured.out
    warnings = [line for line in captured.err.splitlines() if line.startswith("Warnung:")]
    assert len(warnings) == 1
    assert warnings[0].startswith("Warnung: Kalibrierung veraltet: Das Szenario „kal-kreis“")


def test_compare_warns_of_a_stale_calibration_and_keeps_its_exit_code(tmp_path, capsys):
    kreis = fitted_kreis(tmp_path / "kreis")
    reform = kreis.variant("kal-reform", {"budget.regional2_share": 0.2})
    kreis.change_scenario()
    store = tmp_path / "s.duckdb"
    args = ["compare", str(kreis.scenario), str(reform), "--replicates", "2", *SMALL]
    assert main([*args, "--store", str(store), "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert "gepaarte Läufe" in captured.out
    (warning,) = [line for line in captured.err.splitlines() if line.startswith("Warnung:")]
    assert "Kalibrierung veraltet" in warning


def test_batch_with_a_fresh_calibration_warns_of_nothing(tmp_path, capsys):
    kreis = fitted_kreis(tmp_path / "kreis")
    store = tmp_path / "s.duckdb"
    args = ["batch", str(kreis.scenario), "--replicates", "1", *SMALL, "--store", str(store)]
    assert main([*args, "--workers", "1"]) == 0
    assert "Warnung" not in capsys.readouterr().err
