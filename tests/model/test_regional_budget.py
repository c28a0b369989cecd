"""Regional budget 2 as money a region holds (``model.model``: grant, hand-over, billing).

* With zero responsiveness the reform's money rules change no case outcome: the
  same seeds give the same families, cases and providers as the status quo.
* The hand-over at the reform date: the first reform year carries the same helps as
  the second, so its regional-budget-2 spending is comparable (not a start-up ramp).
* With positive responsiveness the share of regional budget 2 matters, through the
  money at stake per euro saved.
* Exhaustion: with ``central`` the region never pays more than it holds; with
  ``next_year`` the overrun is deducted from next year's regional budget 2.
* ``first_come`` pays whole bills until the money is used up; ``lead_provider``
  carries only the helps of the region's Sozialraumträger.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.agents import CENTRAL, R2
from model.model import SozialraumModel
from model.params import IncentiveParams
from model.run import RunResult, run_group, run_once
from tests.fixtures.factory import make_params

SIZE = {"scale": 0.1, "years": 2, "burn_in_months": 12}
SETTLED = {**SIZE, "burn_in_months": 24}
"""A burn-in long enough for the stock of helps to settle (12 months is not: the
stock still grows, and every year looks smaller than the next)."""
SEEDS = range(1, 21)
SCHEME_VALUES = {
    "bonus_malus": {"bonus_share": 0.5, "malus_share": 0.5},
    "retention": {"retention_share": 0.5},
}
"""Parameters of the schemes the tests use (the others keep their defaults)."""
CASE_UNITS = ("Fälle", "Familien", "Personen", "Termine", "Projekte", "Monate")
"""Units of the outcomes about families and cases (not money, not provider books)."""


def _incentive(scheme: str) -> IncentiveParams:
    return IncentiveParams(scheme, **SCHEME_VALUES.get(scheme, {}))


def _yearly(r: RunResult, metric: str, region: str = "Gesamt") -> np.ndarray:
    res = r.results
    sel = res[(res.month == 0) & (res.region == region) & (res.metric == metric)]
    return sel.sort_values("year").value.to_numpy()


def _case_outcomes(r: RunResult):
    res = r.results
    sel = res[res.unit.isin(CASE_UNITS)]
    return sel.sort_values(["year", "month", "region", "metric"]).reset_index(drop=True)


def test_zero_responsiveness_reform_variants_leave_case_outcomes_unchanged():
    """RB2 at 10, 20 and 30 % under no scheme, bonus/malus and balancing, 20 seeds."""
    quiet = {"provider.responsiveness": 0.0}
    # bonus and malus go to the Sozialraumträger's reserves, so they decide whether
    # (and when) a small provider leaves the market, and its cases move on: the
    # incentive's money, not a behaviour. Compared with providers that stay in the
    # market, nothing about the families may change.
    staying = {**quiet, "provider.exit_after_months": 10_000}
    groups = {
        "none": quiet,
        "balancing": quiet,
        "bonus_malus": staying,
    }
    variants, bases = [], {}
    for scheme, size in groups.items():
        key = tuple(sorted(size))
        if key not in bases:
            bases[key] = len(variants)
            variants.append(make_params(**SIZE, **size))
        for share in (0.1, 0.2, 0.3):
            reform = {"budget.regional2_share": share, "incentive": _incentive(scheme)}
            variants.append((bases[key], make_params(**SIZE, **size, **reform)))
    plain = [v if not isinstance(v, tuple) else v[1] for v in variants]
    for seed in SEEDS:
        runs = run_group(plain, seed)
        for v, r in zip(variants, runs, strict=True):
            if not isinstance(v, tuple):
                continue
            expected, got = _case_outcomes(runs[v[0]]), _case_outcomes(r)
            assert got[["metric", "region", "year", "month"]].equals(
                expected[["metric", "region", "year", "month"]]
            )
            assert np.array_equal(got.value.to_numpy(), expected.value.to_numpy()), seed


def test_regression_first_reform_year_rb2_starts_empty():
    """Helps running at the reform date stayed central, so regional budget 2 started
    nearly empty (first year 0.39 of the second in Lüneburg); now they are handed over.
    Every scheme, 20 seeds (one shared burn-in per seed)."""
    schemes = ("none", "bonus_malus", "retention", "balancing", "flat")
    variants = [
        make_params(**SETTLED, **{"budget.regional2_share": 0.2, "incentive": _incentive(scheme)})
        for scheme in schemes
    ]
    spent = np.zeros((len(SEEDS), len(schemes), 2))
    for i, seed in enumerate(SEEDS):
        for j, r in enumerate(run_group(variants, seed)):
            spent[i, j] = _yearly(r, "spent_regional_2")[:2]
    ratio = spent[:, :, 0].mean(axis=0) / spent[:, :, 1].mean(axis=0)
    assert np.all((ratio >= 0.9) & (ratio <= 1.1)), dict(zip(schemes, ratio.round(3), strict=True))


def test_new_grants_scope_keeps_the_start_up_ramp_visible():
    """With scope ``new_grants`` only new helps move, so the first year is lower:
    the lever shows the difference a hand-over makes."""
    ratios = {}
    for scope in ("running", "new_grants"):
        p = make_params(
            **SETTLED, **{"budget.regional2_share": 0.2, "budget.regional2_scope": scope}
        )
        runs = [_yearly(run_once(p, seed), "spent_regional_2") for seed in range(1, 6)]
        ratios[scope] = np.mean([v[0] for v in runs]) / np.mean([v[1] for v in runs])
    assert ratios["new_grants"] < 0.85 < ratios["running"]


def test_regression_rb2_share_is_a_lottery_tag():
    """The share only decided by lot which new help was tagged RB2; now, with
    positive responsiveness, a larger share puts more money at stake per euro saved:
    shorter FLS helps, less spending on them, and different outcomes."""
    variants = [
        make_params(
            **SIZE,
            **{
                "budget.regional2_share": share,
                "incentive": _incentive("bonus_malus"),
                "provider.responsiveness": 0.8,
            },
        )
        for share in (0.1, 0.2, 0.3)
    ]
    spent = np.zeros((len(SEEDS), 3))
    months = np.zeros((len(SEEDS), 3))
    for i, seed in enumerate(SEEDS):
        runs = run_group(variants, seed)
        for j, r in enumerate(runs):
            spent[i, j] = sum(
                _yearly(r, f"spent_help_{code}").sum() for code in ("27_2", "30", "31")
            )
            months[i, j] = _yearly(r, "cases_total").sum()
    mean = spent.mean(axis=0)
    assert mean[0] > mean[1] > mean[2], mean
    assert not np.array_equal(months[:, 0], months[:, 2])


def _books(r: RunResult):
    led = r.ledger
    case = led[(led.kind == "case") & (led.pot == "regional_2")]
    return case.groupby(["year", "region"]).cents.sum()


def test_central_exhaustion_never_overdraws_a_region():
    p = make_params(
        **SIZE,
        **{
            "budget.regional2_share": 0.3,
            "budget.ambulatory_funds": 400_000.0,
            "budget.regional2_payment": "first_come",
        },
    )
    for seed in (1, 2, 3):
        r = run_once(p, seed)
        c = r.closing.set_index(["year", "region", "pot"])
        available = (c.allocation + c.carry_in).xs("regional_2", level="pot")
        paid = _books(r).reindex(available.index, fill_value=0)
        assert (paid <= available).all()
        assert (paid == available).any(), "a small budget should be used up"
        central = r.ledger[(r.ledger.kind == "case") & (r.ledger.pot == "central")]
        assert central.cents.sum() > 0


def test_next_year_exhaustion_deducts_the_overrun():
    p = make_params(
        **SIZE,
        **{
            "budget.regional2_share": 0.3,
            "budget.ambulatory_funds": 400_000.0,
            "budget.regional2_exhaustion": "next_year",
        },
    )
    r = run_once(p, 4)
    c = r.closing[r.closing.pot == "regional_2"].set_index(["year", "region"]).sort_index()
    first, second = sorted(c.index.get_level_values("year").unique())
    y0, y1 = c.xs(first), c.xs(second)
    balance = y0.allocation + y0.carry_in - y0.spent
    assert (balance < 0).any(), "a small budget should overrun"
    assert (y0.result >= 0).all()
    assert (y1.carry_in == np.minimum(balance, 0)).all()


def test_first_come_uses_the_money_up_before_pro_rata():
    def exhausted_month(payment: str) -> float:
        p = make_params(
            **SIZE,
            **{
                "budget.regional2_share": 0.2,
                "budget.regional2_payment": payment,
                "budget.ambulatory_funds": 2_000_000.0,
            },
        )
        res = run_once(p, 5).results
        monthly = res[
            (res.metric == "spent_regional_2") & (res.region == "Gesamt") & (res.month > 0)
        ]
        first_year = monthly[monthly.year == monthly.year.min()].sort_values("month")
        paying = first_year[first_year.value > 0]
        return float(paying.month.max())

    assert exhausted_month("first_come") < exhausted_month("pro_rata")


def test_lead_provider_scope_carries_only_the_sozialraumtraeger_helps():
    p = make_params(
        **SIZE,
        **{"budget.regional2_share": 0.3, "budget.regional2_scope": "lead_provider"},
    )
    model = SozialraumModel(p, rng=3)
    f = model.families
    carried_any = False
    while model.month_abs < model.total_months:
        model.step()
        on = np.flatnonzero(f.active & (f.case_pot == R2))
        lead = model.lead_provider[f.region[on]]
        assert np.array_equal(f.case_provider[on], lead)
        carried_any |= on.size > 0
        others = np.flatnonzero(f.active & (f.case_pot == CENTRAL))
        assert others.size > 0
    assert carried_any


def _bonus_run(recipients: str, seed: int = 2) -> tuple[RunResult, object]:
    p = make_params(
        **SIZE,
        **{
            "budget.regional2_share": 0.3,
            "budget.ambulatory_funds": 8_000_000.0,
            "budget.incentive_recipients": recipients,
            "incentive": IncentiveParams("bonus_malus", bonus_share=0.5, malus_share=0.5),
        },
    )
    return run_once(p, seed), p


def test_regression_incentive_money_reaches_placeholders():
    """Bonus went to the one 'Sozialraumträger Region N' of each region, whoever
    delivered the helps; now (``delivered_share``) every provider gets its share of
    what it billed for the helps of regional budget 2 in the region."""
    r, _ = _bonus_run("delivered_share")
    led = r.ledger
    bonus = led[led.kind == "bonus"]
    assert bonus.cents.sum() > 0, "a generous budget should earn a bonus"
    case = led[(led.kind == "case") & (led.pot == "regional_2")]
    for (year, region), paid in bonus.groupby(["year", "region"]):
        delivered = case[(case.year == year) & (case.region == region)]
        billed = delivered.groupby("provider").cents.sum()
        # every provider that delivered gets money, in proportion (to the cent)
        got = paid.groupby("provider").cents.sum().reindex(billed.index, fill_value=0)
        share = got / got.sum()
        assert np.allclose(share, billed / billed.sum(), atol=1e-6)
        assert (got > 0).sum() >= min(2, (billed > 0).sum())


def test_lead_provider_rule_pays_only_the_sozialraumtraeger():
    r, p = _bonus_run("lead_provider")
    bonus = r.ledger[r.ledger.kind == "bonus"]
    assert bonus.cents.sum() > 0
    leads = {s.name for s in p.providers if s.role == "sozialraumtraeger"}
    assert set(bonus.provider) <= leads


def test_regional_body_rule_moves_the_bonus_into_next_years_regional_budget_1():
    r, _ = _bonus_run("regional_body")
    assert r.ledger[r.ledger.kind.isin(["bonus", "malus"])].empty
    c = r.closing.set_index(["year", "region", "pot"]).sort_index()
    first, second = sorted(c.index.get_level_values("year").unique())
    res = r.results
    bonus = res[(res.metric == "bonus") & (res.month == 0) & (res.year == first)]
    bonus = bonus[bonus.region != "Gesamt"].set_index("region").value
    malus = res[(res.metric == "malus") & (res.month == 0) & (res.year == first)]
    malus = malus[malus.region != "Gesamt"].set_index("region").value
    assert bonus.sum() > 0
    for region in bonus.index:
        carried = c.loc[(second, region, "regional_1"), "carry_in"] / 100.0
        assert carried == pytest.approx(bonus[region] - malus.get(region, 0.0), abs=0.01)


def test_malus_counts_the_overrun_the_central_budget_paid():
    """With exhaustion ``central`` a region can never spend more than it holds; the
    malus must still see the overrun (the part the central budget paid)."""
    p = make_params(
        **SIZE,
        **{
            "budget.regional2_share": 0.3,
            "budget.ambulatory_funds": 300_000.0,
            "incentive": IncentiveParams("bonus_malus", bonus_share=0.5, malus_share=0.5),
        },
    )
    r = run_once(p, 3)
    malus = r.ledger[r.ledger.kind == "malus"]
    assert malus.cents.sum() < 0, "a small budget overrun should be charged"
    # what regional budget 2 itself paid never exceeds its money: without the
    # overflow no malus could ever arise
    c = r.closing[r.closing.pot == "regional_2"].set_index(["year", "region"])
    led = r.ledger
    paid = led[(led.kind == "case") & (led.pot == "regional_2")]
    paid = paid.groupby(["year", "region"]).cents.sum().reindex(c.index, fill_value=0)
    assert (paid <= c.allocation + c.carry_in).all()


def test_regression_lead_provider_help_moved_on_provider_exit_stayed_carried():
    """Found by Hypothesis: when a Sozialraumträger left the market its carried helps
    moved to another provider and stayed on regional budget 2 (scope
    ``lead_provider`` carries only the Sozialraumträger's helps)."""
    p = make_params(
        scale=0.0625,
        years=1,
        burn_in_months=0,
        **{
            "budget.bound_share": 0.0,
            "budget.regional2_share": 1.0,
            "budget.ambulatory_funds": 100_000.0,
            "budget.central_funds": 1_000_000.0,
            "budget.regional2_scope": "lead_provider",
            "provider.responsiveness": 0.0,
        },
    )
    model = SozialraumModel(p, rng=0)
    f = model.families
    exits = 0
    while model.month_abs < model.total_months:
        model.step()
        exits = int(model.provider_exits.sum())
        on = np.flatnonzero(f.active & (f.case_pot == R2))
        assert np.array_equal(f.case_provider[on], model.lead_provider[f.region[on]])
    assert exits > 0


def test_balancing_evens_out_an_overrun_the_central_budget_paid():
    """With exhaustion ``central`` a region's overrun is paid centrally, never booked in
    regional budget 2; balancing must still see it as a deficit (else it is inert)."""
    p = make_params(
        **SIZE,
        **{
            "budget.regional2_share": 0.3,
            "budget.ambulatory_funds": 1_500_000.0,
            "incentive": IncentiveParams("balancing"),
        },
    )
    r = run_once(p, 3)
    c = r.closing[r.closing.pot == "regional_2"]
    assert c.transfer_in.sum() > 0
    assert c.transfer_in.sum() == c.transfer_out.sum()


def _fls_spending(p, seeds) -> np.ndarray:
    """Per seed: the euros booked on the FLS helps regional budget 2 carries."""
    out = []
    for seed in seeds:
        r = run_once(p, seed)
        out.append(sum(_yearly(r, f"spent_help_{code}").sum() for code in ("27_2", "30", "31")))
    return np.array(out)


def test_regression_controlling_pressure_was_inert_without_an_incentive():
    """The savings signal was the scheme's reward times (1 + pressure): without an
    incentive scheme the controlling's pressure did nothing, and the share of
    regional budget 2 could not change spending. With ``controlling_signal`` the
    controlling asks for savings by itself, weighted by the share the region pays."""
    seeds = range(1, 11)

    def variant(share: float, signal: float):
        return make_params(
            **SIZE,
            **{
                "budget.regional2_share": share,
                "provider.responsiveness": 0.8,
                "provider.controlling_signal": signal,
            },
        )

    silent = [_fls_spending(variant(s, 0.0), seeds) for s in (0.1, 0.3)]
    np.testing.assert_allclose(silent[0], silent[1], rtol=1e-12)  # to the cent
    asked = [_fls_spending(variant(s, 1.0), seeds) for s in (0.1, 0.3)]
    # a larger share: the request weighs more, the helps get shorter and cheaper
    assert asked[1].mean() < asked[0].mean() < silent[0].mean()


def test_savings_signal_adds_the_controlling_request_weighted_by_the_stake():
    p = make_params(
        **SIZE,
        **{"budget.regional2_share": 0.2, "provider.controlling_signal": 0.5},
    )
    m = SozialraumModel(p, rng=1)
    while not m.policy_on:  # the burn-in runs under the pre-reform budget
        m.step()
    m.jugendamt.pressure[:] = [0.0, 0.5, 1.0][: len(m.jugendamt.pressure)]
    region = np.arange(len(m.jugendamt.pressure))
    s = m.savings_signal(np.full(region.size, R2, dtype=np.int64), region)
    np.testing.assert_allclose(s, (0.2 * 0.5 * np.array([0.0, 0.5, 1.0]))[: region.size])
    central = m.savings_signal(np.full(region.size, CENTRAL, dtype=np.int64), region)
    np.testing.assert_array_equal(central, 0.0)


def test_regression_controlling_forecast_ignored_what_the_central_budget_paid():
    """Once a region's regional budget 2 was used up, the central budget paid its
    part and the forecast counted only the capped booking: a region at twice its
    money looked like one exactly on budget by the year-end."""
    p = make_params(**SIZE, **{"budget.regional2_share": 0.2})
    m = SozialraumModel(p, rng=1)
    ja = m.jugendamt
    n = len(ja.pressure)
    ja.allocation[:] = 0
    ja.carry_in[:] = 0
    ja.allocation[:, R2] = 1_200_000
    spent = np.zeros_like(ja.allocation, dtype=float)
    spent[:, R2] = 1_200_000  # used up by September
    ja.controlling(9, spent)
    np.testing.assert_allclose(ja.pressure, 1.0)  # 4/3 of the money: full pressure
    ja.controlling(12, spent)
    np.testing.assert_allclose(ja.pressure, 0.0)  # capped booking: looks on budget
    ja.controlling(12, spent, np.full(n, 1_200_000))
    np.testing.assert_allclose(ja.forecast[:, R2], 2_400_000)
    np.testing.assert_allclose(ja.pressure, 1.0)


def test_regression_history_key_followed_the_capped_booking():
    """With exhaustion ``central`` a region's booking in regional budget 2 stops at
    its money, so "last year's spending" was the allocation itself and the history
    key reproduced last year's split however far a region was over. It now follows
    what the region's helps cost regional budget 2 (booking plus overflow)."""
    p = make_params(
        **SIZE,
        **{
            "budget.regional2_share": 0.3,
            "budget.allocation_key": "history",
            "budget.ambulatory_funds": 600_000.0,
        },
    )
    m = SozialraumModel(p, rng=2)
    m.run()
    closings = [c for y, c in m.jugendamt.closings if y >= 0]
    first, second = closings[0], closings[1]
    over = first.regional2_overflow
    assert over.sum() > 0  # some region overran its money
    claims = (first.spent[:, R2] + over).astype(float)
    want = claims / claims.sum()
    got = second.allocation[:, R2] / second.allocation[:, R2].sum()
    np.testing.assert_allclose(got, want, atol=1e-6)
    capped = first.spent[:, R2] / first.spent[:, R2].sum()
    assert not np.allclose(got, capped, atol=1e-3)
