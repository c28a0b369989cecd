"""Tab *Vergleich*: key figures as the briefing's, the budget beside the spending."""

from __future__ import annotations

from dashboard.briefing import key_figures
from dashboard.data import DashboardData
from dashboard.pages.comparison import key_figures_table as _key_figures
from dashboard.pages.comparison import spending_and_budget as _spending_and_budget
from scenarios.formatting import fmt_eur, fmt_pct
from tests.dashboard.conftest import DEMO_SCENARIOS


def _cells(table) -> list[list[str]]:
    return [[str(td.children) for td in tr.children] for tr in table.children[1:]]


def test_key_figures_on_the_page_equal_the_briefing(demo_store):
    data = DashboardData(demo_store)
    try:
        base = DEMO_SCENARIOS[0]
        names = {s: s for s in DEMO_SCENARIOS}
        rows = _cells(_key_figures(data, base, list(DEMO_SCENARIOS), names))
        expected = key_figures(data, base, list(DEMO_SCENARIOS)).table.set_index("scenario")
        assert [r[0] for r in rows] == list(DEMO_SCENARIOS)
        for name, spent, diff, over, _need in rows:
            e = expected.loc[name]
            assert spent == fmt_eur(e["spent_median"])
            assert over == fmt_pct(e["overspend_share"], 0)
            assert (diff == "Basis") == (name == base)
            if name != base:
                assert diff.startswith(fmt_eur(e["diff_median"]))
    finally:
        data.close()


def test_total_spending_chart_shows_each_budget(demo_store):
    data = DashboardData(demo_store)
    try:
        names = {s: s for s in DEMO_SCENARIOS}
        q = data.quantiles(["total_spent", "total_budget"], list(DEMO_SCENARIOS))
        figure = _spending_and_budget(q, names)
        budgets = [t for t in figure.data if t.meta and t.meta.get("role") == "budget"]
        assert [t.meta["scenario"] for t in budgets] == list(DEMO_SCENARIOS)
        median = q[(q["metric"] == "total_budget") & (q["scenario"] == DEMO_SCENARIOS[0])]
        scale = budgets[0].y[0] / median.sort_values("year")["median"].iloc[0]
        assert scale in (1.0, 1e-3, 1e-6)  # €, Tsd. € or Mio. €, as the spending axis
    finally:
        data.close()


def test_budget_marks_take_the_scenario_colour(demo_store):
    from dashboard.figures import fixed_styles

    data = DashboardData(demo_store)
    try:
        names = {s: s for s in DEMO_SCENARIOS}
        styles = fixed_styles(DEMO_SCENARIOS, DEMO_SCENARIOS[0])
        q = data.quantiles(["total_spent", "total_budget"], list(DEMO_SCENARIOS))
        figure = _spending_and_budget(q, names, styles)
        for t in figure.data:
            role = (t.meta or {}).get("role")
            if role == "budget":
                assert t.marker.color == t.marker.line.color == styles[t.meta["scenario"]].colour
            elif role == "median":
                assert t.line.color == styles[t.meta["scenario"]].colour
    finally:
        data.close()
