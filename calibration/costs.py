"""Second calibration stage: cost rates fitted to spending targets, without new runs.

Why a second stage. The daily rates (§33, §34, §35a) are known only as published
ranges (sources in the setup file). In the calibrated status quo they change
nothing about who gets which help — no regional budget 2, so no controlling
pressure, and stationary providers are a market whose prices cover costs — and the
spending of a help type is its rate times its care days. Both facts are tested
(``tests/calibration/test_costs.py``). A run's spending under other rates is
therefore its spending rescaled by ``rate / rate in the run``, and the rates can be
fitted from the first stage's runs alone. The FLS rate is not proportional in this
sense (it moves the ambulant providers' reserves, staff and exits, and with them the
hours delivered) and stays an assumption with its range. Fitting them inside the ABC-SMC instead
(the v2 draft) added dimensions the case targets cannot see and let the
weights degenerate (effective sample size 6 of 200).

Which targets the stage fits: the spending targets whose statistic moves with the
rates, i.e. that read at least one metric a cost parameter scales (``scales``). A
spending target no rate scales – the spending of an FLS help such as §31 – is the
same under every rate vector; it is fitted in the first stage, where the parameters
that move it are (the FLS per week of §31), like a case target.

The stage is ABC by rejection on the joint posterior. For every particle ``i``
of the first stage (weight ``w_i``, its run's yearly spending per help type) it
draws ``cost_draws`` rate vectors from their uniform prior, rescales the run's
spending, computes the spending targets and accepts the vectors whose distance
(the same root mean square in units of each tolerance as the first stage) is at
most ``cost_epsilon``. Accepted pairs (particle, rates) carry the particle's
weight divided by ``cost_draws``; a particle whose run no rate in the prior can
bring within the tolerance drops out, which is the conditioning on the spending
targets. The joint sample is resampled systematically to the population size.

Checked against an exact answer in ``tests/calibration/test_costs.py``: one rate,
one particle, a uniform prior — the accepted rates are uniform on the interval the
tolerance allows.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from calibration.fit import CalibrationSetup, Posterior, _round, distance, systematic
from calibration.targets import Target

COST_KINDS = ("per_u21", "sum", "share")
"""Statistic kinds a spending target may use (linear in the rescaled metrics)."""


def is_cost_target(target: Target, scaled: Collection[str] | None = None) -> bool:
    """Whether a target reads only spending metrics (and the population).

    Args:
        target: The target.
        scaled: If given, the metrics the cost parameters scale
            (:func:`scaled_metrics`): the target must also read at least one of them,
            otherwise no rate vector changes it and it is not one of the second stage.
    """
    st = target.statistic
    names = set(st.metrics) | set(st.denominator)
    spending = st.kind in COST_KINDS and bool(names) and all(n.startswith("spent_") for n in names)
    return spending and (scaled is None or bool(names & set(scaled)))


def scaled_metrics(setup: CalibrationSetup) -> set[str]:
    """The yearly metrics some cost parameter of the setup scales (its ``scales``)."""
    return {m for p in setup.cost_parameters for m in p.scales}


def split_targets(
    setup: CalibrationSetup, fit: Sequence[Target]
) -> tuple[tuple[Target, ...], tuple[Target, ...]]:
    """The fit targets of the first stage and of the second.

    The second stage fits the spending targets that read a metric a cost parameter
    scales; every other target, also a spending target no rate moves (§31's, billed
    by FLS), belongs to the first stage. Without cost parameters every target belongs
    to the first stage.

    Raises:
        ValueError: If the setup has cost parameters but no spending target they move.
    """
    if not setup.cost_parameters:
        return tuple(fit), ()
    scaled = scaled_metrics(setup)
    costs = tuple(t for t in fit if is_cost_target(t, scaled))
    if not costs:
        raise ValueError(
            "Kostensätze sollen kalibriert werden, aber keine Zielgröße zum Anpassen liest "
            "nur Ausgaben (spent_…), von denen ein Kostensatz welche bestimmt (scales)"
        )
    return tuple(t for t in fit if not is_cost_target(t, scaled)), costs


def cost_bases(setup: CalibrationSetup) -> list[float]:
    """Each cost parameter's value in the runs: the setup's scenario as written.

    Raises:
        ScenarioError: If the scenario cannot be loaded.
    """
    from scenarios import find_scenario, load_scenario

    written = load_scenario(find_scenario(setup.scenario), calibrated=False)
    return [float(written.value_at(p.path)) for p in setup.cost_parameters]


def aux_metrics(costs: Sequence[Target]) -> list[str]:
    """The yearly metrics the spending targets read, sorted (the runs' extra columns)."""
    names: set[str] = set()
    for t in costs:
        names |= t.statistic.required_metrics()
    return sorted(names)


def _vector_stat(target: Target, yearly: dict[str, np.ndarray]) -> np.ndarray:
    """A spending target's statistic for arrays whose last axis is the year."""
    st = target.statistic

    def total(names: Sequence[str]) -> np.ndarray:
        return np.sum([yearly[n] for n in names], axis=0)

    if st.kind == "sum":
        return total(st.metrics).mean(axis=-1)
    if st.kind == "per_u21":
        u21 = np.maximum(yearly["under21"], 1.0)
        return (total(st.metrics) / u21 * st.per).mean(axis=-1)
    den = total(st.denominator).sum(axis=-1)
    return total(st.metrics).sum(axis=-1) / np.maximum(den, 1.0)


def rescaled_statistics(
    setup: CalibrationSetup,
    aux: np.ndarray,
    rates: np.ndarray,
    costs: Sequence[Target],
    bases: Sequence[float],
) -> np.ndarray:
    """The spending targets' statistics of runs, rescaled to other daily rates.

    Args:
        setup: The setup (its cost parameters and years).
        aux: (n, metrics × years) yearly values of :func:`aux_metrics` per run.
        rates: (n, k, cost parameters) rate vectors per run.
        costs: The spending targets.
        bases: Each cost parameter's value in the runs.

    Returns:
        (n, k, targets) statistics.

    Raises:
        ValueError: If ``aux`` does not hold the targets' metrics.
    """
    names = aux_metrics(costs)
    n, years = aux.shape[0], setup.years
    if aux.shape[1] != len(names) * years:
        raise ValueError("die Läufe der ersten Stufe enthalten die Ausgaben nicht")
    per_metric = aux.reshape(n, len(names), years)
    factor = rates / np.asarray(bases, dtype=float)
    yearly: dict[str, np.ndarray] = {}
    for m_i, m in enumerate(names):
        f = np.ones(rates.shape[:2])
        for p_i, p in enumerate(setup.cost_parameters):
            if m in p.scales:
                f = f * factor[:, :, p_i]
        yearly[m] = per_metric[:, None, m_i, :] * f[:, :, None]
    return np.stack([_vector_stat(t, yearly) for t in costs], axis=-1)


@dataclass
class CostFit:
    """The joint sample and the stage's record for the calibration file."""

    posterior: Posterior
    record: dict[str, Any]


def fit_costs(
    post: Posterior,
    costs: Sequence[Target],
    bases: Sequence[float],
    *,
    first_stage_targets: int,
) -> CostFit:
    """Fit the setup's cost parameters to the spending targets.

    Args:
        post: The first stage's posterior; ``post.aux`` holds each particle's yearly
            values of :func:`aux_metrics` (metric by metric, ``setup.years`` each).
        costs: The spending targets.
        bases: Each cost parameter's value in the runs (the scenario as written).
        first_stage_targets: How many targets the first stage fitted (to combine
            the two distances into one over all fit targets).

    Returns:
        The joint posterior (first-stage parameters, then the cost parameters;
        equal weights) with the setup extended by the cost parameters, and the
        stage's record.

    If fewer rate vectors than the population lie within ``cost_epsilon``, the
    tolerance is widened to the smallest that keeps that many, and the record and
    ``stopped`` say so.

    Raises:
        ValueError: If the runs carry no spending (all distances infinite).
    """
    setup = post.setup
    cps = setup.cost_parameters
    if post.aux is None:
        raise ValueError("die Läufe der ersten Stufe enthalten die Ausgaben nicht")
    n, c, k_draws = len(post.weights), len(cps), setup.cost_draws
    rng = np.random.default_rng([setup.seed, 2])
    lo = np.array([p.low for p in cps])
    hi = np.array([p.high for p in cps])
    rates = lo + rng.random((n, k_draws, c)) * (hi - lo)
    stats = rescaled_statistics(setup, post.aux, rates, costs, bases)
    d2 = distance(stats.reshape(n * k_draws, len(costs)), costs).reshape(n, k_draws)
    eps = setup.cost_epsilon
    widened = ""
    if int(np.sum(d2 <= eps)) < setup.population:
        # too few rate vectors within the tolerance: the smallest tolerance that keeps
        # as many as the population, recorded in the file (never silently)
        eps = float(np.sort(d2, axis=None)[setup.population - 1])
        if not math.isfinite(eps):
            raise ValueError("die Läufe der ersten Stufe ergeben keine Ausgaben")
        widened = (
            f"Kostenstufe: nur {int(np.sum(d2 <= setup.cost_epsilon))} Kostensätze innerhalb der "
            f"Toleranz {setup.cost_epsilon:g}; auf {eps:.3f} erweitert"
        )
    ok = d2 <= eps
    w = np.where(ok, post.weights[:, None] / k_draws, 0.0)
    kept_mass = float(w.sum())
    w_flat = (w / kept_mass).ravel()
    ess_joint = float(1.0 / np.sum(w_flat**2))
    size = setup.population
    pi, ki = np.divmod(systematic(w_flat, size, rng), k_draws)
    theta = np.hstack([post.theta[pi], rates[pi, ki]])
    k1, k2 = first_stage_targets, len(costs)
    dist = np.sqrt((k1 * post.distances[pi] ** 2 + k2 * d2[pi, ki] ** 2) / (k1 + k2))
    extended = setup.model_copy(update={"parameters": setup.joint_parameters})
    joint = Posterior(
        extended,
        theta,
        np.full(size, 1.0 / size),
        dist,
        generations=list(post.generations),
        stopped=f"{post.stopped}; {widened}" if widened else post.stopped,
        simulations=post.simulations,
    )
    particles_kept = int(ok.any(axis=1).sum())
    record = {
        "epsilon": _round(eps),
        "epsilon_setup": setup.cost_epsilon,
        "draws_per_particle": k_draws,
        "targets": [t.id for t in costs],
        "parameters": [p.path for p in cps],
        "base_values": {p.path: float(b) for p, b in zip(cps, bases, strict=True)},
        "joint_samples": n * k_draws,
        "accepted": int(ok.sum()),
        "first_stage_particles_kept": particles_kept,
        "weight_kept": round(kept_mass, 6),
        "ess": round(ess_joint, 1),
    }
    return CostFit(joint, record)


__all__ = [
    "COST_KINDS",
    "CostFit",
    "aux_metrics",
    "cost_bases",
    "fit_costs",
    "is_cost_target",
    "rescaled_statistics",
    "scaled_metrics",
    "split_targets",
]
