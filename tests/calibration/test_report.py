"""The German calibration report: table of fit and held-out targets, plots."""

from __future__ import annotations

from pathlib import Path

from calibration.fit import abc_smc, batch_simulator, posterior_document, write_posterior
from calibration.report import predictive_check, write_report
from calibration.targets import load_targets
from tests.calibration.test_fit import _tiny_setup


def test_report_has_table_for_fit_and_holdout(tmp_path: Path) -> None:
    setup = _tiny_setup(population=6, generations=1, draws=4)
    ts = load_targets()
    fit = ts.by_role("fit")
    post = abc_smc(setup, fit, batch_simulator(setup, fit), max_simulations=6)
    cal = write_posterior(posterior_document(post, ts, "0" * 64, 6), tmp_path / "cal.yaml")
    rows = predictive_check(cal, draws=4, scale=0.1, years=1, workers=1)
    assert len(rows) == len(ts.targets)
    for r in rows:
        assert r.q05 <= r.median <= r.q95
        assert r.inside == (r.q05 <= r.target.value <= r.q95)
    page = write_report(cal, rows, tmp_path / "bericht.html").read_text(encoding="utf-8")
    assert "Angepasste Zielgrößen" in page and "Zurückgehaltene Zielgrößen" in page
    assert "90-%-Intervall" in page and "Warum zurückgehalten" in page
    for t in ts.targets:
        assert t.label.split(",")[0] in page
    assert page.count("<tr>") >= len(ts.targets) + len(setup.parameters)
    assert "plotly" in page.lower()
