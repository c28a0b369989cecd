"""The scenario library: every shipped scenario loads and runs, and each system is itself.

* Smoke test: every scenario of :func:`scenarios.list_scenarios` loads and runs
  (scale 0.2, two years, real engine) with money conserved to the cent and finite
  outputs.
* Ulm: five Sozialräume with one Schwerpunktträger each; the bound budget is the
  Sozialraumkosten, 5 × 52 hours × FLS rate, and moves with the FLS rate; every help
  is in the Sozialraum budget; balancing evens the Sozialräume' balances.
* Celle: six Sozialbezirke led by the four providers; the flat pot is paid in four
  quarterly instalments; day groups (§32) are paid from it, stationary helps are not.
* Potsdam-Mittelmark: four Planregionen with 19 Sozialräume and the Kreis' population;
  the regional boards' budget funds projects.
* Systems other than Lüneburg extend its status quo and replace whole sections.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.agents import CENTRAL, R2
from model.model import SozialraumModel
from model.params import POTS, IncentiveParams, ModelParams
from model.run import RunResult, run_once
from scenarios import Scenario, list_scenarios, load_scenario
from tests.fixtures.checks import assert_books_balance

SYSTEMS = ("lueneburg", "ulm", "celle", "potsdam-mittelmark")
SMOKE = {"scale": 0.2, "years": 2}


@cache
def _scenario(name: str) -> Scenario:
    return load_scenario(name)


def _small(params: ModelParams, **changes: object) -> ModelParams:
    return dataclasses.replace(params, **{**SMOKE, **changes})


@cache
def _run(name: str, seed: int = 11) -> RunResult:
    return run_once(_small(_scenario(name).params), seed)


# ------------------------------------------------------------------ smoke test
def test_every_system_ships_a_status_quo():
    names = list_scenarios()
    for system in SYSTEMS:
        assert f"{system}-status-quo" in names


@pytest.mark.parametrize("name", list_scenarios())
def test_every_scenario_runs_with_money_conserved_and_finite_outputs(name):
    s = _scenario(name)
    assert s.description.strip()
    p = _small(s.params)
    r = _run(name)
    assert_books_balance(p, r)
    assert np.isfinite(r.results.value.to_numpy()).all()
    assert np.isfinite(r.providers.select_dtypes("number").to_numpy()).all()
    assert r.value("total_spent") > 0
    assert r.value("cases_total") > 0


def test_every_number_of_every_scenario_has_a_source_or_an_assumption():
    for name in list_scenarios():
        for path, text in _scenario(name).provenance:
            assert text.startswith(("Quelle: ", "Annahme")), (name, path, text)
            assert len(text) > len("Quelle: ") + 5, (name, path)


# ------------------------------------------------------------------ shared assumptions
@pytest.mark.parametrize("system", SYSTEMS[1:])
def test_other_systems_extend_lueneburg_and_replace_whole_sections(system):
    s = _scenario(f"{system}-status-quo")
    base = _scenario("lueneburg-status-quo").params
    assert s.extends == "lueneburg-status-quo"
    p = s.params
    # behaviour assumptions are shared ...
    for section in ("need", "recognition", "counselling", "projects"):
        assert getattr(p, section) == getattr(base, section), section
    # ... the system's own structure replaces Lüneburg's entirely
    lueneburg_regions = set(base.region_names)
    lueneburg_providers = {spec.name for spec in base.providers} - {
        "Stationäre Einrichtungen (überregional)"
    }
    assert not lueneburg_regions & set(p.region_names)
    assert not lueneburg_providers & {spec.name for spec in p.providers}
    assert p.budget.burn_in_rules == "scenario"
    assert p.budget.start_year != 0 and p.years == 5


# ------------------------------------------------------------------ Ulm
ULM_REGIONS = ["Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen"]


def test_ulm_has_five_sozialraeume_with_one_schwerpunkttraeger_each():
    p = _scenario("ulm-status-quo").params
    assert list(p.region_names) == ULM_REGIONS
    assert sum(r.population for r in p.regions) == 123_849
    leads = [spec for spec in p.providers if spec.role == "sozialraumtraeger"]
    assert sorted(spec.region for spec in leads) == sorted(ULM_REGIONS)
    m = SozialraumModel(_small(p), rng=1)
    assert (m.lead_provider >= 0).all() and len(set(m.lead_provider.tolist())) == 5
    # every help is in the Sozialraum budget (regional budget 2), nothing central; the
    # group offer of regional budget 2 is Lüneburg's lever, not in Ulm's list
    offer = [h.group_offer_replaces != () for h in m.params.help_types]
    assert m.h_r2[~np.array(offer)].all() and not m.h_r2[np.array(offer)].any()
    assert p.budget.regional2_share == 1.0 and p.budget.central_funds == 0.0
    assert p.budget.allocation_key == "sozialraumindex"
    assert p.incentive.scheme == "balancing"


def test_ulm_hour_caps_are_data_with_their_source():
    s = _scenario("ulm-status-quo")
    hours = s.params.budget.coordination_hours
    assert hours == {"controlling": 16, "jour_fix": 20, "network": 8, "ad_hoc": 8}
    prov = dict(s.provenance)
    for key in hours:
        text = prov[f"budget.coordination_hours.{key}"]
        assert text.startswith("Quelle: Vertrag §6(2)"), text
        assert s.units[f"budget.coordination_hours.{key}"] == "hours/year"


@pytest.mark.parametrize("fls_rate", [75.0, 90.0])
def test_ulm_bound_budget_is_five_times_52_hours_at_the_fls_rate(fls_rate, tmp_path):
    variant = tmp_path / "ulm-fls.yaml"
    variant.write_text(
        "name: ulm-fls\n"
        "description: Ulm mit anderem FLS-Satz\n"
        f"extends: {(Path(_scenario('ulm-status-quo').path)).as_posix()}\n"
        "overrides:\n"
        f"  provider.fls_rate: {{value: {fls_rate}, unit: EUR/FLS, assumption: Test}}\n",
        encoding="utf-8",
    )
    p = load_scenario(variant).params
    assert p.provider.fls_rate == fls_rate
    full = SozialraumModel(dataclasses.replace(p, years=1), rng=1).jugendamt
    assert full.pot_totals(0)[POTS.index("bound")] == pytest.approx(5 * 52 * fls_rate)
    r = run_once(_small(p), 11)
    bound = r.closing[r.closing.pot == "bound"]
    for year, rows in bound.groupby("year"):
        g = (1 + p.budget.yearly_increase) ** (year - p.budget.start_year)
        per_region = round(52 * fls_rate * g * SMOKE["scale"] * 100)
        assert rows.allocation.tolist() == [per_region] * 5
        assert rows.spent.tolist() == [per_region] * 5
    paid = r.ledger[(r.ledger.pot == "bound") & (r.ledger.cents != 0)]
    assert set(paid.item) == {"sozialraumkosten"}, "no Sozialraumbüro money in Ulm"


def _ulm_near_budget(**provider: float) -> ModelParams:
    """Ulm, small, with a budget near its spending and overruns carried over."""
    ulm = _scenario("ulm-status-quo").params
    return _small(
        ulm,
        budget=dataclasses.replace(
            ulm.budget, ambulatory_funds=20_000_000.0, regional2_exhaustion="next_year"
        ),
        provider=dataclasses.replace(ulm.provider, **provider),
    )


def test_ulm_balancing_evens_out_the_sozialraeume_balances():
    # a budget near the simulated spending, so that some Sozialräume are over and
    # some under it; the same run without balancing shows the uneven balances
    # (with the two-stage calibration of 3 December 2026, seed 11, regions under budget
    # per year: 16 Mio. € none, 20 Mio. € three and four of five, 28 Mio. € all five)
    # without the controlling's own request to save: a balanced budget changes the
    # money a Sozialraum holds, hence its controlling pressure and its spending (the
    # next test); here only the books are compared
    p = _ulm_near_budget(controlling_signal=0.0)
    plain = dataclasses.replace(p, incentive=IncentiveParams("none"))  # no pots to balance
    balanced, unbalanced = run_once(p, 11), run_once(plain, 11)
    b = balanced.closing[balanced.closing.pot == "regional_2"].set_index(["year", "region"])
    u = unbalanced.closing[unbalanced.closing.pot == "regional_2"].set_index(["year", "region"])
    assert (b.spent == u.spent).all(), "balancing must not change spending"
    # with exhaustion next_year an overrun stays in regional budget 2 (carried over)
    balance = u.result + u.carry_out
    mixed = balance.groupby("year").agg(lambda x: (x > 0).any() and (x < 0).any())
    assert mixed.any(), "precondition: some Sozialräume over, some under budget"
    moved = False
    for year, rows in b.groupby("year"):
        after = rows.allocation + rows.carry_in + rows.transfer_in - rows.transfer_out - rows.spent
        assert not ((after > 0).any() and (after < 0).any()), year
        assert rows.transfer_in.sum() == rows.transfer_out.sum()
        moved = moved or rows.transfer_in.sum() > 0
    assert moved
    # over the run, what the Kreis gets back (results plus what is still carried over at
    # the end) is the same: balancing only moves money between Sozialräume
    last = b.index.get_level_values("year").max()
    assert b.result.sum() + b.xs(last, level="year").carry_out.sum() == (
        u.result.sum() + u.xs(last, level="year").carry_out.sum()
    )


def test_ulm_balancing_changes_spending_through_the_controlling():
    """Balancing moves money between Sozialräume, so the one over budget is under
    less controlling pressure next year (and the one under budget under more): with
    the controlling's own request to save, balancing is a lever on spending."""
    p = _ulm_near_budget()
    assert p.provider.controlling_signal > 0
    plain = dataclasses.replace(p, incentive=IncentiveParams("none"))
    b, u = run_once(p, 11).closing, run_once(plain, 11).closing
    b, u = b[b.pot == "regional_2"], u[u.pot == "regional_2"]
    assert b.transfer_in.sum() > 0
    assert not np.array_equal(b.spent.to_numpy(), u.spent.to_numpy())


