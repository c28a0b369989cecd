"""Tab *Entscheidung* and the briefing's decision sections on a store with real analyses."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from cli.main import main
from dashboard import briefing as B
from dashboard.context import build_context
from dashboard.data import DashboardData
from dashboard.guard import PointClick
from dashboard.pages import decision
from scenarios import load_scenario

A, V = "lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"
TINY = ["--replicates", "1", "--years", "1", "--scale", "0.05", "--workers", "1"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with a comparison batch and one analysis of each kind."""
    path = tmp_path_factory.mktemp("entscheidung") / "s.duckdb"
    s = ["--store", str(path)]
    assert main(["batch", A, V, "--replicates", "2", "--years", "1", "--scale", "0.05", *s]) == 0
    assert (
        main(
            [
                "sensitivity",
                V,
                "--baseline",
                A,
                "--method",
                "morris",
                "--samples",
                "2",
                "--outcomes",
                "total_spent,unmet_need_families",
                *s,
                *TINY,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "discover",
                V,
                "--baseline",
                A,
                "--outcome",
                "unmet_need_families",
                "--above",
                "-1000",
                "--samples",
                "12",
                *s,
                *TINY,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "optimise",
                V,
                "--levers",
                "budget.regional2_share,incentive.scheme",
                "--generations",
                "2",
                "--population",
                "4",
                "--samples",
                "2",
                *s,
                *TINY,
            ]
        )
        == 0
    )
    return path


@pytest.fixture(scope="module")
def ctx(store: Path):
    data = DashboardData(store)
    yield build_context(data)
    data.close()


def test_every_section_offers_its_stored_analysis(ctx):
    for kind in ("sensitivity", "discover", "optimise"):
        assert len(decision.analysis_options(ctx, kind)) == 1
    outcomes = {o["value"] for o in decision.outcome_options(ctx)}
    assert outcomes == {"total_spent", "unmet_need_families"}


def test_sensitivity_view_ranks_the_assumptions_of_the_chosen_outcome(ctx):
    (option,) = decision.analysis_options(ctx, "sensitivity")
    figure, note = decision.sensitivity_view(ctx, option["value"], "total_spent")
    bars = [t for t in figure.data if t.type == "bar"]
    assert len(bars) == 2  # μ* and σ
    n = len(load_scenario(V).uncertainties)
    assert all(len(b.y) == n for b in bars)
    assert "Ausgaben gesamt (Differenz zum Vergleich)" in figure.layout.title.text
    assert "Gepaarte Differenz" in note or "Keine Streuung" in note


def test_boxes_view_reads_the_discovery_in_german(ctx):
    (option,) = decision.analysis_options(ctx, "discover")
    parts = decision.boxes_view(ctx, option["value"])
    text = str(parts)
    assert "Punkten der Stichprobe sind Fälle" in text


def test_pareto_view_marks_the_front_and_the_shipped_variants(ctx):
    (option,) = decision.analysis_options(ctx, "optimise")
    figure = decision.pareto_view(ctx, option["value"], "kosten_median", "unversorgt")
    names = [t.name for t in figure.data]
    assert "Pareto-Front (nicht dominierte Aufteilungen)" in names
    assert "Mitgelieferte Varianten (Name beim Darüberfahren)" in names
    front = figure.data[0]
    assert all(isinstance(c, int) for c in front.customdata)
    assert "Pareto" in figure.layout.title.text


def test_a_clicked_candidate_becomes_a_scenario_file_that_loads(ctx, tmp_path):
    (option,) = decision.analysis_options(ctx, "optimise")
    figure = decision.pareto_view(ctx, option["value"], "kosten_median", "unversorgt")
    number = figure.data[0].customdata[0]
    click = {"points": [{"customdata": number, "x": 1.0, "y": 2.0}]}
    shown = decision.candidate_view(ctx, option["value"], click)
    assert f"Kandidat {number}" in str(shown)
    row = ctx.analyses[ctx.analyses["analysis_id"] == option["value"]].iloc[0]
    candidate = next(c for c in row["result"]["front"] if c["kandidat"] == number)
    text = decision.candidate_yaml(row, candidate)
    doc = yaml.safe_load(text)
    assert doc["extends"] == V
    path = tmp_path / f"{doc['name']}.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_scenario(path)  # a valid scenario file
    share = candidate["levers"]["budget.regional2_share"]
    assert loaded.params.budget.regional2_share == pytest.approx(share)


def test_click_rule_takes_only_the_candidates_of_the_stored_fronts(ctx):
    rule = decision.rules(ctx)["g-pareto.clickData"]
    assert isinstance(rule, PointClick)
    numbers = sorted(rule.allowed)
    assert rule.problem({"points": [{"customdata": numbers[0]}]}) is None
    assert rule.problem({"points": [{"x": 1}]}) is None  # a variant: selects nothing
    assert rule.problem({"points": [{"customdata": max(numbers) + 1}]}) is not None
    assert rule.problem({"points": [{"customdata": "../../etc/passwd"}]}) is not None
    assert rule.problem({"points": [{"customdata": True}]}) is not None
    assert rule.problem({"points": []}) is not None
    assert rule.problem("x") is not None


def test_briefing_has_both_decision_sections(store):
    data = DashboardData(store)
    try:
        html = B.build_briefing(data, A, [V], store_label="s.duckdb", created=datetime(2026, 12, 3))
    finally:
        data.close()
    assert "<h2>Welche Annahmen entscheiden?</h2>" in html
    assert "<h2>Welche Aufteilungen sind am besten?</h2>" in html
    assert "Szenarioentdeckung (PRIM" in html
    assert "Mitgelieferte Varianten" in html


def test_regression_analysis_without_baseline_was_labelled_nan(ctx):
    """A search has no baseline; the store's NULL read as NaN and the label said "− nan"."""
    (option,) = decision.analysis_options(ctx, "optimise")
    assert "nan" not in option["label"] and " − " not in option["label"]
