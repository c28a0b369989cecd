"""Budget rules of the model that the library's systems need (real engine, small runs).

* Sozialraumkosten (``budget.coordination_hours``): hours × FLS rate per region in the
  bound budget, not split by the key, billed quarterly, not funding counselling.
* ``budget.regional2_help_types``: which help types regional budget 2 covers.
* ``ProviderSpec.lead_regions``: one Sozialraumträger leads several regions.
* ``budget.burn_in_rules``: the burn-in runs under the scenario's own rules.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.agents import BOUND, CENTRAL, R1, R2
from model.model import SozialraumModel
from model.params import ProviderSpec
from model.run import run_once
from tests.fixtures.factory import make_params

HOURS = {"controlling": 16.0, "jour_fix": 20.0, "network": 8.0, "ad_hoc": 8.0}
SMALL = {"scale": 0.05, "years": 2, "burn_in_months": 12}


def _cents(eur: float) -> int:
    return round(eur * 100)


# ------------------------------------------------------------------ Sozialraumkosten
def test_coordination_hours_add_hours_times_fls_rate_per_region_to_the_bound_budget():
    p = make_params(**SMALL, **{"budget.coordination_hours": HOURS})
    plain = make_params(**SMALL)
    with_hours = SozialraumModel(p, rng=1).jugendamt
    without = SozialraumModel(plain, rng=1).jugendamt
    per_region = 52 * 75.0 * p.scale
    extra = with_hours.pot_totals(0) - without.pot_totals(0)
    assert extra[BOUND] == pytest.approx(3 * per_region)
    assert extra[[R1, R2, CENTRAL]].tolist() == [0.0, 0.0, 0.0]
    # the yearly increase applies like for every budget
    assert with_hours.coordination_cents(2).tolist() == [_cents(52 * 75.0 * 1.025**2 * p.scale)] * 3


def test_coordination_moves_with_the_fls_rate():
    base = make_params(**SMALL, **{"budget.coordination_hours": HOURS})
    dear = dataclasses.replace(base, provider=dataclasses.replace(base.provider, fls_rate=90.0))
    a = SozialraumModel(base, rng=1).jugendamt.coordination_cents(0)
    b = SozialraumModel(dear, rng=1).jugendamt.coordination_cents(0)
    assert a.tolist() == [_cents(52 * 75.0 * base.scale)] * 3
    assert b.tolist() == [_cents(52 * 90.0 * base.scale)] * 3


def test_coordination_is_not_split_by_the_key_is_billed_quarterly_and_funds_no_counselling():
    # a population key splits the bound budget unequally; the hours stay equal
    p = make_params(**SMALL, **{"budget.coordination_hours": HOURS})
    plain = make_params(**SMALL)
    r = run_once(p, 3)
    r0 = run_once(plain, 3)
    per_region = np.array(
        [_cents(52 * 75.0 * 1.025**y * p.scale) for y in range(p.years)], dtype=np.int64
    )
    c = r.closing[r.closing.pot == "bound"].set_index(["year", "region"]).sort_index()
    c0 = r0.closing[r0.closing.pot == "bound"].set_index(["year", "region"]).sort_index()
    extra = (c.allocation - c0.allocation).unstack("region")
    assert (extra.to_numpy() == per_region[:, None]).all()
    assert (c.spent == c.allocation).all()
    booked = r.ledger[r.ledger.item == "sozialraumkosten"]
    assert sorted(booked.month.unique()) == [3, 6, 9, 12]
    assert set(booked.kind) == {"office"} and set(booked.pot) == {"bound"}
    yearly = booked.groupby(["year", "region"]).cents.sum().unstack("region")
    assert (yearly.to_numpy() == per_region[:, None]).all()
    # counselling capacity comes from the rest of the bound budget only
    m = SozialraumModel(p, rng=3)
    m0 = SozialraumModel(plain, rng=3)
    for _ in range(2):
        m.step()
        m0.step()
    assert m.jugendamt.coordination.sum() > 0
    assert np.allclose(m.counselling_capacity, m0.counselling_capacity)


# ------------------------------------------------------------------ regional budget 2
def test_regional2_help_types_choose_the_help_types_of_regional_budget_2():
    default = SozialraumModel(make_params(**SMALL), rng=1)
    assert [
        h.code for h, r2 in zip(default.params.help_types, default.h_r2, strict=True) if r2
    ] == ["27_2", "30", "31", "27_2_gruppe"]
    p = make_params(
        **SMALL,
        **{"budget.regional2_help_types": ("31", "32"), "budget.regional2_share": 1.0},
    )
    m = SozialraumModel(p, rng=2)
    assert [h.code for h, r2 in zip(p.help_types, m.h_r2, strict=True) if r2] == ["31", "32"]
    seen: dict[str, set[int]] = {"31": set(), "32": set(), "30": set()}
    f = m.families
    while m.month_abs < m.total_months:
        m.step()
        if m.in_burn_in:
            continue
        for code in seen:
            rows = f.active & (f.case_type == p.help_index(code))
            seen[code].update(int(x) for x in np.unique(f.case_pot[rows]))
    # only cases granted after the burn-in (pre-reform rules) are in regional budget 2;
    # §30 is never, §31 and §32 are (all new ones, with share 1)
    assert seen["30"] == {CENTRAL}
    assert R2 in seen["31"] and R2 in seen["32"]


# ------------------------------------------------------------------ lead regions
def _lead_params(**extra):
    providers = (
        ProviderSpec(
            "Kooperation A", None, "sozialraumtraeger", 12, 150_000, lead_regions=("Region 3",)
        ),
        ProviderSpec(
            "Kooperation B",
            None,
            "sozialraumtraeger",
            12,
            150_000,
            lead_regions=("Region 1", "Region 2"),
        ),
        ProviderSpec("Stationär", None, "stationaer", 0, 1_000_000),
    )
    return make_params(**SMALL, providers=providers, **extra)


def test_one_sozialraumtraeger_leads_several_regions():
    m = SozialraumModel(_lead_params(), rng=1)
    assert m.lead_provider.tolist() == [1, 1, 0]
    # a provider with a region leads it, as before
    assert SozialraumModel(make_params(**SMALL), rng=1).lead_provider.tolist() == [0, 1, 2]


def test_flat_budgets_go_to_the_provider_that_leads_the_region():
    p = _lead_params(
        **{"incentive.scheme": "flat", "budget.regional2_share": 0.3, "budget.bound_share": 0.8}
    )
    r = run_once(p, 4)
    flat = r.ledger[r.ledger.kind == "flat"]
    assert not flat.empty
    owner = flat.groupby("region").provider.unique().to_dict()
    assert {k: list(v) for k, v in owner.items()} == {
        "Region 1": ["Kooperation B"],
        "Region 2": ["Kooperation B"],
        "Region 3": ["Kooperation A"],
    }
    office = r.ledger[r.ledger.kind == "office"]
    assert set(office[office.region == "Region 3"].provider) == {"Kooperation A"}


# ------------------------------------------------------------------ burn-in rules
def test_burn_in_under_the_scenarios_own_rules():
    rules = {**SMALL, "scale": 0.2, "budget.bound_share": 0.5, "budget.regional2_share": 1.0}
    pre = SozialraumModel(make_params(**rules), rng=5)
    own = SozialraumModel(make_params(**rules, **{"budget.burn_in_rules": "scenario"}), rng=5)
    for m in (pre, own):
        for _ in range(m.params.burn_in_months):
            m.step()
    # pre-reform: everything in the bound budget, no regional budget 2, no projects
    assert pre.budget.bound_share == 1.0 and pre.budget.regional2_share == 0.0
    assert not any(b.projects for b in pre.bodies)
    assert not (pre.families.case_pot[pre.families.active] == R2).any()
    # own rules: projects voted and regional budget 2 used already in the burn-in
    assert own.budget == own.params.budget
    assert any(b.projects for b in own.bodies)
    assert (own.families.case_pot[own.families.active] == R2).any()
    # the first reported month starts clean in both modes
    for m in (pre, own):
        m.jugendamt.carry_in[:] = 7
        m.providers[0].reserves = -1.0
        m.step()
        assert not m.jugendamt.carry_in.any()
        first = m.providers[0]
        revenue, transfers, cost = first.last_month
        assert first.reserves == pytest.approx(first.start_reserves + revenue + transfers - cost)
