"""``sozialraum sensitivity`` with the real engine and store: ranking, storage, resuming, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from results import ResultsStore
from scenarios import load_scenario

A, B = "lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"
TINY = ["--replicates", "1", "--years", "1", "--scale", "0.05", "--workers", "1"]


def _uncertainties() -> int:
    return len(load_scenario(B).uncertainties)


def test_morris_of_the_paired_difference_is_ranked_stored_and_resumed(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    args = [
        "sensitivity",
        B,
        "--baseline",
        A,
        "--method",
        "morris",
        "--samples",
        "2",
        "--outcomes",
        "total_spent,unmet_need_families",
        "--store",
        str(store),
        *TINY,
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    d = _uncertainties()
    assert f"{2 * (d + 1)} Punkte × 1 Wiederholung" in out
    assert "gepaarte Differenz" in out and "Ausgaben gesamt (Differenz zum Vergleich)" in out
    assert "Mittlerer Effekt (Morris μ*)" in out and "Rang" in out
    with ResultsStore(store, read_only=True) as s:
        analyses = s.analyses("sensitivity")
        assert len(analyses) == 1
        row = analyses.iloc[0]
        assert row["scenario"] == B and row["baseline"] == A
        assert row["settings"]["method"] == "morris" and row["settings"]["points"] == 2 * (d + 1)
        indices = s.sensitivity_indices(row["analysis_id"])
        runs = len(s.runs())
    assert len(indices) == 2 * d * 2  # outcomes × assumptions × (μ*, σ)
    assert set(indices["measure"]) == {"mu_star", "sigma"}
    assert (indices["value"] >= 0).all()
    # the same command again: every run is stored, the analysis replaced, not doubled
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"{runs} Läufe geplant, {runs} schon gespeichert, 0 zu rechnen" in out
    with ResultsStore(store, read_only=True) as s:
        assert len(s.analyses()) == 1
        assert len(s.sensitivity_indices(row["analysis_id"])) == len(indices)


def test_sobol_of_one_scenario_writes_its_chart(tmp_path, capsys):
    store, chart = tmp_path / "s.duckdb", tmp_path / "rang.html"
    args = ["sensitivity", A, "--samples", "2", "--outcomes", "total_spent"]
    assert main([*args, "--store", str(store), "--grafik", str(chart), *TINY]) == 0
    out = capsys.readouterr().out
    assert "Sobol-Analyse, N = 2" in out and "Gesamteffekt (Sobol ST)" in out
    assert "gepaarte Differenz" not in out
    text = chart.read_text(encoding="utf-8")
    assert "Welche Annahmen entscheiden?" in text and "Gesamteffekt (Sobol ST)" in text
    with ResultsStore(store, read_only=True) as s:
        (analysis_id,) = s.analyses()["analysis_id"]
        indices = s.sensitivity_indices(analysis_id)
    assert set(indices["measure"]) == {"ST", "S1"}
    assert len(indices) == 2 * _uncertainties()


@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        (["--samples", "3"], "Zweierpotenz"),
        (["--outcomes", "gibt_es_nicht"], "Ergebnisgröße „gibt_es_nicht“ nicht erklärt"),
        (["--grafik", "bild.txt"], "Endung .html, .png oder .svg"),
        (["--method", "fast"], "--method"),
        (["--samples", "4096"], "Punkte; höchstens"),
    ],
)
def test_bad_input_is_refused_before_anything_runs(tmp_path, capsys, extra, expect):
    store = tmp_path / "s.duckdb"
    code = main(["sensitivity", B, "--store", str(store), *TINY, *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Fehler:") and expect in err and "Traceback" not in err
    assert not Path(store).exists()
