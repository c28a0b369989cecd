"""The Sitzungsvorlage: HTML content on the demo store, PDF through headless Chromium.

The PDF is read back with pypdf (an independent reader): three scenarios fill two A4
pages, five at most three (journey 2: an appendix of two pages), and every chart keeps
the scenarios apart without colour (own dash and marker, a letter at each line).
"""

from __future__ import annotations

import base64
import io
import re
from datetime import datetime

import pypdf
import pytest
import yaml

from calibration import freshness
from dashboard import briefing as B
from dashboard.data import DashboardData
from dashboard.figures import LABEL_ANNOTATION
from experiments import plan_batch, run_batch
from results.store import ResultsStore
from scenarios.formatting import fmt_eur, fmt_num, fmt_pct
from tests.bad_days.harness import ROOT
from tests.dashboard.conftest import DEMO_SCENARIOS

BASE, REFORM, OTHER = DEMO_SCENARIOS
CREATED = datetime(2026, 11, 23, 16, 30)


@pytest.fixture(scope="module")
def data(demo_store):
    d = DashboardData(demo_store)
    yield d
    d.close()


@pytest.fixture(scope="module")
def html(data):
    return B.build_briefing(
        data, BASE, list(DEMO_SCENARIOS), store_label="ergebnisse.duckdb", created=CREATED
    )


@pytest.fixture(scope="module")
def pdf(html):
    return B.briefing_pdf(html)


FIVE = (
    *DEMO_SCENARIOS,
    "lueneburg-rb2-20-bonus-malus",
    "lueneburg-rb2-20-sozialraumindex",
)
"""The most a briefing compares: the baseline and four variants (``MAX_COMPARED``)."""


@pytest.fixture(scope="module")
def five_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("vorlage") / "fuenf.duckdb"
    with ResultsStore(path) as store:
        assert run_batch(plan_batch(list(FIVE), 2, years=2, scale=0.1), store).complete
    return path


def _pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_key_sections_and_titles(html):
    for heading in ("Betreff:", "Sachverhalt", "Kennzahlen", "Abbildungen", "Annahmen", "Herkunft"):
        assert heading in html, heading
    for n in (1, 2, 3):
        assert f"Abbildung {n}:" in html
    assert "Modellvergleich, keine Prognose" in html
    assert "Jugendhilfeausschuss" in html
    assert "2 Varianten im Vergleich zur Basis" in html
    assert "Lüneburg Status quo" in html
    assert 'lang="de"' in html
    assert "2026 bis 2028" in html
    assert "23.11.2026" in html and "16:30" in html
    assert "ergebnisse.duckdb" in html
    # demo store: 30 % of the population, said plainly
    assert "30 %" in html and "Testrechnung" in html


def test_calibration_is_explained(html):
    """The shipped scenarios are calibrated: the briefing says what that adds to the bands."""
    text = re.sub(r"<[^>]+>", "", html)
    assert "Kalibrierte Parameter." in text
    assert "lueneburg-v1.yaml" in text
    assert "die Intervalle enthalten diese Unsicherheit" in text
    # what it does not do, from the calibration file: fitted and held-out targets
    posterior = yaml.safe_load((ROOT / "calibration/posterior/lueneburg-v1.yaml").read_text())
    fitted, held = len(posterior["fit_targets"]), len(posterior["holdout_targets"])
    assert f"an {fitted} öffentliche Zielgrößen angepasst" in text
    assert f"{held} weitere Zielgrößen sind nur zur Prüfung zurückgehalten" in text
    assert "Nicht kalibriert sind alle übrigen Werte" in text


