"""Behaviour with common random numbers: the policy levers move what they should.

Each test runs paired scenarios with the same seeds, so that differences are the
policy, not noise (common random numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from model.run import run_once
from tests.fixtures.factory import make_params

BASE = {"scale": 0.5, "years": 3, "burn_in_months": 24}
SEEDS = range(1, 7)
AMBULANT = ["27_2", "29", "30", "31", "35"]


def _yearly(result, metric: str) -> float:
    """Sum of a yearly metric over all reported years, Kreis-wide."""
    r = result.results
    sel = r[(r.metric == metric) & (r.region == "Gesamt") & (r.month == 0)]
    return float(sel.value.sum())


def _new_ambulant(result) -> float:
    return sum(_yearly(result, f"new_cases_{c}") for c in AMBULANT)


def _more_project_money(**extra) -> tuple[dict, dict]:
    """A has no regional budget 1; B has 900,000 EUR of it on top of the same bound
    budget (an amount the regional bodies' proposals can absorb)."""
    funds = 2_233_000
    a = {**BASE, "scale": 1.0, "budget.sozialraum_funds": funds, "budget.bound_share": 1.0}
    b = {
        **BASE,
        "scale": 1.0,
        "budget.sozialraum_funds": funds + 900_000,
        "budget.bound_share": funds / (funds + 900_000),
    }
    return {**a, **extra}, {**b, **extra}


@pytest.mark.slow
def test_larger_regional_budget_1_with_positive_effect_lowers_new_ambulatory_cases():
    """Paired over ten seeds; one-sided paired t-test at the 1 % level.

    The effect is small against the noise of a 3-year run (a few percent of new
    ambulatory cases), so the projects get a clear but plausible true effect (0.12
    need units a month) and the test uses ten seeds.
    """
    a, b = _more_project_money(**{"projects.effect_mean": 0.12})
    diffs = [
        _new_ambulant(run_once(make_params(**b), s)) - _new_ambulant(run_once(make_params(**a), s))
        for s in range(1, 11)
    ]
    assert np.mean(diffs) < 0, diffs
    assert stats.ttest_1samp(diffs, 0.0, alternative="less").pvalue < 0.01, diffs


def test_projects_without_effect_change_no_case():
    """Control for the test above: with a true project effect of zero, more project
    money changes spending on projects but not a single case."""
    a, b = _more_project_money(**{"projects.effect_mean": 0.0, "projects.effect_sd": 0.0})
    ra, rb = run_once(make_params(**a), 3), run_once(make_params(**b), 3)
    assert _new_ambulant(ra) == _new_ambulant(rb)
    assert _yearly(rb, "spent_regional_1") > _yearly(ra, "spent_regional_1") == 0


def _incentive(scheme: str, responsiveness: float, **extra) -> dict:
    return {
        **BASE,
        "budget.bound_share": 0.7,
        "budget.regional2_share": 0.3,
        "incentive.scheme": scheme,
        "incentive.retention_share": 1.0,
        "provider.responsiveness": responsiveness,
        **extra,
    }


@pytest.mark.slow
def test_retention_with_responsive_providers_saves_regional_budget_2_at_a_price():
    """Retention rewards saving: providers shorten and thin out helps paid from
    regional budget 2, which lowers its spending, ends more helps while the need is
    still there, and raises unmet need.

    The retained money becomes next year's project money; its projects get a true
    effect of zero here to isolate the providers' channel (with a positive effect
    the extra projects can offset part of the price, which is a finding, not a bug).
    Unmet need: one-sided paired t-test at the 1 % level.
    """
    extra = {"projects.effect_mean": 0.0, "projects.effect_sd": 0.0}
    spend, unmet, ended_early = [], [], []
    for s in SEEDS:
        none = run_once(make_params(**_incentive("none", 1.0, **extra)), s)
        keep = run_once(make_params(**_incentive("retention", 1.0, **extra)), s)
        spend.append(_yearly(keep, "spent_regional_2") - _yearly(none, "spent_regional_2"))
        unmet.append(_yearly(keep, "unmet_need_families") - _yearly(none, "unmet_need_families"))
        ended_early.append(_yearly(keep, "ended_with_need") - _yearly(none, "ended_with_need"))
    assert all(d < 0 for d in spend), spend
    assert np.mean(ended_early) > 0, ended_early
    assert np.mean(unmet) > 0, unmet
    assert stats.ttest_1samp(unmet, 0.0, alternative="greater").pvalue < 0.01, unmet


def test_retention_without_responsiveness_changes_only_the_bookkeeping():
    """With zero responsiveness (and projects without effect, so that the retained
    money moved into regional budget 1 cannot act on need) every case, every euro
    spent on helps and every family outcome is identical; only the pots differ."""
    extra = {"projects.effect_mean": 0.0, "projects.effect_sd": 0.0}
    none = run_once(make_params(**_incentive("none", 0.0, **extra)), 4)
    keep = run_once(make_params(**_incentive("retention", 0.0, **extra)), 4)
    same = [
        m
        for m in none.results.metric.unique()
        if m.startswith(("cases_", "new_cases_", "ended_", "spent_regional_2", "spent_central"))
        or m in ("unmet_need_families", "waiting_families", "escalations")
    ]
    ra = none.results[none.results.metric.isin(same)].drop(columns="run_id")
    rb = keep.results[keep.results.metric.isin(same)].drop(columns="run_id")
    pd.testing.assert_frame_equal(ra.reset_index(drop=True), rb.reset_index(drop=True))
    assert _yearly(keep, "carry_over_regional_2") > 0
    assert _yearly(none, "carry_over_regional_2") == 0