# ------------------------------------------------------------------ Celle
def test_celle_six_bezirke_led_by_the_four_providers():
    p = _scenario("celle-status-quo").params
    assert len(p.regions) == 6
    assert sum(r.population for r in p.regions) == 70_138
    assert all(10_000 <= r.population <= 15_000 for r in p.regions)
    prov = dict(_scenario("celle-status-quo").provenance)
    assert prov["municipalities.Sozialbezirk 1.population"].startswith("Annahme: ")
    coop = [spec for spec in p.providers if spec.role == "sozialraumtraeger"]
    assert len(coop) == 4 and all(spec.region is None for spec in coop)
    m = SozialraumModel(_small(p), rng=1)
    assert (m.lead_provider >= 0).all()
    assert len(set(m.lead_provider.tolist())) == 4
    assert p.incentive.scheme == "flat"


def test_celle_flat_pot_is_paid_in_four_quarterly_instalments():
    r = _run("celle-status-quo")
    flat = r.ledger[r.ledger.kind == "flat"]
    assert sorted(flat.month.unique()) == [1, 4, 7, 10]
    assert set(flat.pot) == {"regional_2"}
    c = r.closing[r.closing.pot == "regional_2"].set_index(["year", "region"])
    paid = flat.groupby(["year", "region"]).cents
    assert (paid.sum().reindex(c.index) == c.allocation + c.carry_in).all()
    assert (paid.count() == 4).all()
    assert ((paid.max() - paid.min()) <= 1).all()
    # no single help is booked on the flat pot: the providers pay them
    assert r.ledger[(r.ledger.pot == "regional_2") & (r.ledger.kind == "case")].empty


