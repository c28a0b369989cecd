"""Sozialraumbüros and the Lüneburg quota (Vorlage 2025/124).

* The quota splits the sozialraum funds by Sozialraum; the deficits of the compensated
  Sozialräume come off the top; compensation and freed money add up to the deficit;
  every split adds up to the cent (Hypothesis).
* An office pays its fixed costs first and staffs positions with the rest: moving money
  from the bound budget to regional budget 1 costs positions and appointments, never
  fixed costs; a region's counselling capacity is its offices'.
* Each office's money is booked to its Träger; the Träger's books carry it.
* Compensation path: full in 2026, 75/50/25 % in 2027–2029, none from 2030; the freed
  money is in regional budget 1 of the Sozialraum's region.
* The per-agent reference docks exactly with offices too.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.agents import BOUND, R1
from model.allocation import office_split, quota_deficits, quota_shares, split_cents
from model.model import SozialraumModel
from model.reference import ReferenceModel
from model.run import run_once
from tests.fixtures.checks import assert_books_balance
from tests.fixtures.offices import (
    COMPENSATED,
    PATH,
    SOZIALRAEUME,
    make_office_params,
    offices,
    shipped_params,
)

SCALE = 0.1
"""Small scale: budgets scale, so do the offices' fixed costs."""


def _opened(params, years: int = 5) -> list[tuple[int, SozialraumModel, dict]]:
    """Per reported year: the model state right after the January allocation (the
    first ``years`` reported years)."""
    m = SozialraumModel(params, rng=1)
    out = []
    while m.month_abs < m.total_months:
        january = m.month_of_year == 1 and m.year_index >= 0
        year = m.params.budget.start_year + m.year_index
        m.step()
        if january:
            ja = m.jugendamt
            out.append(
                (
                    year,
                    m,
                    {
                        "allocation": ja.allocation.copy(),
                        "budget": ja.office_budget.copy(),
                        "comp": ja.office_compensation.copy(),
                        "freed": ja.office_freed.copy(),
                        "staff": np.array([o.staff for o in m.offices]),
                        "fixed": np.array([o.fixed for o in m.offices]),
                        "capacity": m.counselling_capacity.copy(),
                    },
                )
            )
        if len(out) == years and m.month_of_year == 12:
            break
    return out


# ------------------------------------------------------------------ the quota


def test_quota_weights_population_by_the_burden_index():
    pop = np.array([s for s in (5535.0, 9692.0)])
    shares = quota_shares(pop, [{"sgb2_share": 0.2}, {"sgb2_share": 0.1}], {"sgb2_share": 1.0})
    # index 1 + (x / mean − 1): mean weighted by population
    mean = (0.2 * 5535 + 0.1 * 9692) / (5535 + 9692)
    weight = pop * np.array([1 + (0.2 / mean - 1), 1 + (0.1 / mean - 1)])
    assert np.allclose(shares, weight / weight.sum())
    with pytest.raises(ValueError, match="unknown indicator"):
        quota_shares(pop, [{"x": 1.0}, {"x": 1.0}], {"x": 1.0})


