"""The second calibration stage (:mod:`calibration.costs`): cost rates from spending.

Two things make the stage valid, and both are tested here against the real model:
the rates do not feed back into who gets which help in the calibrated status quo,
and each help type's spending is proportional to its rate. The stage itself is
checked against an exact answer: with one rate, one first-stage particle and a
uniform prior, ABC by rejection accepts exactly the rates whose rescaled spending
lies within the tolerance, uniformly.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from calibration.costs import (
    aux_metrics,
    fit_costs,
    is_cost_target,
    rescaled_statistics,
    scaled_metrics,
    split_targets,
)
from calibration.fit import CalibrationSetup, Generation, Posterior, batch_simulator, load_setup
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


def _first_stage(setup: CalibrationSetup, spend: list[float], weights: list[float]) -> Posterior:
    """A first-stage posterior whose particles' runs spent ``spend`` per u21 each year."""
    n = len(spend)
    names = aux_metrics([_target("a", 1.0, 0.1)])
    assert names == ["spent_help_34", "under21"]
    u21 = 1000.0
    aux = np.array([[s * u21] * setup.years + [u21] * setup.years for s in spend])
    return Posterior(
        setup=setup,
        theta=np.linspace(0.5, 1.0, n)[:, None],
        weights=np.asarray(weights) / np.sum(weights),
        distances=np.full(n, 0.5),
        generations=[Generation(np.inf, n, n, float(n))],
        stopped="alle Generationen gerechnet",
        simulations=n,
        aux=aux,
    )


def test_cost_stage_matches_the_exact_uniform_interval() -> None:
    """One rate, one particle: the accepted rates are uniform where the tolerance allows.

    The run spent 300 € per u21 at the base rate 150 €/day; the target is 400 € ± 10 %,
    so a rate r is accepted iff |300 r / 150 − 400| ≤ 40, i.e. r in [180, 220] (inside
    the prior [100, 300]). Uniform on that interval: quantiles 5 %, 50 %, 95 % at 182,
    200, 218; the tolerances are Monte Carlo ones (400 resampled of about 800 accepted).
    """
    setup = _setup([RATE_34])
    post = _first_stage(setup, [300.0], [1.0])
    fit = fit_costs(post, [_target("a", 400.0, 0.1)], [150.0], first_stage_targets=1)
    rates = fit.posterior.theta[:, 1]
    assert rates.min() >= 180.0 - 1e-9 and rates.max() <= 220.0 + 1e-9
    q05, q50, q95 = np.quantile(rates, [0.05, 0.5, 0.95])
    assert q05 == pytest.approx(182.0, abs=2.0)
    assert q50 == pytest.approx(200.0, abs=3.0)
    assert q95 == pytest.approx(218.0, abs=2.0)
    # acceptance: the interval is 40 of the prior's 200, so about a fifth of 4000
    assert 0.17 < fit.record["accepted"] / 4000 < 0.23
    assert fit.record["epsilon"] == 1.0 and fit.record["first_stage_particles_kept"] == 1
    # the first stage's parameters are carried along, the setup is extended
    assert [p.path for p in fit.posterior.setup.parameters] == [
        "need.base",
        "help_types.34.daily_rate",
    ]
    assert np.all(fit.posterior.theta[:, 0] == post.theta[0, 0])


def test_cost_stage_drops_a_particle_no_rate_can_bring_to_the_target() -> None:
    """A run whose spending no prior rate lifts to the target leaves the posterior.

    Particle 0 spent 100 € at base 150 (at most 200 € with the prior's 300 €/day),
    particle 1 spent 300 €; the target 400 € ± 10 % keeps only particle 1, although
    particle 0 had three times its weight in the first stage.
    """
    setup = _setup([RATE_34])
    post = _first_stage(setup, [100.0, 300.0], [3.0, 1.0])
    fit = fit_costs(post, [_target("a", 400.0, 0.1)], [150.0], first_stage_targets=1)
    assert np.all(fit.posterior.theta[:, 0] == post.theta[1, 0])
    assert fit.record["first_stage_particles_kept"] == 1
    assert fit.record["weight_kept"] == pytest.approx(0.25 * 0.2, abs=0.02)


def test_cost_stage_widens_its_tolerance_and_says_so() -> None:
    """Too few rates within the tolerance: the smallest that keeps the population, recorded."""
    setup = _setup([RATE_34])
    post = _first_stage(setup, [100.0], [1.0])  # at most 200 € of 400 €: distance ≥ 5
    fit = fit_costs(post, [_target("a", 400.0, 0.1)], [150.0], first_stage_targets=1)
    assert fit.record["epsilon"] > 5.0 and fit.record["epsilon_setup"] == 1.0
    assert "auf" in fit.posterior.stopped and "erweitert" in fit.posterior.stopped
    # the least bad rates are the highest ones
    assert fit.posterior.theta[:, 1].min() > 280.0


@settings(max_examples=25, deadline=None)
@given(
    spend=st.floats(min_value=150.0, max_value=500.0),
    tolerance=st.floats(min_value=0.05, max_value=0.3),
)
def test_every_accepted_rate_brings_spending_within_the_tolerance(
    spend: float, tolerance: float
) -> None:
    """Invariant: rescaled spending of every kept (particle, rate) pair is a hit."""
    setup = _setup([RATE_34], population=50, cost_draws=400)
    post = _first_stage(setup, [spend], [1.0])
    target = _target("a", 400.0, tolerance)
    fit = fit_costs(post, [target], [150.0], first_stage_targets=1)
    simulated = spend * fit.posterior.theta[:, 1] / 150.0
    eps = fit.record["epsilon"]
    assert np.all(
        np.abs(simulated - 400.0) <= eps * tolerance * 400.0 * (1 + 1e-5)
    )  # eps: 6 digits
    if eps == 1.0:
        assert all(target.hit(float(s)) for s in simulated)


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