def test_key_figures_match_the_runs(data, html):
    kf = B.key_figures(data, BASE, list(DEMO_SCENARIOS))
    assert list(kf.table["scenario"]) == list(DEMO_SCENARIOS)
    assert kf.years == [2026, 2027, 2028]
    raw = data.yearly(["total_spent"], [BASE, REFORM])
    sums = raw.groupby(["scenario", "seed"])["value"].sum().unstack("scenario")
    table = kf.table.set_index("scenario")
    assert table.loc[BASE, "spent_median"] == pytest.approx(sums[BASE].median())
    diff = sums[REFORM] - sums[BASE]
    assert table.loc[REFORM, "diff_median"] == pytest.approx(diff.median())
    assert table.loc[REFORM, "diff_q05"] == pytest.approx(diff.quantile(0.05))
    assert table.loc[REFORM, "pairs"] == 4
    assert table.loc[BASE, "diff_median"] != table.loc[BASE, "diff_median"]  # NaN for the base
    assert table["overspend_share"].between(0, 1).all()
    # regional budget 2: none in the status quo, used from its budget in the variants
    assert table.loc[BASE, "rb2_use_median"] != table.loc[BASE, "rb2_use_median"]  # NaN
    rb2 = data.yearly(["spent_regional_2", "budget_regional_2"], [REFORM])
    per_run = rb2.groupby(["seed", "metric"])["value"].sum().unstack("metric")
    use = per_run["spent_regional_2"] / per_run["budget_regional_2"]
    assert table.loc[REFORM, "rb2_use_median"] == pytest.approx(use.median())
    stationary = data.yearly(["stationary_share"], [OTHER]).groupby("seed")["value"].mean()
    assert table.loc[OTHER, "stationary_median"] == pytest.approx(stationary.median())
    assert fmt_pct(table.loc[REFORM, "rb2_use_median"], 0) in html
    assert fmt_pct(table.loc[OTHER, "stationary_median"], 1) in html
    # the same numbers appear German-formatted in the document
    assert fmt_eur(table.loc[BASE, "spent_median"]) in html
    assert re.search(r"\d{1,3}(\.\d{3}){2,} €", html)
    assert fmt_num(table.loc[OTHER, "unmet_median"], 1) in html


def test_assumptions_levers_and_provenance(data, html):
    assert "Bedarfstrend" in html and "Reaktion der Träger auf Anreize" in html
    assert "gleichverteilt" in html and "Dreiecksverteilung" in html
    # levers that differ: the incentive scheme and the regional budget 2 share
    assert "Hebel, in denen sich die Szenarien unterscheiden" in html
    assert "Rückbehalt" in html and "kein Anreizsystem" in html
    assert "Anteil regionales Budget 2" in html
    # runs were not sampled over uncertainties (one point): say so
    assert "nicht gezogen" in html
    runs = data.runs()
    for sha in runs["scenario_sha256"].unique():
        assert sha in html
    for version in runs["code_version"].unique():
        assert version in html
    assert "1–4" in html  # seeds


def test_self_contained(html):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*https?:""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?https?:", html, re.I)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "@import" not in html
    images = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert len(images) == 3
    for src in images:
        assert src.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
        assert svg.lstrip().startswith("<svg")
        assert "Familien" in svg or "€" in svg


def test_regression_briefing_of_three_scenarios_has_two_pages(html, pdf):
    """Two scenarios gave four pages; the Sitzungsvorlage needs two (journey 2)."""
    assert pdf.startswith(b"%PDF")
    assert _pages(pdf) == 2
    assert B.pdf_page_count(pdf) == 2  # the count the CLI reports agrees with pypdf
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Seite 2 von 2" in text  # the page footer, printed by Chromium
    for heading in ("Kennzahlen", "Abbildungen", "Annahmen", "Hinweise", "Herkunft"):
        assert heading in text, heading


def test_five_scenarios_fit_three_pages(five_store):
    data = DashboardData(five_store)
    try:
        page = B.build_briefing(
            data, FIVE[0], list(FIVE), store_label="fuenf.duckdb", created=CREATED
        )
        pdf = B.briefing_pdf(page)
    finally:
        data.close()
    assert "4 Varianten im Vergleich zur Basis" in page
    assert 2 <= _pages(pdf) <= 3
    assert B.pdf_page_count(pdf) == _pages(pdf)


def test_charts_readable_in_black_and_white(data, html):
    """Each scenario: own dash and marker, its letter at its line, no legend to decode."""
    ctx = B.briefing_context(data, BASE, list(DEMO_SCENARIOS))
    assert ctx.letters == {BASE: "A", REFORM: "B", OTHER: "C"}
    for fig in B.chart_figures(data, ctx):
        assert fig.layout.showlegend is False
        medians = [t for t in fig.data if (t.meta or {}).get("role") == "median"]
        assert len(medians) >= 2
        looks = [(t.marker.symbol, t.line.dash) for t in medians]  # dash None: markers only
        assert len(set(looks)) == len(looks)
        labels = [a.text for a in fig.layout.annotations if a.name == LABEL_ANNOTATION]
        shown = {t.meta["scenario"] for t in medians}
        assert sorted(labels) == sorted(f"<b>{ctx.letters[s]}</b>" for s in shown)
    # the printed SVGs carry the letters; the document shows each line's dash and marker
    images = re.findall(r'<img [^>]*src="data:image/svg\+xml;base64,([^"]+)"', html)
    for src in images:
        svg = base64.b64decode(src).decode("utf-8")
        assert re.search(r">\s*B\s*<", svg) and re.search(r">\s*C\s*<", svg)
    samples = re.findall(r'<svg class="linie"[^>]*>.*?</svg>', html)
    dashes = {re.search(r'stroke-dasharray="([^"]*)"', sv) for sv in samples[:3]}
    assert len(samples) >= 3 and len({d.group(1) if d else "" for d in dashes}) == 3