def test_shipped_quota_makes_exactly_the_three_of_the_vorlage_lose():
    """Vorlage 2025/124 c): Bleckede, Scharnebeck and Adendorf lose under the new quota."""
    p = shipped_params()
    m = SozialraumModel(dataclasses.replace(p, burn_in_months=0, years=1), rng=1)
    ja = m.jugendamt
    new = ja.office_shares(new=True) * p.budget.sozialraum_funds
    before = np.array([o.budget_before for o in p.offices])
    losers = {o.sozialraum for o, n, b in zip(p.offices, new, before, strict=True) if n < b}
    assert losers == set(COMPENSATED)
    d = ja.office_deficits() / 100
    assert {o.sozialraum for o, x in zip(p.offices, d, strict=True) if x > 0} == set(COMPENSATED)
    # full compensation keeps a compensated Sozialraum at its old budget (to the cent)
    bound, _, comp, _ = office_split(
        round(p.budget.sozialraum_funds * 100), ja.office_shares(True), ja.office_deficits(), 1, 1
    )
    for o, b, c in zip(p.offices, bound, comp, strict=True):
        if o.sozialraum in COMPENSATED:
            assert abs(b - round(o.budget_before * 100)) <= 1 and c > 0


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(0, 10**9),
    weights=st.lists(st.floats(0.01, 10.0), min_size=2, max_size=12),
    before_scale=st.floats(0.0, 2.0),
    compensated=st.lists(st.booleans(), min_size=12, max_size=12),
    share=st.floats(0.0, 1.0),
    bound_share=st.floats(0.0, 1.0),
)
def test_the_split_adds_up_to_the_cent(
    total, weights, before_scale, compensated, share, bound_share
):
    n = len(weights)
    q = np.array(weights) / sum(weights)
    before = split_cents(round(total * before_scale), np.ones(n)[::-1] + np.arange(n))
    comp = np.array(compensated[:n])
    d = quota_deficits(total, q, before, comp)
    assert (d >= 0).all() and d.sum() <= total
    assert (d[~comp] == 0).all()
    bound, r1, c, freed = office_split(total, q, d, share, bound_share)
    assert int(bound.sum() + r1.sum()) == total
    assert (c + freed == d).all() and (c >= 0).all() and (freed >= 0).all()
    assert (bound >= 0).all() and (r1 >= 0).all()


def test_deficits_are_zero_where_a_compensated_sozialraum_does_not_lose():
    d = quota_deficits(1000, np.array([0.5, 0.5]), np.array([400, 600]), np.array([True, True]))
    assert d.tolist() == [0, 200]  # 600 > 0.5 × 1000: (600 − 500) / (1 − 0.5)


# ------------------------------------------------------------------ compensation path


def test_compensation_path_and_freed_money_in_regional_budget_1():
    """2026 full, then 75/50/25 %, from 2030 none; the rest in RB1 of the region."""
    p = make_office_params(scale=SCALE, years=5, burn_in_months=0)
    years = _opened(p)
    region = {s: r for s, r, *_ in SOZIALRAEUME}
    comp_rows = [i for i, o in enumerate(p.offices) if o.sozialraum in COMPENSATED]
    first = years[0][2]
    deficit = first["comp"][comp_rows]
    assert (deficit > 0).all() and (first["freed"] == 0).all()
    for k, (year, _, state) in enumerate(years):
        assert year == 2026 + k
        expected = np.rint(deficit * PATH[k]).astype(np.int64)
        assert (state["comp"][comp_rows] == expected).all(), year
        assert (state["comp"][comp_rows] + state["freed"][comp_rows] == deficit).all()
        # status quo: bound share 1, so regional budget 1 holds exactly the freed money
        for r, name in enumerate(p.region_names):
            rows = [i for i in comp_rows if region[p.offices[i].sozialraum] == name]
            assert state["allocation"][r, R1] == state["freed"][rows].sum(), (year, name)
    assert years[-1][2]["allocation"][:, R1].sum() == deficit.sum()
    assert years[-1][2]["allocation"][2, R1] == 0  # Region 3 has no compensated Sozialraum


def test_compensated_offices_keep_their_old_budget_in_the_first_year():
    p = make_office_params(scale=SCALE, years=1, burn_in_months=0)
    _, _, state = _opened(p, 1)[0]
    for i, o in enumerate(p.offices):
        if o.sozialraum in COMPENSATED:
            assert abs(state["budget"][i] - round(o.budget_before * SCALE * 100)) <= 1


