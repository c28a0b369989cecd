"""``sozialraum discover`` with the real engine and store: boxes in German, resumable."""

from __future__ import annotations

import pytest

from cli.main import main
from results.store import ResultsStore

SCENARIO, BASELINE = "lueneburg-rb2-20-rueckbehalt", "lueneburg-status-quo"
SMALL = ["--samples", "12", "--replicates", "1", "--years", "1", "--scale", "0.02"]


def _args(store, *case: str, outcome: str = "total_spent") -> list[str]:
    return [
        "discover",
        SCENARIO,
        "--baseline",
        BASELINE,
        "--outcome",
        outcome,
        *SMALL,
        "--workers",
        "2",
        "--store",
        str(store),
        *case,  # after SMALL: a repeated option's last value counts
    ]


def test_discover_runs_stores_and_resumes(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    assert main(_args(store, "--above", "0")) == 0
    out = capsys.readouterr().out
    assert "24 Läufe geplant, 0 schon gespeichert, 24 zu rechnen" in out
    assert (
        "Szenarioentdeckung (PRIM): lueneburg-rb2-20-rueckbehalt gegen lueneburg-status-quo" in out
    )
    assert "„Ausgaben gesamt“ (Differenz zum Vergleich)" in out
    assert "Keiner der 12 Punkte ist ein Fall" in out or "Box 1: Wenn „" in out
    with ResultsStore(store, read_only=True) as s:
        first = s.analyses("discover")
    assert len(first) == 1
    row = first.iloc[0]
    assert row["scenario"] == SCENARIO and row["baseline"] == BASELINE
    assert row["settings"]["direction"] == "above" and row["settings"]["value"] == 0.0
    assert row["result"]["n_points"] == 12
    median = row["result"]["values"]["median"]

    # the same design again, cases above the median: nothing to compute, half are cases
    assert main(_args(store, "--above", str(median).replace(".", ","))) == 0
    out = capsys.readouterr().out
    assert "24 Läufe geplant, 24 schon gespeichert, 0 zu rechnen" in out
    assert "6 von 12 Punkten sind Fälle (50 %)" in out
    assert "Box 1: Wenn „" in out or "Keine Box gefunden" in out
    with ResultsStore(store, read_only=True) as s:
        both = s.analyses("discover")
        assert len(s.runs()) == 24
    assert len(both) == 2
    result = both[both["analysis_id"] != row["analysis_id"]].iloc[0]["result"]
    assert result["n_cases"] == 6
    for box in result["boxes"]:
        assert box["sentence"] in out
        assert box["trajectory"] and 0 <= box["selected"] < len(box["trajectory"])
        for limit in box["limits"].values():
            assert limit["label"] and limit["low"] <= limit["high"]
            assert limit["restricts_low"] or limit["restricts_high"]


@pytest.mark.parametrize(
    ("case", "field"),
    [
        (["--above", "0", "--below", "0"], "--above"),
        ([], "--above"),
        (["--above", "viel"], "--above"),
        (["--above", "nan"], "--above"),
        (["--above", "0", "--samples", "5"], "--samples"),
        (["--above", "0", "--samples", "10001"], "--samples"),
        (["--above", "0", "--threshold", "0"], "--threshold"),
        (["--above", "0", "--threshold", "1,5"], "--threshold"),
    ],
)
def test_bad_input_is_one_german_line(tmp_path, capsys, case, field):
    store = tmp_path / "s.duckdb"
    assert main(_args(store, *case)) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler:") and field in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not store.exists()


def test_an_undeclared_outcome_names_the_declared_ones(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    assert main(_args(store, "--above", "0", outcome="glueck")) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler:") and "--outcome" in err and "total_spent" in err
    assert "Traceback" not in err
    assert not store.exists()


def test_the_baseline_must_differ(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    args = _args(store, "--above", "0")
    args[args.index(BASELINE)] = SCENARIO
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--baseline" in err and "dasselbe Szenario" in err and "Traceback" not in err


def test_the_given_value_keeps_its_decimals():
    from cli.discover_command import _given

    assert _given(0.0, "EUR") == "0 €"
    assert _given(-1.5, "EUR") == "-1,50 €"
    assert _given(0.125, "Anteil") == "12,5 %"
    assert _given(2.25, "Familien") == "2,25 Familien"
    assert _given(1234.0, "Familien") == "1.234 Familien"