def test_uncertainties_and_notes_are_lists_of_any_length(data, html):
    ctx = B.briefing_context(data, BASE, list(DEMO_SCENARIOS))
    unc = B.uncertainty_items(ctx)
    notes = B.note_items(ctx)
    assert unc and notes
    annahmen = re.search(r'<ul class="klein annahmen">(.*?)</ul>', html, re.S).group(1)
    assert annahmen.count("<li>") == len(unc)
    hinweise = re.search(r'<ul class="hinweise">(.*?)</ul>', html, re.S).group(1)
    assert hinweise.count("<li>") == len(notes)
    assert "Modellvergleich, keine Prognose" in notes[0]
    assert any("Testrechnung" in n for n in notes)  # the demo store is 30 % of the Kreis


def test_regression_one_reason_was_printed_once_per_help_type(data):
    """The help effects share their reasons (two by two), and each was printed once per
    help type: with the 13th uncertainty (the controlling's own request) the
    Sitzungsvorlage ran onto a third page. An item now names every assumption with its
    range and states the reason once."""
    ctx = B.briefing_context(data, BASE, list(DEMO_SCENARIOS))
    items = B.uncertainty_items(ctx)
    rows = B.uncertainty_rows(ctx.loaded)
    text = " ".join(items)
    for r in rows:
        assert B._e(r["label"]) in text and B._e(r["spread"]) in text
    for reason in {r["reason"] for r in rows}:
        assert text.count(B._e(reason)) == 1, reason
    effects = [r for r in rows if r["label"].startswith("Wirkung einer Hilfe")]
    assert len({r["reason"] for r in effects}) < len(effects)
    assert len(items) == len({r["reason"] for r in rows}) < len(rows)


def test_unknown_scenario_is_a_german_error(data):
    with pytest.raises(B.BriefingError, match="keine abgeschlossenen Läufe"):
        B.build_briefing(data, BASE, ["gibt-es-nicht"], store_label="x", created=CREATED)


def test_seed_ranges():
    assert B._seed_ranges([3, 1, 2, 5, 7, 8]) == "1–3, 5, 7–8"


def test_a_scheme_with_a_legal_risk_gets_a_note(data):
    ctx = B.briefing_context(data, BASE, list(DEMO_SCENARIOS))
    legal = B.legal_items(ctx)
    schemes = {ctx.loaded[s].params.incentive.scheme for s in ctx.compared if ctx.loaded[s]}
    assert "bonus_malus" in schemes
    assert any("Bonus/Malus" in item and "13 K 1532/12" in item for item in legal)
    assert all(item in B.note_items(ctx) for item in legal)


def test_a_stale_calibration_is_a_note(data, monkeypatch):
    """Hinweise name a calibration fitted for other engine code (the check's input here)."""
    monkeypatch.setattr(freshness, "model_code_hash", lambda: "0123456789ab")
    ctx = B.briefing_context(data, BASE, list(DEMO_SCENARIOS))
    items = B.calibration_items(ctx)
    notes = freshness.calibration_warnings(ctx.loaded.values(), brief=True)
    assert len(items) == len(notes) >= 1  # the three share one calibration file
    for item, line in zip(items, notes, strict=True):
        head, rest = line.split(": ", 1)
        assert item == f"<strong>{head}:</strong> {rest}"  # no markup in the demo's names
        assert head.startswith(("Kalibrierung veraltet", "Aktualität der Kalibrierung"))
        assert "sozialraum calibrate" not in item  # the command is for the planners
        assert len(rest) <= 110  # one printed line: the Sitzungsvorlage keeps its two pages
    assert all(item in B.note_items(ctx) for item in items)
    html = B.build_briefing(
        data, BASE, list(DEMO_SCENARIOS), store_label="ergebnisse.duckdb", created=CREATED
    )
    hinweise = re.search(r'<ul class="hinweise">(.*?)</ul>', html, re.S).group(1)
    assert all(f"<li>{item}</li>" in hinweise for item in items)