def test_burn_in_uses_the_old_quota():
    """Before the reform the offices share the funds by their budgets before the quota."""
    p = make_office_params(scale=SCALE, years=1, burn_in_months=12)
    m = SozialraumModel(p, rng=2)
    m.step()  # first burn-in January
    budget = m.jugendamt.office_budget
    before = np.array([o.budget_before for o in p.offices])
    expected = split_cents(round(p.budget.sozialraum_funds * SCALE * 100), before / before.sum())
    assert (budget == expected).all()
    assert (m.jugendamt.office_compensation == 0).all()


def test_without_a_quota_the_old_quota_stays():
    p = make_office_params(with_quota=False, scale=SCALE, years=2, burn_in_months=0)
    for _, _, state in _opened(p, 2):
        assert (state["comp"] == 0).all() and state["allocation"][:, R1].sum() == 0
        before = np.array([o.budget_before for o in p.offices])
        total = state["budget"].sum()
        assert np.allclose(state["budget"] / total, before / before.sum(), atol=1e-6)


# ------------------------------------------------------------------ positions, capacity


def test_fixed_costs_first_positions_from_the_rest():
    p = make_office_params(scale=SCALE, years=2, burn_in_months=0)
    c = p.counselling
    for year, m, state in _opened(p, 2):
        growth = (1 + p.budget.yearly_increase) ** (year - 2026)
        fixed = np.array([o.fixed_costs for o in p.offices]) * growth * SCALE
        assert np.allclose(state["fixed"], fixed)
        staff = np.maximum(state["budget"] / 100 - fixed, 0) / c.cost_per_fte_year
        assert np.allclose(state["staff"], staff)
        cap = np.zeros(len(p.regions))
        np.add.at(cap, m.office_region, staff * c.appointments_per_fte_month)
        assert np.allclose(state["capacity"], cap)


def test_moving_money_to_regional_budget_1_costs_positions_not_fixed_costs():
    full = _opened(make_office_params(scale=SCALE, years=1, burn_in_months=0), 1)[0][2]
    less = _opened(
        make_office_params(scale=SCALE, years=1, burn_in_months=0, **{"budget.bound_share": 0.7}),
        1,
    )[0][2]
    assert np.allclose(less["fixed"], full["fixed"])
    assert (less["staff"] < full["staff"]).all()
    assert (less["capacity"] < full["capacity"]).all()
    assert less["allocation"][:, R1].sum() > 0
    moved = (full["budget"] - less["budget"]).sum() / 100
    lost = (
        full["staff"] - less["staff"]
    ).sum() * make_office_params().counselling.cost_per_fte_year
    assert moved == pytest.approx(lost, rel=1e-9)


def test_a_budget_below_the_fixed_costs_funds_no_position():
    p = make_office_params(scale=SCALE, years=1, burn_in_months=0, **{"budget.bound_share": 0.05})
    state = _opened(p, 1)[0][2]
    poor = state["budget"] / 100 < state["fixed"]
    assert poor.any() and (state["staff"][poor] == 0).all()


def test_calibrated_kreis_capacity_is_kept_in_the_first_year():
    """The offices' fixed costs are 25 % of the 2026 bound budget (counselling.fixed_share)."""
    p = shipped_params()
    fixed = sum(o.fixed_costs for o in p.offices)
    assert fixed == pytest.approx(p.counselling.fixed_share * p.budget.sozialraum_funds, abs=1)
    with_offices = _opened(dataclasses.replace(p, scale=SCALE, years=1, burn_in_months=0), 1)
    without = SozialraumModel(
        dataclasses.replace(
            p, scale=SCALE, years=1, burn_in_months=0, offices=(), sozialraum_quota=None
        ),
        rng=1,
    )
    without.step()
    assert with_offices[0][2]["capacity"].sum() == pytest.approx(
        without.counselling_capacity.sum(), rel=1e-4
    )


# ------------------------------------------------------------------ bookings


