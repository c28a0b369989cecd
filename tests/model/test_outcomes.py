"""Outcomes a Jugendamt can count, and the stocks per help type (docs/ODD.md, 4.11).

* Stocks: per region and help type, stock on 1 January + helps started − helps ended =
  stock on 31 December; and granted helps are started, still waiting on 31 December or
  withdrawn, so ``cases − ended`` differs from the December stock by exactly
  ``waiting_families_dec − waiting_families_jan + grants_withdrawn`` (issue 16).
* Definitions, event by event: follow-on helps (at most a month after the previous help
  ended), re-referrals (later, at most 12 months), helps ended against the Hilfeplan
  (before the planned duration, not by success; §42 outside).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.families import END_ESCALATION, END_PLANNED, END_SUCCESS
from model.model import SozialraumModel
from model.params import ModelParams
from model.reporters import FOLLOW_ON_WINDOW_MONTHS, REREFERRAL_WINDOW_MONTHS
from model.run import run_once
from tests.fixtures.factory import make_params

SCARCE_PLACES = {
    "scale": 0.1,
    "years": 2,
    "burn_in_months": 12,
    "provider.stationary_places_per_1000_u21": 0.5,
}
"""Few stationary places: helps wait, some over New Year, and some grants are dropped."""


def _yearly(results: pd.DataFrame) -> pd.DataFrame:
    """Yearly values, one row per (year, region), one column per metric."""
    y = results[results.month == 0]
    return y.pivot_table(index=["year", "region"], columns="metric", values="value")


def _december(results: pd.DataFrame, metric: str) -> pd.Series:
    d = results[(results.month == 12) & (results.metric == metric)]
    return d.set_index(["year", "region"])["value"]


def _sum(y: pd.DataFrame, stem: str, codes: tuple[str, ...]) -> pd.Series:
    return sum(y[f"{stem}_{c}"] for c in codes)


@pytest.fixture(scope="module")
def scarce() -> tuple[ModelParams, pd.DataFrame]:
    params = make_params(**SCARCE_PLACES)
    return params, run_once(params, seed=2).results


# ---------------------------------------------------------------------- stocks


def test_stock_on_1_january_plus_started_minus_ended_is_the_stock_on_31_december(scarce):
    params, results = scarce
    y = _yearly(results)
    for code in params.help_codes:
        stock_jan = y[f"cases_{code}"] - y[f"new_cases_{code}"]
        flow = stock_jan + y[f"started_cases_{code}"] - y[f"ended_cases_{code}"]
        pd.testing.assert_series_equal(flow, y[f"stock_dec_{code}"], check_names=False)
    active_dec = _december(results, "active_cases").reindex(y.index)
    pd.testing.assert_series_equal(
        _sum(y, "stock_dec", params.help_codes), active_dec, check_names=False
    )
    assert (active_dec > 0).all()
    assert (y[[f"started_cases_{c}" for c in params.help_codes]].sum(axis=1) > 0).all()


def test_granted_helps_are_started_waiting_or_withdrawn(scarce):
    params, results = scarce
    y = _yearly(results)
    codes = params.help_codes
    balance = (
        y["waiting_families_jan"]
        + _sum(y, "new_cases", codes)
        - _sum(y, "started_cases", codes)
        - y["grants_withdrawn"]
    )
    pd.testing.assert_series_equal(balance, y["waiting_families_dec"], check_names=False)
    waiting_dec = _december(results, "waiting_families").reindex(y.index)
    pd.testing.assert_series_equal(y["waiting_families_dec"], waiting_dec, check_names=False)
    first, second = sorted(y.index.get_level_values("year").unique())
    pd.testing.assert_series_equal(
        y.loc[second, "waiting_families_jan"],
        y.loc[first, "waiting_families_dec"],
        check_names=False,
    )


def test_regression_cases_minus_ended_differs_from_december_stock(scarce):
    """Issue 16: ``cases − ended`` differed from December's ``active_cases`` unexplained.

    ``cases_X`` counts the helps *granted* in the year, the stock only *started* ones:
    the difference is the helps granted but waiting on 31 December, less those waiting
    on 1 January, plus the grants dropped before a start.
    """
    params, results = scarce
    y = _yearly(results)
    codes = params.help_codes
    gap = (
        y["cases_total"]
        - _sum(y, "ended_cases", codes)
        - _december(results, "active_cases").reindex(y.index)
    )
    assert (gap != 0).any()  # the puzzle of the issue occurs in this run
    assert y["grants_withdrawn"].sum() > 0
    named = y["waiting_families_dec"] - y["waiting_families_jan"] + y["grants_withdrawn"]
    pd.testing.assert_series_equal(gap, named, check_names=False)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    scale=st.floats(0.04, 0.08),
    years=st.integers(1, 2),
    burn_in=st.integers(0, 12),
    places=st.floats(0.2, 6.0),
    regional2=st.floats(0.0, 1.0),
    scope=st.sampled_from(["running", "new_grants", "lead_provider"]),
)
def test_stock_identities_per_region_and_type_hold_in_every_run(
    seed, scale, years, burn_in, places, regional2, scope
):
    params = make_params(
        **{
            "scale": scale,
            "years": years,
            "burn_in_months": burn_in,
            "provider.stationary_places_per_1000_u21": places,
            "budget.regional2_share": regional2,
            "budget.regional2_scope": scope,
        }
    )
    m = SozialraumModel(params, rng=seed)
    m.run()
    rec = m.recorder
    n = params.years

    def by_year(a: np.ndarray) -> np.ndarray:
        return a.reshape(n, 12, *a.shape[1:]).sum(axis=1)

    def december(a: np.ndarray) -> np.ndarray:
        return a.reshape(n, 12, *a.shape[1:])[:, -1]

    stock = rec.active_at_year_start + by_year(rec.started) - by_year(rec.ended)
    np.testing.assert_array_equal(stock, december(rec.active))
    waiting = rec.waiting_at_year_start + by_year(rec.new) - by_year(rec.started)
    np.testing.assert_array_equal(waiting - by_year(rec.withdrawn), december(rec.waiting))
    for a in (rec.started, rec.withdrawn, rec.waiting, rec.follow_on, rec.rereferrals):
        assert (a >= 0).all()
    assert (rec.against_plan <= rec.ended_hze).all()


# ---------------------------------------------------------------------- definitions


def _quiet_model(burn_in: int = 0) -> tuple[SozialraumModel, int]:
    """A model before its first step and one family without a help."""
    m = SozialraumModel(make_params(scale=0.05, years=2, burn_in_months=burn_in), rng=1)
    f = m.families
    row = int(np.flatnonzero(f.alive & ~f.active & ~f.waiting)[0])
    return m, row


def _end(m: SozialraumModel, row: int, code: str, months: int, planned: int, reason: int):
    f = m.families
    f.case_type[row] = m.params.help_codes.index(code)
    f.case_months[row] = months
    f.case_planned[row] = planned
    m.recorder.count_ends(np.array([row]), np.array([reason]))
    f.end(np.array([row]))


def _grant_at(m: SozialraumModel, row: int, month: int) -> tuple[float, float]:
    """Grant a help to ``row`` in ``month``: (follow-on helps, re-referrals) of the run."""
    m.month_abs = month
    rec = m.recorder
    before = rec.follow_on.sum(), rec.rereferrals.sum()
    rec.count_grants(np.array([row]), np.array([3], dtype=np.int16), escalated=False)
    return rec.follow_on.sum() - before[0], rec.rereferrals.sum() - before[1]


@pytest.mark.parametrize(
    ("gap", "expected"),
    [
        (0, (1, 0)),
        (FOLLOW_ON_WINDOW_MONTHS, (1, 0)),
        (FOLLOW_ON_WINDOW_MONTHS + 1, (0, 1)),
        (REREFERRAL_WINDOW_MONTHS, (0, 1)),
        (REREFERRAL_WINDOW_MONTHS + 1, (0, 0)),
    ],
)
def test_follow_on_help_and_rereferral_by_months_since_the_previous_help(gap, expected):
    m, row = _quiet_model()
    m.month_abs = 2
    _end(m, row, "31", 5, 16, END_PLANNED)
    assert _grant_at(m, row, 2 + gap) == expected


def test_a_family_without_an_earlier_help_is_neither_follow_on_nor_rereferral():
    m, row = _quiet_model()
    assert _grant_at(m, row, 3) == (0, 0)


def test_a_new_family_in_a_reused_row_has_no_earlier_help():
    m, row = _quiet_model()
    m.month_abs = 2
    _end(m, row, "31", 5, 16, END_PLANNED)
    m.families.generation[row] += 1  # the row now holds another family
    assert _grant_at(m, row, 3) == (0, 0)


def test_helps_ended_in_the_burn_in_count_as_earlier_helps():
    m, row = _quiet_model(burn_in=12)
    m.month_abs = 8  # burn-in: the end is not reported, but remembered
    _end(m, row, "31", 5, 16, END_PLANNED)
    assert m.recorder.ended.sum() == 0
    assert _grant_at(m, row, 14) == (0, 1)


@pytest.mark.parametrize(
    ("code", "months", "planned", "reason", "against", "counted"),
    [
        ("31", 4, 16, END_ESCALATION, 1, 1),  # escalation before the planned end
        ("31", 4, 16, END_SUCCESS, 0, 1),  # early success follows the plan's goals
        ("31", 16, 16, END_PLANNED, 0, 1),  # planned end
        ("31", 16, 16, END_ESCALATION, 0, 1),  # escalation at the planned end
        ("42", 1, 2, END_ESCALATION, 0, 0),  # Inobhutnahme: not a Hilfe zur Erziehung
    ],
)
def test_helps_ended_against_the_plan(code, months, planned, reason, against, counted):
    m, row = _quiet_model()
    _end(m, row, code, months, planned, reason)
    assert m.recorder.against_plan.sum() == against
    assert m.recorder.ended_hze.sum() == counted


def test_shares_and_follow_on_helps_in_a_run(scarce):
    params, results = scarce
    y = _yearly(results)
    codes = params.help_codes
    hze = [c for c, h in zip(codes, params.help_types, strict=True) if h.trait != "crisis"]
    ended_hze = sum(y[f"ended_cases_{c}"] for c in hze)
    np.testing.assert_allclose(
        y["ended_against_plan_share"], y["ended_against_plan"] / np.maximum(ended_hze, 1)
    )
    np.testing.assert_allclose(
        y["rereferral_share"], y["rereferrals_12m"] / np.maximum(y["new_cases_total"], 1)
    )
    # every escalation (and every help a crisis interrupts) is followed by a grant in the
    # same month
    assert (y["follow_on_helps"] >= y["escalations"]).all()
    assert y["rereferrals_12m"].sum() > 0
    assert y["ended_against_plan"].sum() > 0
    assert (y["follow_on_helps"] + y["rereferrals_12m"] <= y["new_cases_total"]).all()
