"""Cost rates fitted to spending targets without runs of their own.

Why no runs of their own. The daily rates (§33, §34, §35a) are known only as
published ranges (sources in the setup file). In the calibrated status quo they
change nothing about who gets which help — no regional budget 2, so no controlling
pressure, and stationary providers are a market whose prices cover costs — and the
spending of a help type is its rate times its care days. Both facts are tested
(``tests/calibration/test_costs.py``). A run's spending under other rates is
therefore its spending rescaled by ``rate / rate in the run``. The FLS rate is not
proportional in this sense (it moves the ambulant providers' reserves, staff and
exits, and with them the hours delivered) and stays an assumption with its range.

Which targets the rates fit: the spending targets whose statistic moves with the
rates, i.e. that read at least one metric a cost parameter scales (``scales``). A
spending target no rate scales – the spending of an FLS help such as §31 – is the
same under every rate vector; it is fitted like a case target, by the parameters
that move it (the FLS per week of §31).

How (:class:`RateDraws`, used by :func:`calibration.fit.abc_smc`). Inside the
ABC-SMC every run's spending is rescaled to ``cost_draws`` rate vectors drawn from
their uniform prior, each pair (parameter set, rate vector) gets the distance over
all fit targets, and a parameter set's distance is that of its best pair. A
parameter set is thus accepted if at least one of its ``cost_draws`` rate vectors
brings all targets within the tolerance, i.e. with probability 1 − (1 − a)^M, a
being the share of the rates' prior that does and M the draws. Where a·M is large
(in the last Lüneburg generation 18 % of the pairs were within the tolerance, a·M
about 90) this accepts a parameter set if some rate within the published spans fits
(the rates are profiled over their spans); where a·M is small it is proportional to
a, the exact marginal. The posterior of the other parameters is therefore somewhat
wider than the exact marginal, which would weigh how much of the spans fits. The
final joint sample takes, for each particle drawn by weight, one of its pairs within
the last tolerance, uniformly: given the parameters, the rates are uniform on the
part of their prior that meets the targets.

With ``cost_tolerance`` (the shipped setup: 1) the spending targets are also a hard
condition: a pair counts only if the spending targets alone are within their
tolerances on average, as the second stage required before. Without it the overall
distance traded spending against case numbers: on 4 December 2026 the posterior
predictive spending per under-21 fell to 584 € against 762 € (tolerance ±10 %),
while every case, duration and held-out figure but four cases was met.

Why not integrated exactly. Weighting each parameter set by the share of its rate
draws within the tolerance (an unbiased estimate of the marginal) was tried on the
Lüneburg setup on 4 December 2026: that share varies by orders of magnitude between
particles, the SMC amplified the weights' spread generation by generation, and the
effective sample size fell from 123 to 1 of 200 by the eighth generation (seed
20260101, 10,843 runs). Accepting a parameter set with probability equal to that
share instead would have needed about 14,000 runs for the last generation alone.

Until December 2026 the rates were a second stage after the ABC-SMC (rejection
over the last generation's particles). The SMC then never saw the spending: of 200
particles the second stage kept 29 (1.5 % of the weight), so the posterior of the
other parameters rested on 29 sets. Fitting the rates as ordinary SMC parameters
(the v2 draft) let the weights degenerate (effective sample size 6 of 200), because
the kernel then perturbed them in 22 dimensions.

Checked against exact answers in ``tests/calibration/test_costs.py``: one rate, a
uniform prior — the draws within the tolerance are exactly those of the analytic
interval, and on a toy the posterior (parameter and rate) matches the exact one of
this acceptance rule.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from calibration.fit import CalibrationSetup, distance
from calibration.targets import Target

COST_KINDS = ("per_u21", "sum", "share")
"""Statistic kinds a spending target may use (linear in the rescaled metrics)."""


def is_cost_target(target: Target, scaled: Collection[str] | None = None) -> bool:
    """Whether a target reads only spending metrics (and the population).

    Args:
        target: The target.
        scaled: If given, the metrics the cost parameters scale
            (:func:`scaled_metrics`): the target must also read at least one of them,
            otherwise no rate vector changes it and it is not a spending target of the rates.
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
    """The fit targets computed from the runs, and the spending targets the rates move.

    The rates fit the spending targets that read a metric a cost parameter
    scales; every other target, also a spending target no rate moves (§31's, billed
    by FLS), belongs to the first group. Without cost parameters every target belongs
    to the first group.

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


@dataclass(frozen=True)
class RateDraws:
    """The cost rates fitted inside the ABC-SMC (:func:`calibration.fit.abc_smc`).

    For the runs of a batch of proposals it draws ``setup.cost_draws`` rate vectors
    per run from the rates' uniform prior, rescales each run's spending to them
    (:func:`rescaled_statistics`) and returns their distances over the spending
    targets; the ABC-SMC combines them with the run's distance over the other
    targets.
    """

    setup: CalibrationSetup
    costs: tuple[Target, ...]
    bases: tuple[float, ...]

    @property
    def n_targets(self) -> int:
        """How many spending targets the rates move."""
        return len(self.costs)

    @property
    def target_ids(self) -> list[str]:
        """The spending targets' ids."""
        return [t.id for t in self.costs]

    @property
    def draws(self) -> int:
        """Rate vectors per run."""
        return self.setup.cost_draws

    @property
    def base_values(self) -> dict[str, float]:
        """Each cost parameter's value in the runs, by path (for the record)."""
        return {
            p.path: float(b) for p, b in zip(self.setup.cost_parameters, self.bases, strict=True)
        }

    def __call__(self, aux: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Rates (n, draws, c) from the prior and the spending distances (n, draws).

        Runs that failed (a non-finite spending figure) get infinite distances, and
        so do draws beyond the setup's ``cost_tolerance`` (a hard condition).

        Raises:
            ValueError: If ``aux`` does not hold the spending targets' metrics.
        """
        cps = self.setup.cost_parameters
        lo = np.array([p.low for p in cps])
        hi = np.array([p.high for p in cps])
        n = aux.shape[0]
        rates = lo + rng.random((n, self.draws, len(cps))) * (hi - lo)
        out = np.full((n, self.draws), np.inf)
        ok = np.all(np.isfinite(aux), axis=1)
        if ok.any():
            stats = rescaled_statistics(self.setup, aux[ok], rates[ok], self.costs, self.bases)
            flat = stats.reshape(-1, len(self.costs))
            out[ok] = distance(flat, self.costs).reshape(-1, self.draws)
        hard = self.setup.cost_tolerance
        if hard is not None:
            out[out > hard] = np.inf
        return rates, out


__all__ = [
    "COST_KINDS",
    "RateDraws",
    "aux_metrics",
    "cost_bases",
    "is_cost_target",
    "rescaled_statistics",
    "scaled_metrics",
    "split_targets",
]