def test_each_office_is_paid_to_its_traeger_and_in_its_books():
    p = dataclasses.replace(shipped_params(), scale=0.2, years=2, burn_in_months=12)
    r = run_once(p, 3)
    assert_books_balance(p, r)
    led = r.ledger[r.ledger.kind == "office"]
    paid = led.groupby(["year", "provider"]).cents.sum()
    years = _opened(p, 2)
    for year, _, state in years:
        for o, cents in zip(p.offices, state["budget"], strict=True):
            assert paid[(year, o.provider)] == cents
    assert set(led.provider) == {o.provider for o in p.offices}
    assert not led.provider.str.startswith("Sozialraumträger Region").any()
    prov = r.providers.set_index(["year", "provider"])
    checked = 0
    for year, _m, state in years:
        for o, cents in zip(p.offices, state["budget"], strict=True):
            row = prov.loc[(year, o.provider)]
            if not row.active:  # a Träger that left the market books nothing (small scale)
                continue
            checked += 1
            assert row.transfers_eur >= cents / 100 - 1e-6  # office money is in its books
            assert row.cost_eur >= max(cents / 100, 0) - 1e-6
    assert checked >= 10


def test_an_office_leaves_its_traegers_reserves_unchanged():
    """The office costs what it gets (its budget covers the fixed costs)."""
    p = dataclasses.replace(make_office_params(scale=SCALE, years=1, burn_in_months=0))
    m = SozialraumModel(p, rng=5)
    m.step()
    for prov in m.providers:
        if prov.office_cost:
            _, _, cost = prov.last_month
            office = sum(o.cost_month for o in m.offices if o.provider == prov.index)
            assert prov.office_cost == pytest.approx(office)
            staff_cost = cost - office
            assert staff_cost == pytest.approx(prov.staff * p.provider.cost_per_fte_month, rel=1e-9)
    budgets = m.jugendamt.office_budget.sum() / 100
    assert sum(o.cost_month for o in m.offices) * 12 == pytest.approx(budgets)


def test_regression_office_money_went_to_the_regions_placeholder():
    """Office money was booked to the region's lead, whichever Träger ran the office."""
    p = dataclasses.replace(shipped_params(), scale=SCALE, years=1, burn_in_months=0)
    m = SozialraumModel(p, rng=1)
    for _ in range(12):
        m.step()
    led = m.ledger.frame(2026)
    office = led[led.kind == "office"].groupby("provider").cents.sum()
    assert len(office) == 10
    for i in m.lead_provider:
        lead = m.providers[i].name
        own = [k for k, o in enumerate(p.offices) if o.provider == lead]
        assert office[lead] == m.jugendamt.office_budget[own].sum()


# ------------------------------------------------------------------ invariants, docking


def test_offices_dock_with_the_per_agent_reference():
    """Exact docking with offices: the ledger and every family column agree."""

    class CommonNumbers(ReferenceModel):
        common_numbers = True

    params = make_office_params(scale=0.12, years=2, burn_in_months=12)
    vec = SozialraumModel(params, rng=4)
    ref = CommonNumbers(params, rng=4)
    for _ in range(vec.total_months):
        vec.step()
        ref.step()
    np.testing.assert_array_equal(ref.families.counsel_left, vec.families.counsel_left)
    np.testing.assert_allclose(ref.counselling_capacity, vec.counselling_capacity)
    start, burn_in = params.budget.start_year, params.burn_in_months
    pd.testing.assert_frame_equal(
        ref.ledger.frame(start, burn_in), vec.ledger.frame(start, burn_in)
    )
    assert vec.recorder.counsel_new.sum() > 0


def test_offices_fixture_matches_the_bound_pot():
    """Each region's bound budget is the sum of its offices' budgets."""
    p = make_office_params(scale=SCALE, years=1, burn_in_months=0)
    _, m, state = _opened(p, 1)[0]
    per_region = np.zeros(len(p.regions), dtype=np.int64)
    np.add.at(per_region, m.office_region, state["budget"])
    assert (state["allocation"][:, BOUND] == per_region).all()
    assert len(offices()) == 10
