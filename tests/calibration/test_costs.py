"""Cost rates fitted from spending without runs of their own (:mod:`calibration.costs`).

Two things make the rescaling valid, and both are tested here against the real
model: the rates do not feed back into who gets which help in the calibrated status
quo, and each help type's spending is proportional to its rate. The rates fitted
inside the ABC-SMC are checked against exact answers: with one rate and a uniform
prior the draws within the tolerance are exactly those of the analytic interval, and
on a toy the posterior of parameter and rate matches the exact profiled one.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from calibration.costs import (
    RateDraws,
    is_cost_target,
    rescaled_statistics,
    scaled_metrics,
    split_targets,
)
from calibration.fit import CalibrationSetup, abc_smc, batch_simulator, load_setup
from calibration.targets import Statistic, Target, load_targets

SPEND = Statistic(kind="per_u21", metrics=("spent_help_34",), per=1)


def _target(tid: str, value: float, tolerance: float, statistic: Statistic = SPEND) -> Target:
    return Target(
        id=tid,
        label=tid,
        statistic=statistic,
        value=value,
        unit="EUR je u21",
        year=2023,
        source="Prüfwert, https://example.org",
        derivation="Prüfwert",
        scale_note="maßstabsfrei",
        role="fit",
        tolerance=tolerance,
    )


def _setup(cost: list[dict], **kw: object) -> CalibrationSetup:
    base: dict = {
        "name": "kosten",
        "scenario": "lueneburg-status-quo",
        "seed": 7,
        "scale": 0.1,
        "years": 2,
        "burn_in_months": 12,
        "population": 400,
        "generations": 1,
        "quantile": 0.5,
        "min_acceptance": 0.1,
        "draws": 10,
        "sims_per_minute": 10,
        "parameters": [{"path": "need.base", "label": "b", "low": 0.4, "high": 1.2, "unit": "n"}],
        "cost_parameters": cost,
        "cost_draws": 4000,
    }
    base.update(kw)
    return CalibrationSetup.model_validate(base)


RATE_34 = {
    "path": "help_types.34.daily_rate",
    "label": "Tagessatz §34",
    "low": 100.0,
    "high": 300.0,
    "unit": "EUR/day",
    "scales": ["spent_help_34"],
}


def _aux(spend: list[float], years: int = 2, u21: float = 1000.0) -> np.ndarray:
    """Runs' extra columns: spending per u21 ``spend`` each year, then the u21."""
    return np.array([[s * u21] * years + [u21] * years for s in spend])


def test_rate_draws_match_the_exact_uniform_interval() -> None:
    """One rate, one run: the rates within the tolerance are uniform where it allows.

    The run spent 300 € per u21 at the base rate 150 €/day; the target is 400 € ± 10 %,
    so a rate r is within tolerance 1 iff |300 r / 150 − 400| ≤ 40, i.e. r in
    [180, 220] (inside the prior [100, 300]). Uniform on that interval: quantiles 5 %,
    50 %, 95 % at 182, 200, 218 (Monte Carlo tolerances, about 800 of 4000 draws).
    """
    setup = _setup([RATE_34])
    draws = RateDraws(setup, (_target("a", 400.0, 0.1),), (150.0,))
    rates, dist = draws(_aux([300.0]), np.random.default_rng(3))
    assert rates.shape == (1, 4000, 1) and dist.shape == (1, 4000)
    r = rates[0, :, 0]
    inside = dist[0] <= 1.0
    np.testing.assert_array_equal(inside, (r >= 180.0) & (r <= 220.0))
    q05, q50, q95 = np.quantile(r[inside], [0.05, 0.5, 0.95])
    assert q05 == pytest.approx(182.0, abs=2.0)
    assert q50 == pytest.approx(200.0, abs=3.0)
    assert q95 == pytest.approx(218.0, abs=2.0)
    # the interval is 40 of the prior's 200: about a fifth of the draws
    assert 0.17 < inside.mean() < 0.23
    # a failed run has no spending: infinite distances, no error
    _, failed = draws(np.full((1, 4), np.nan), np.random.default_rng(3))
    assert np.all(np.isinf(failed))