def test_celle_day_groups_from_the_flat_pot_stationary_helps_not():
    p = _small(_scenario("celle-status-quo").params, scale=0.5)
    m = SozialraumModel(p, rng=3)
    pots: dict[str, set[int]] = {code: set() for code in ("31", "32", "33", "34")}
    f = m.families
    while m.month_abs < m.total_months:
        m.step()
        for code in pots:
            rows = f.active & (f.case_type == p.help_index(code))
            pots[code].update(int(x) for x in np.unique(f.case_pot[rows]))
    assert pots["32"] == {R2} and pots["31"] == {R2}
    assert pots["33"] == {CENTRAL} and pots["34"] == {CENTRAL}
    ledger = m.ledger.frame(p.budget.start_year, p.burn_in_months)
    cases = ledger[ledger.kind == "case"]
    assert set(cases[cases.item.isin(["33", "34"])].pot) == {"central"}
    assert cases[cases.item == "32"].empty


# ------------------------------------------------------------------ Potsdam-Mittelmark
PM_REGIONS = {
    "Planregion 1": 72_294,
    "Planregion 2": 63_516 + 4_598,
    "Planregion 3": 28_249 + 10_884,
    "Planregion 4": 38_413,
}


def test_potsdam_mittelmark_four_planregionen_nineteen_sozialraeume():
    s = _scenario("potsdam-mittelmark-status-quo")
    p = s.params
    assert {r.name: r.population for r in p.regions} == PM_REGIONS
    assert sum(len(r.municipalities) for r in p.regions) == 19
    assert sum(r.population for r in p.regions) == 217_954
    prov = dict(s.provenance)
    for derived in ("Gemeinde Seddiner See", "Gemeinde Kloster Lehnin"):
        assert prov[f"municipalities.{derived}.population"].startswith("Annahme (abgeleitet)")
    assert prov["municipalities.Stadt Teltow.population"].startswith("Quelle: ")


