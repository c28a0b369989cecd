"""The Sitzungsvorlage: HTML content on the demo store, PDF through headless Chromium."""

from __future__ import annotations

import base64
import re
from datetime import datetime

import pytest

from dashboard import briefing as B
from dashboard.data import DashboardData
from scenarios.formatting import fmt_eur, fmt_num
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
    assert "auch die Unsicherheit dieser Parameter" in text


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


def test_pdf_has_two_or_three_pages(html, pdf, tmp_path):
    (tmp_path / "vorlage.html").write_text(html, encoding="utf-8")
    (tmp_path / "vorlage.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    pages = B.pdf_page_count(pdf)
    assert pages == len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 2 <= pages <= 3, pages


def test_unknown_scenario_is_a_german_error(data):
    with pytest.raises(B.BriefingError, match="keine abgeschlossenen Läufe"):
        B.build_briefing(data, BASE, ["gibt-es-nicht"], store_label="x", created=CREATED)


def test_seed_ranges():
    assert B._seed_ranges([3, 1, 2, 5, 7, 8]) == "1–3, 5, 7–8"
