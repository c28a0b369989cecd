"""``sozialraum optimise`` with the real engine and store: front, variants, kill and resume."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from results.store import ResultsStore
from scenarios import find_scenario, list_scenarios

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = "lueneburg-rb2-20-rueckbehalt"
TINY = [
    "--levers",
    "budget.regional2_share,incentive.scheme",
    "--generations",
    "2",
    "--population",
    "4",
    "--samples",
    "2",
    "--replicates",
    "1",
    "--years",
    "1",
    "--scale",
    "0.05",
    "--workers",
    "1",
]
VARIANTS = [
    n for n in list_scenarios() if find_scenario(n).parent == find_scenario(SCENARIO).parent
]


def _args(store: Path) -> list[str]:
    return ["optimise", SCENARIO, *TINY, "--store", str(store)]


def _front_section(out: str) -> str:
    """The printed front and variants (without progress lines and the store's path)."""
    start = out.index("Pareto-Front")
    end = out.index("Gespeichert: Analyse")
    return out[start:end]


def _dominance_cells(out: str) -> dict[str, str]:
    """Variant → its line under ``Lage zur Pareto-Front:``."""
    lines = out[out.index("Lage zur Pareto-Front:") :].splitlines()[1:]
    cells: dict[str, str] = {}
    for line in lines:
        if not line.startswith("  "):
            break
        name, _, text = line.strip().partition(":")
        cells[name] = text.strip()
    return cells


def _analysis(store: Path) -> Any:
    with ResultsStore(store, read_only=True) as s:
        rows = s.analyses("optimise")
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An uninterrupted tiny search (in process): its store and standard output."""
    store = tmp_path_factory.mktemp("optimise") / "ref.duckdb"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(_args(store))
    assert code == 0, err.getvalue()
    return store, out.getvalue()


def test_a_tiny_search_prints_the_front_and_where_the_variants_lie(reference):
    store, out = reference
    assert "Pareto-Front: lueneburg-rb2-20-rueckbehalt" in out
    assert "Generation 1/2" in out and "Generation 2/2" in out
    assert "Anteil regionales Budget 2" in out and "Anreizsystem" in out
    for label in ("Ausgaben (Median)", "Ausgaben (90. Perzentil)", "Latenter Bedarf (Familien)"):
        assert label in out
    assert "Überschreitungswahrscheinlichkeit" in out
    assert " €" in out and " %" in out
    assert "Mitgelieferte Varianten (lueneburg)" in out
    cells = _dominance_cells(out)
    assert len(VARIANTS) == 11 and list(cells) == VARIANTS

    row = _analysis(store)
    result = row["result"]
    assert row["scenario"] == SCENARIO and row["baseline"] is None
    assert result["levers"] == ["budget.regional2_share", "incentive.scheme"]
    assert 1 <= len(result["front"]) <= len(result["evaluated"]) <= 8
    assert [v["scenario"] for v in result["variants"]] == VARIANTS
    assert len(row["batch_ids"]) == 2 + len(VARIANTS)  # one batch per generation
    names = result["objectives"]
    front = [[f["objectives"][n] for n in names] for f in result["front"]]
    for e in result["evaluated"]:
        f = [e["objectives"][n] for n in names]
        dominated = any(all(a <= b for a, b in zip(g, f, strict=True)) and g != f for g in front)
        assert e["front"] != dominated
    for v in result["variants"]:
        f = [v["objectives"][n] for n in names]
        by = [
            k + 1
            for k, g in enumerate(front)
            if all(a <= b for a, b in zip(g, f, strict=True)) and g != f
        ]
        assert v["dominated_by"] == by
        text = f"dominiert von Kandidat {', '.join(map(str, by))}" if by else "nicht dominiert"
        over = [
            k + 1
            for k, g in enumerate(front)
            if all(a <= b for a, b in zip(f, g, strict=True)) and g != f
        ]
        assert v["dominates"] == over and not (by and over)
        if over:
            text += f"; dominiert Kandidat {', '.join(map(str, over))}"
        assert cells[v["scenario"]] == text
    own = next(v for v in result["variants"] if v["scenario"] == SCENARIO)
    assert own["levers"] == {"budget.regional2_share": 0.2, "incentive.scheme": "retention"}
    with ResultsStore(store, read_only=True) as s:  # every evaluation is a stored run
        runs = s.runs()
    assert len(runs) == 2 * (len(result["evaluated"]) + len(VARIANTS))
    assert (runs["status"] == "done").all()


def _spawn(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _read_until(proc: subprocess.Popen[str], marker: str, count: int, deadline: float) -> None:
    """Read standard output until ``count`` lines contained ``marker``."""
    assert proc.stdout is not None
    seen = 0
    while seen < count:
        assert time.monotonic() < deadline, f"kein „{marker}“ in der Zeit"
        line = proc.stdout.readline()
        assert line, f"Suche endete zu früh: {proc.stderr.read() if proc.stderr else ''}"
        seen += marker in line


def test_a_killed_search_resumes_and_reaches_the_same_front(tmp_path, reference):
    ref_store, ref_out = reference
    store = tmp_path / "s.duckdb"
    proc = _spawn(_args(store))
    try:  # kill it in the second generation's batch, after two of its runs were stored
        deadline = time.monotonic() + 240
        _read_until(proc, "Generation 2/2", 1, deadline)
        _read_until(proc, " gespeichert: ", 2, deadline)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the search and its workers, without warning
        proc.wait(timeout=60)
    with ResultsStore(store, read_only=True) as s:
        stored_before = len(s.done_run_ids())
        assert s.analyses("optimise").empty
    with ResultsStore(ref_store, read_only=True) as s:
        total = len(s.done_run_ids())
    assert 8 + 2 <= stored_before < total  # generation 1 and part of generation 2

    again = subprocess.run(
        [sys.executable, "-m", "cli", *_args(store)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert "8 Läufe geplant, 8 schon gespeichert, 0 zu rechnen" in again.stdout  # generation 1
    assert _front_section(again.stdout) == _front_section(ref_out)
    resumed, uninterrupted = _analysis(store), _analysis(ref_store)
    assert resumed["analysis_id"] == uninterrupted["analysis_id"]
    assert resumed["result"] == uninterrupted["result"]
    assert resumed["batch_ids"] == uninterrupted["batch_ids"]
    with ResultsStore(store, read_only=True) as s:
        runs = s.runs()
    assert len(runs) == total and runs["run_id"].is_unique


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--levers", "budget.bound_share,need.base"], "Feld --levers: Hebel „need.base“"),
        (
            ["--levers", "budget.bound_share,budget.regional_share"],
            "erklärt: budget.bound_share, budget.regional2_share",
        ),
        (["--objectives", "kosten_median,glueck"], "Feld --objectives: Ziel „glueck“"),
        (["--objectives", "kosten_median"], "mindestens zwei Ziele"),
        (["--generations", "0"], "Aufruf ungültig"),
        (["--generations", "201"], "Aufruf ungültig"),
        (["--population", "3"], "Aufruf ungültig"),
        (["--samples", "201"], "Aufruf ungültig"),
        (["--population", "200", "--samples", "200"], "Angabe --samples"),
        (["--baseline", "lueneburg-status-quo"], "Angabe --baseline"),
    ],
)
def test_input_errors(tmp_path, capsys, extra: list[str], expected: str):
    store = tmp_path / "s.duckdb"
    code = main(["optimise", SCENARIO, *extra, "--store", str(store)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Fehler:") and expected in err
    assert "Traceback" not in err
    assert not store.exists()  # nothing ran


def test_regression_candidates_counted_as_the_scenario_in_its_pooled_figures(reference):
    """The search's candidates were stored under the scenario's own name, so the
    comparison page and the briefing pooled every candidate into that scenario."""
    store, _ = reference
    with ResultsStore(store, read_only=True) as s:
        runs = s.runs()
    own = runs[runs["scenario"] == SCENARIO]
    candidates = runs[runs["scenario"] == f"{SCENARIO}-suche"]
    assert len(candidates) > 0
    for point in own["point"]:  # the scenario's own runs (as a shipped variant) set no lever
        assert "budget.regional2_share" not in str(point) and "incentive" not in str(point)
