"""The comparison page's key figures are the briefing's (one computation, two places)."""

from __future__ import annotations

from dashboard.app import _key_figures
from dashboard.briefing import key_figures
from dashboard.data import DashboardData
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