def test_potsdam_mittelmark_regional_boards_fund_projects_from_regional_budget_1():
    r = _run("potsdam-mittelmark-status-quo")
    r1 = r.ledger[r.ledger.pot == "regional_1"]
    assert not r1.empty and set(r1.kind) == {"project"}
    assert r1.region.nunique() == 4
    spent = r.closing[r.closing.pot == "regional_1"].groupby("year").spent.sum()
    alloc = r.closing[r.closing.pot == "regional_1"].groupby("year").allocation.sum()
    assert ((spent > 0) & (spent <= alloc)).all()
    assert r.ledger[r.ledger.pot == "regional_2"].empty


# ------------------------------------------------------------------ Lüneburg variants
def test_lueneburg_key_variants_differ_from_their_base_only_in_the_allocation():
    base = _run("lueneburg-rb2-20-keine")
    for name, key in (
        ("lueneburg-rb2-20-sozialraumindex", "sozialraumindex"),
        ("lueneburg-rb2-20-vorjahr", "history"),
    ):
        s = _scenario(name)
        assert s.params.budget.allocation_key == key
        assert s.extends == "lueneburg-rb2-20-keine"
        r = _run(name)
        a = r.closing.set_index(["year", "region", "pot"]).allocation
        b = base.closing.set_index(["year", "region", "pot"]).allocation
        assert (a.groupby(["year", "pot"]).sum() == b.groupby(["year", "pot"]).sum()).all()
        assert not a.equals(b), name
    # the index variant's example values move money to Region 1
    idx = _run("lueneburg-rb2-20-sozialraumindex").closing
    pop = base.closing
    first = idx.year.min()
    share = pd.Series(
        {
            "index": idx[(idx.year == first) & (idx.region == "Region 1")].allocation.sum(),
            "population": pop[(pop.year == first) & (pop.region == "Region 1")].allocation.sum(),
        }
    )
    assert share["index"] > share["population"]
