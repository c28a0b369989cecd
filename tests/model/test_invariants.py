"""Invariants on random scenarios (Hypothesis): money, entitlement, stocks.

* Money is conserved to the cent: per region, pot and year (also with Sozialraumbüros
  and the quota, which split the sozialraum funds between bound budget and RB1)
  allocation + carry-in + transfers in − transfers out = spending + carry-over + result,
  spending equals the ledger, carry-overs arrive next year, transfers net to zero,
  and the regional allocations add up to the pot.
* No entitled help is ever refused: every need that becomes known has a granted help.
* No count goes negative; every active case has exactly one provider and one pot (a
  help carried by regional budget 2 under scope ``lead_provider`` is the
  Sozialraumträger's; none is carried while there is no regional budget 2).
* All three hold under every rule of regional budget 2 (scope with its hand-over at the
  reform date, payment, exhaustion), drawn with the other levers.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.agents import CENTRAL, R2
from model.model import SozialraumModel
from model.params import POTS
from model.run import run_once
from tests.fixtures.checks import assert_books_balance
from tests.fixtures.factory import make_params
from tests.fixtures.offices import make_office_params, quota

COUNT_UNITS = {"Fälle", "Familien", "Personen", "Projekte", "Termine", "Träger", "VZÄ"}

scenario = st.fixed_dictionaries(
    {
        "scale": st.floats(0.04, 0.1),
        "years": st.integers(1, 3),
        "burn_in_months": st.integers(0, 12),
        "budget.bound_share": st.floats(0.0, 1.0),
        "budget.regional2_share": st.floats(0.0, 1.0),
        "budget.yearly_increase": st.floats(-0.05, 0.1),
        "budget.ambulatory_funds": st.floats(1e5, 8e6),
        "budget.central_funds": st.floats(1e6, 3e7),
        "budget.allocation_key": st.sampled_from(["population", "sozialraumindex", "history"]),
        "budget.regional2_scope": st.sampled_from(["running", "new_grants", "lead_provider"]),
        "budget.regional2_payment": st.sampled_from(["pro_rata", "first_come"]),
        "budget.regional2_exhaustion": st.sampled_from(["central", "next_year"]),
        "budget.regional2_group_share": st.sampled_from([0.0, 0.0, 0.3, 1.0]),
        "budget.incentive_recipients": st.sampled_from(
            ["delivered_share", "lead_provider", "regional_body"]
        ),
        "incentive.scheme": st.sampled_from(
            ["none", "retention", "bonus_malus", "flat", "balancing"]
        ),
        "incentive.retention_share": st.floats(0.0, 1.0),
        "incentive.corridor": st.floats(0.0, 0.3),
        "incentive.bonus_share": st.floats(0.0, 1.0),
        "incentive.malus_share": st.floats(0.0, 1.0),
        "incentive.balancing_pots": st.sampled_from(
            [("regional_2",), ("regional_1", "regional_2"), ("central",), POTS]
        ),
        "provider.responsiveness": st.floats(0.0, 1.0),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=scenario, seed=st.integers(0, 2**31 - 1))
def test_money_is_conserved_to_the_cent(overrides, seed):
    p = make_params(**overrides)
    r = run_once(p, seed)
    assert_books_balance(p, r)
    if p.budget.regional2_exhaustion == "central" and p.incentive.scheme != "flat":
        # a region's regional budget 2 pays its helps only while its money lasts
        led = r.ledger
        paid = led[(led.kind == "case") & (led.pot == "regional_2")]
        paid = paid.groupby(["year", "region"]).cents.sum()
        c = r.closing[r.closing.pot == "regional_2"].set_index(["year", "region"])
        held = c.allocation + c.carry_in
        assert (paid.reindex(held.index, fill_value=0) <= held).all()
    res = r.results
    counts = res[res.unit.isin(COUNT_UNITS)]
    assert (counts.value >= 0).all(), counts[counts.value < 0].head()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=scenario, seed=st.integers(0, 2**31 - 1))
def test_entitled_help_never_refused_and_cases_well_formed(overrides, seed):
    p = make_params(**overrides)
    model = SozialraumModel(p, rng=seed)
    f = model.families
    recognised: list[np.ndarray] = []
    original = f.recognise

    def spy(u_known, u_crisis):
        known, crisis = original(u_known, u_crisis)
        recognised.append(np.concatenate([known, crisis]))
        return known, crisis

    f.recognise = spy
    n_prov = len(model.providers)
    g = model.group_type
    in_groups = np.zeros(model.n_regions, dtype=np.int64)
    while model.month_abs < model.total_months:
        recognised.clear()
        model.step()
        group = (f.case_type == g) | (f.waiting & (f.wait_type == g))
        now = np.bincount(f.region[group], minlength=model.n_regions)
        grew = now > in_groups
        assert np.all(now[grew] <= model.group_places[grew]), "more group places than paid"
        in_groups = now
        rows = np.concatenate(recognised) if recognised else np.zeros(0, dtype=int)
        assert np.all(f.active[rows] | f.waiting[rows]), "a known need got no help"
        on = f.active
        assert not np.any(on & f.waiting)
        assert np.all((f.case_provider[on] >= 0) & (f.case_provider[on] < n_prov))
        assert np.all(np.isin(f.case_pot[on], [R2, CENTRAL]))
        carried = on & (f.case_pot == R2)
        if p.budget.regional2_scope == "lead_provider":
            lead = model.lead_provider[f.region[carried]]
            assert np.array_equal(f.case_provider[carried], lead)
        if model.budget.regional2_share == 0:
            assert not carried.any()
        assert np.all(f.case_provider[~on] == -1)
        assert np.all(f.case_pot[~on] == -1)
        assert np.all(f.need[f.alive] >= 0)
        assert np.all(f.child_age >= -1)
        assert not np.any(on & ~f.alive)


# ------------------------------------------------------------------ Sozialraumbüros

office_scenario = st.fixed_dictionaries(
    {
        "scale": st.floats(0.04, 0.1),
        "years": st.integers(1, 3),
        "burn_in_months": st.integers(0, 12),
        "budget.bound_share": st.floats(0.0, 1.0),
        "budget.sozialraum_funds": st.floats(1e5, 5e6),
        "budget.yearly_increase": st.floats(-0.05, 0.1),
        "budget.regional2_share": st.floats(0.0, 0.5),
        "budget.allocation_key": st.sampled_from(["population", "sozialraumindex", "history"]),
        "incentive.scheme": st.sampled_from(["none", "retention", "bonus_malus", "flat"]),
    }
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    overrides=office_scenario,
    seed=st.integers(0, 2**31 - 1),
    start=st.integers(2024, 2029),
    path=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
)
def test_money_is_conserved_with_sozialraumbueros_and_quota(overrides, seed, start, path):
    """The quota splits the sozialraum funds exactly between bound budget and RB1."""
    p = make_office_params(**overrides)
    p = dataclasses.replace(
        p, sozialraum_quota=quota(start_year=start, compensation_path=tuple(path))
    )
    r = run_once(p, seed)
    assert_books_balance(p, r)
    c = r.closing.set_index(["year", "region", "pot"])
    for year in range(p.budget.start_year, p.budget.start_year + p.years):
        both = c.xs(year, level="year").allocation
        g = (1 + p.budget.yearly_increase) ** (year - p.budget.start_year)
        funds = round(p.budget.sozialraum_funds * g * p.scale * 100)
        sel = both[both.index.get_level_values("pot").isin(["bound", "regional_1"])]
        assert sel.sum() == funds