def _exact_theta(eps: float, draws: int) -> tuple[np.ndarray, np.ndarray]:
    """Grid and density of theta for the toy below at pair tolerance ``eps``.

    A theta is accepted iff at least one of ``draws`` prior rates r ~ U(100, 300)
    brings its spending 400·theta·r/150 within h = sqrt(2)·eps·40 of 400, i.e. with
    probability 1 − (1 − a)^draws, a being the share of the rate prior that does.
    """
    theta = np.linspace(0.4, 1.2, 200_001)
    half = math.sqrt(2) * eps * 0.1 * 400.0
    lo = np.maximum(150.0 * (400.0 - half) / (400.0 * theta), 100.0)
    hi = np.minimum(150.0 * (400.0 + half) / (400.0 * theta), 300.0)
    share = np.maximum(hi - lo, 0.0) / 200.0
    return theta, 1.0 - (1.0 - share) ** draws


def test_rates_fitted_in_the_smc_match_the_exact_posterior() -> None:
    """The ABC-SMC with the rates drawn per run, against an exact answer.

    Toy: one parameter theta ~ U(0.4, 1.2) whose run spends 400·theta € per u21 at the
    base rate 150 €/day (no noise), one other target that every run meets, the rate
    prior U(100, 300), the spending target 400 € ± 10 %; 200 rate draws per run. The
    pair distance is the spending distance / sqrt(2) (the other target is met); a
    theta's distance is its best pair's. At the final tolerance the exact posterior
    density of theta is 1 − (1 − a)^200 (:func:`_exact_theta`; nothing below
    theta ≈ 0.5 is reachable), and given theta the rate is uniform on its interval
    within the tolerance. Checked: every pair within the tolerance, theta's mean and
    quartiles within 0.025 of the exact ones (Monte Carlo: population 1000, sd of the
    mean about 0.007), the rate's position in its interval uniform (mean 0.5 ± 0.05).
    """
    setup = _setup([RATE_34], population=1000, generations=4, cost_draws=200, min_acceptance=0.01)
    other = _target("anderes", 1.0, 0.1, Statistic(kind="sum", metrics=("cases_total",)))
    spending = _target("a", 400.0, 0.1)

    def simulate(thetas: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        return np.hstack([np.ones((len(thetas), 1)), _aux(list(400.0 * thetas[:, 0]))])

    post = abc_smc(
        setup,
        [other],
        simulate,
        max_simulations=100_000,
        costs=RateDraws(setup, (spending,), (150.0,)),
    )
    assert post.stopped == "alle Generationen gerechnet", post.stopped
    assert [p.path for p in post.setup.parameters] == ["need.base", "help_types.34.daily_rate"]
    eps = post.generations[-1].epsilon
    h = math.sqrt(2) * eps * 0.1 * 400.0
    theta, rate = post.theta[:, 0], post.theta[:, 1]
    spend = 400.0 * theta * rate / 150.0
    assert np.all(np.abs(spend - 400.0) <= h * (1 + 1e-9))
    assert np.allclose(post.distances, np.abs(spend - 400.0) / 40.0 / math.sqrt(2))
    grid, density = _exact_theta(eps, 200)
    cdf = np.cumsum(density) / density.sum()
    assert theta.min() >= grid[density > 0].min() - 1e-9
    mean = float(np.sum(grid * density) / density.sum())
    assert float(np.mean(theta)) == pytest.approx(mean, abs=0.025)
    for q in (0.25, 0.75):
        exact_q = float(np.interp(q, cdf, grid))
        assert float(np.quantile(theta, q)) == pytest.approx(exact_q, abs=0.025)
    r_lo = np.maximum(150.0 * (400.0 - h) / (400.0 * theta), 100.0)
    r_hi = np.minimum(150.0 * (400.0 + h) / (400.0 * theta), 300.0)
    position = (rate - r_lo) / (r_hi - r_lo)
    assert float(np.mean(position)) == pytest.approx(0.5, abs=0.05)
    assert post.record is not None and post.record["particles_kept"] >= 100
    assert post.record["pairs_accepted"] <= post.record["pairs"] == 1000 * 200


@settings(max_examples=25, deadline=None)
@given(
    spend=st.floats(min_value=150.0, max_value=500.0),
    tolerance=st.floats(min_value=0.05, max_value=0.3),
)
def test_rate_draw_distance_is_the_rescaled_spending_distance(
    spend: float, tolerance: float
) -> None:
    """Invariant: each draw's distance is |rescaled spending − target| in tolerance units."""
    setup = _setup([RATE_34], cost_draws=50)
    draws = RateDraws(setup, (_target("a", 400.0, tolerance),), (150.0,))
    rates, dist = draws(_aux([spend]), np.random.default_rng(1))
    simulated = spend * rates[0, :, 0] / 150.0
    np.testing.assert_allclose(dist[0], np.abs(simulated - 400.0) / (tolerance * 400.0))
    assert np.all((rates >= 100.0) & (rates <= 300.0))


def test_split_targets_sends_spending_to_the_second_stage() -> None:
    fit = load_targets().by_role("fit")
    shipped = load_setup("lueneburg")
    first, costs = split_targets(shipped, fit)
    assert {t.id for t in costs} == {"ausgaben_hze_je_u21", "ausgaben_35a_je_u21"}
    # §31's spending is spending, but no daily rate scales it: the first stage fits it
    # through the FLS per week of §31, a first-stage parameter
    assert "ausgaben_31_je_u21" in {t.id for t in first}
    assert "help_types.31.fls_per_week" in shipped.paths
    scaled = scaled_metrics(shipped)
    assert scaled == {"spent_help_33", "spent_help_34", "spent_help_35a"}
    assert all(not is_cost_target(t, scaled) for t in first)
    assert len(first) + len(costs) == len(fit)
    # without cost parameters, everything is fitted in one stage
    one = shipped.model_copy(update={"cost_parameters": ()})
    assert split_targets(one, fit) == (tuple(fit), ())
    # cost parameters but no spending target: a German error before any run
    with pytest.raises(ValueError, match="Kostensätze"):
        split_targets(shipped, first)


def test_spending_no_rate_scales_belongs_to_the_first_stage() -> None:
    """A spending target goes to the second stage only if a cost parameter moves it.

    Rescaling leaves §31's spending (FLS, no daily rate) unchanged for every rate
    vector, so in the second stage it could only reject first-stage particles; in the
    first it is fitted by the parameters that move it. A share whose denominator holds
    a scaled metric does move with the rates and stays in the second stage.
    """
    spend_31 = _target("s31", 70.0, 0.2, Statistic(kind="per_u21", metrics=("spent_help_31",)))
    share_31 = _target(
        "a31",
        0.1,
        0.2,
        Statistic(
            kind="share",
            metrics=("spent_help_31",),
            denominator=("spent_help_31", "spent_help_34"),
        ),
    )
    cases = _target("c34", 80.0, 0.25, Statistic(kind="sum", metrics=("cases_per_10k_34",)))
    spend_34 = _target("s34", 400.0, 0.1)
    setup = _setup([RATE_34])
    assert scaled_metrics(setup) == {"spent_help_34"}
    # without the scaled metrics: any spending-only target (the kind check alone)
    assert is_cost_target(spend_31) and is_cost_target(share_31) and not is_cost_target(cases)
    assert not is_cost_target(spend_31, scaled_metrics(setup))
    first, costs = split_targets(setup, [spend_31, share_31, cases, spend_34])
    assert [t.id for t in first] == ["s31", "c34"]
    assert [t.id for t in costs] == ["a31", "s34"]
    # only unscaled spending: no target for the cost parameters, a German error
    with pytest.raises(ValueError, match="scales"):
        split_targets(setup, [spend_31, cases])
    # and §31's spending is the same for every rate vector of the second stage
    aux = np.array([[500.0, 500.0, 1000.0, 1000.0]])  # spent_help_31 × 2 years, under21 × 2
    rates = np.array([[[100.0], [300.0]]])
    stats = rescaled_statistics(setup, aux, rates, [spend_31], [150.0])
    assert stats[0, :, 0] == pytest.approx([0.5, 0.5])


def test_cost_parameters_are_validated() -> None:
    with pytest.raises(ValidationError, match="Ausgabenmetrik"):
        _setup([{**RATE_34, "scales": ["cases_34"]}])
    with pytest.raises(ValidationError, match="mehrfach"):
        _setup([RATE_34, RATE_34])
    # the FLS rate feeds back through the providers' economics: not a second-stage rate
    with pytest.raises(ValidationError, match="nur Tagessätze"):
        _setup([{**RATE_34, "path": "provider.fls_rate"}])


def test_rates_do_not_feed_back_and_spending_is_proportional() -> None:
    """The stage's premise, on the real model (calibrated scenario, small and short).

    The same seed with every calibrated rate changed gives the same cases, stocks and
    durations, and each help type's spending changes by exactly its rate's factor.
    """
    shipped = load_setup("lueneburg")
    setup = shipped.model_copy(
        update={
            "parameters": tuple(shipped.cost_parameters),
            "cost_parameters": (),
            "scale": 0.1,
            "years": 2,
            "burn_in_months": 24,
        }
    )
    targets = [t for t in load_targets().targets if not is_cost_target(t)]
    spent = sorted({m for p in shipped.cost_parameters for m in p.scales})
    # not calibrated, must not change
    spent += ["spent_help_27_2", "spent_help_29", "spent_help_30", "spent_help_31"]
    spent += ["spent_help_35", "spent_help_32", "spent_help_41"]
    sim = batch_simulator(setup, targets, workers=1, aux_metrics=spent)
    base = np.array([165.0, 45.0, 55.0])
    factors = np.array([1.3, 0.7, 1.5])
    out = sim(np.vstack([base, base * factors]), np.array([11, 11]))
    k = len(targets)
    np.testing.assert_array_equal(out[0, :k], out[1, :k])
    per_metric = dict(zip(spent, np.split(out[:, k:], len(spent), axis=1), strict=True))
    expected = {
        "spent_help_34": 1.3,
        "spent_help_33": 0.7,
        "spent_help_35a": 1.5,
        "spent_help_27_2": 1.0,
        "spent_help_29": 1.0,
        "spent_help_30": 1.0,
        "spent_help_31": 1.0,
        "spent_help_35": 1.0,
        "spent_help_32": 1.0,
        "spent_help_41": 1.0,
    }
    for metric, f in expected.items():
        before, after = per_metric[metric]
        assert np.all(before > 0) or f == 1.0, metric  # §35 may have no case this small
        # bookings are in whole cents: proportional up to rounding (measured ≤ 8e-7)
        np.testing.assert_allclose(after, before * f, rtol=1e-5, err_msg=metric)


def test_spfh_intensity_moves_spfh_spending_in_the_first_stage_runs() -> None:
    """The first stage can fit ``ausgaben_31_je_u21``: its runs apply the FLS per week.

    Same seed, §31 at 3 and at 6 FLS per week (the calibrated scenario, small and
    short): §31's spending per under-21 roughly doubles (not exactly: the hours feed
    back through the providers' economics, which is why this is no second-stage rate),
    §33's spending, billed by the day, stays within a few per cent.
    """
    shipped = load_setup("lueneburg")
    fls = next(p for p in shipped.parameters if p.path == "help_types.31.fls_per_week")
    setup = shipped.model_copy(
        update={
            "parameters": (fls,),
            "cost_parameters": (),
            "scale": 0.1,
            "years": 2,
            "burn_in_months": 24,
        }
    )
    ts = {t.id: t for t in load_targets().targets}
    sim = batch_simulator(setup, [ts["ausgaben_31_je_u21"]], aux_metrics=["spent_help_33"])
    out = sim(np.array([[3.0], [6.0]]), np.array([11, 11]))
    low, high = out[:, 0]
    assert 1.6 < high / low < 2.3, (low, high)
    s33 = out[:, 1:].sum(axis=1)
    assert s33[1] == pytest.approx(s33[0], rel=0.1)


def test_cost_tolerance_is_a_hard_condition_on_the_spending() -> None:
    """With ``cost_tolerance`` a draw whose spending alone misses it does not count.

    Same run as above (300 € at 150 €/day, target 400 € ± 10 %): with tolerance 1 the
    finite draws are exactly the rates in [180, 220]; with 2, those in [160, 240].
    """
    for hard, (lo, hi) in ((1.0, (180.0, 220.0)), (2.0, (160.0, 240.0))):
        setup = _setup([RATE_34], cost_tolerance=hard)
        draws = RateDraws(setup, (_target("a", 400.0, 0.1),), (150.0,))
        rates, dist = draws(_aux([300.0]), np.random.default_rng(5))
        r = rates[0, :, 0]
        np.testing.assert_array_equal(np.isfinite(dist[0]), (r >= lo) & (r <= hi))
