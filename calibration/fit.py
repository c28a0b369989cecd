"""ABC-SMC calibration of uncertain parameters against public targets.

Approximate Bayesian computation with sequential Monte Carlo (Beaumont et al. 2009,
Toni et al. 2009): generation 0 samples the (uniform) prior; each later generation
proposes parameter sets by drawing a particle of the previous one by weight and
perturbing it with a Gaussian kernel (twice the weighted covariance), simulates it
and accepts it if its distance to the targets is at most the current tolerance (the
``quantile`` of the previous generation's distances). Accepted sets are weighted by
prior / kernel mixture. The result is a weighted posterior sample. Cost rates that
only rescale a run's spending are fitted inside the SMC without runs of their own
(:mod:`calibration.costs`).

Simulations are built with the batch's recipe (:func:`experiments.run_spec`, from
the values written in the scenario, without its calibration file) and run through
the batch runner (:func:`experiments.execute_tasks`, a local process pool) at
reduced scale; the workers get the frozen parameters and read no scenario file.
Everything random comes from one numpy Generator seeded by the setup's seed
(proposals and the simulations' seeds), the simulation budget follows from the
minutes given (not from the clock), and results are collected by run id, so the
same seed gives the same posterior, bit for bit.
The wall clock is only a safety net: if it runs out first, the calibration stops
after the last complete generation and says so in the file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from calibration.targets import Target, TargetSet, statistics, yearly_figures
from experiments import (
    UNCALIBRATED,
    Point,
    RunOptions,
    RunTask,
    code_version,
    execute_tasks,
    load_base,
    run_spec,
)
from scenarios import find_scenario, from_validation_error, line_for, load_yaml_mapping

SETUP_DIR = Path(__file__).resolve().parent / "setup"
POSTERIOR_DIR = Path(__file__).resolve().parent / "posterior"
FORMAT = "sozialraum-kalibrierung/1"


class ParameterPrior(BaseModel):
    """A calibrated parameter with its uniform prior."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(min_length=1)
    label: str = Field(min_length=1)
    low: float
    high: float
    unit: str = Field(min_length=1)
    source: str | None = Field(default=None, min_length=1, max_length=500)
    """Where the prior's range comes from (a public figure), or None (see the setup's notes)."""

    @model_validator(mode="after")
    def _range(self) -> ParameterPrior:
        if not self.low < self.high:
            raise ValueError(f"{self.path}: low muss kleiner als high sein")
        return self


class CostPrior(ParameterPrior):
    """A cost rate fitted without runs of its own (:mod:`calibration.costs`).

    Only daily rates: a help type's spending is its daily rate times its care days,
    and in the calibrated scenario no daily rate feeds back into who gets which help
    (tested in ``tests/calibration/test_costs.py``), so the rates are fitted to the
    spending targets from the runs' spending, rescaled, without new simulations.
    The FLS rate does feed back (through the ambulant providers' reserves, staff and
    exits) and cannot be one.
    """

    scales: tuple[str, ...] = Field(min_length=1)
    """Yearly spending metrics proportional to this rate (``spent_help_<code>``)."""

    @model_validator(mode="after")
    def _spending_metrics(self) -> CostPrior:
        if not re.fullmatch(r"help_types\.[0-9a-z_]+\.daily_rate", self.path):
            raise ValueError(
                f"{self.path}: als Kostensatz ohne eigene Läufe nur Tagessätze "
                "(help_types.<Hilfeart>.daily_rate); der FLS-Satz wirkt über die "
                "Wirtschaft der Träger auf die geleisteten Stunden zurück"
            )
        bad = [m for m in self.scales if not m.startswith("spent_")]
        if bad:
            raise ValueError(f"{self.path}: scales nennt keine Ausgabenmetrik: {bad}")
        if self.low <= 0:
            raise ValueError(f"{self.path}: ein Kostensatz muss positiv sein")
        return self


class CalibrationSetup(BaseModel):
    """What to calibrate and how (``calibration/setup/*.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    scenario: str = Field(min_length=1)
    seed: int = Field(ge=0)
    scale: float = Field(gt=0, le=1)
    years: int = Field(ge=1)
    burn_in_months: int = Field(ge=0)
    population: int = Field(ge=4)
    generations: int = Field(ge=1)
    quantile: float = Field(gt=0, lt=1)
    min_acceptance: float = Field(gt=0, lt=1)
    draws: int = Field(ge=1)
    sims_per_minute: float = Field(gt=0)
    parameters: tuple[ParameterPrior, ...] = Field(min_length=1)
    cost_parameters: tuple[CostPrior, ...] = ()
    """Daily rates fitted to the spending targets without runs of their own, inside
    the ABC-SMC (:mod:`calibration.costs`); none: every parameter has runs."""
    cost_draws: int = Field(default=500, ge=10, le=10_000)
    """Rate vectors drawn from the prior per simulation."""
    cost_tolerance: float | None = Field(default=None, gt=0)
    """If set, a hard condition on the spending targets the rates move: a pair
    (parameter set, rate vector) counts only if their distance alone is at most this
    (1: on average within their tolerances); None: only the overall distance counts."""

    @model_validator(mode="after")
    def _distinct_paths(self) -> CalibrationSetup:
        paths = [p.path for p in self.parameters] + [c.path for c in self.cost_parameters]
        twice = sorted({p for p in paths if paths.count(p) > 1})
        if twice:
            raise ValueError(f"Parameter mehrfach kalibriert: {twice}")
        return self

    @property
    def low(self) -> np.ndarray:
        """Lower prior bounds."""
        return np.array([p.low for p in self.parameters])

    @property
    def high(self) -> np.ndarray:
        """Upper prior bounds."""
        return np.array([p.high for p in self.parameters])

    @property
    def joint_parameters(self) -> tuple[ParameterPrior, ...]:
        """All fitted parameters: those with runs, then the cost parameters."""
        return self.parameters + tuple(
            ParameterPrior(**p.model_dump(exclude={"scales"})) for p in self.cost_parameters
        )

    @property
    def paths(self) -> list[str]:
        """Dotted parameter paths."""
        return [p.path for p in self.parameters]


def load_setup(path: str | Path) -> CalibrationSetup:
    """Read a setup file (a name like ``lueneburg`` means ``calibration/setup/<name>.yaml``).

    The file is read with the bounded YAML reader (:mod:`scenarios.safe_yaml`).

    Raises:
        ScenarioError: Naming the file, line and field (in German) for a missing or
            unreadable file, invalid YAML, a limit, or an invalid setting.
    """
    p = Path(path)
    if not p.suffix:
        p = SETUP_DIR / f"{p}.yaml"
    doc = load_yaml_mapping(p, what="Kalibrierungseinstellungen")
    try:
        return CalibrationSetup.model_validate(doc.data)
    except ValidationError as exc:
        raise from_validation_error(
            exc, p, doc=doc.data, line_lookup=lambda loc: line_for(loc, doc.lines)
        ) from None


# ===================================================================== simulation

Simulator = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(parameter sets (n, d), seeds (n,)) → statistics (n, k + a); NaN rows for failed runs.

The first ``k = len(targets)`` columns are the targets' statistics; any further
columns are kept for the accepted particles (:attr:`Posterior.aux`)."""


def batch_simulator(
    setup: CalibrationSetup,
    targets: Sequence[Target],
    workers: int = 1,
    aux_metrics: Sequence[str] = (),
) -> Simulator:
    """A simulator running the setup's scenario through the batch runner.

    Every parameter set is one run built with the batch's recipe: the values written
    in the scenario (not an earlier calibration), the set's values and the setup's
    burn-in as the point, the setup's years and scale.

    Args:
        setup: The calibration setup (scenario, scale, years, burn-in).
        targets: Whose statistics to compute from each run.
        workers: Local worker processes (1 = in this process).
        aux_metrics: Yearly metrics appended after the statistics, metric by metric
            (``len(aux_metrics) × setup.years`` columns), for the cost rates
            (:mod:`calibration.costs`).

    Raises:
        ScenarioError: If the setup's scenario cannot be loaded.
    """
    # the values written in the scenario, not an earlier calibration
    size = RunOptions(years=setup.years, scale=setup.scale, calibration=UNCALIBRATED)
    base = load_base(find_scenario(setup.scenario), size)
    counter = iter(range(10**12))

    def simulate(thetas: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        tasks = []
        for theta, seed in zip(thetas, seeds, strict=True):
            overrides: dict[str, Any] = {
                path: float(v) for path, v in zip(setup.paths, theta, strict=True)
            }
            overrides["burn_in_months"] = setup.burn_in_months
            options = dataclasses.replace(size, seed_base=int(seed))
            spec = run_spec(base, 0, point=Point("kalibrierung", overrides), options=options)
            # ids by position: proposals are collected by id, whatever their values
            tasks.append(
                RunTask(run_id=f"kalibrierung-{next(counter)}", params=spec.params, seed=spec.seed)
            )
        index = {t.run_id: i for i, t in enumerate(tasks)}
        k = len(targets)
        out = np.full((len(tasks), k + len(aux_metrics) * setup.years), np.nan)
        for run_id, data, _error in execute_tasks(tasks, workers):
            if data is not None:
                row = index[run_id]
                out[row, :k] = statistics(data.results, targets)
                if aux_metrics:
                    yearly = yearly_figures(data.results, set(aux_metrics))
                    out[row, k:] = np.concatenate([yearly[m] for m in aux_metrics])
        return out

    return simulate


# ======================================================================= distance


def distance(stats: np.ndarray, targets: Sequence[Target]) -> np.ndarray:
    """Root mean square of the relative deviations in units of each tolerance.

    A distance of 1 means the statistics lie, on average, at the edge of their
    tolerances. Failed runs (NaN) get an infinite distance. Columns after the
    targets' (auxiliary figures) are ignored.
    """
    value = np.array([t.value for t in targets])
    tol = np.array([t.tolerance or 1.0 for t in targets])
    z = (np.atleast_2d(stats)[:, : len(targets)] - value) / (tol * np.abs(value))
    d = np.sqrt(np.mean(z**2, axis=1))
    return np.where(np.isfinite(d), d, np.inf)


# ======================================================================= ABC-SMC


@dataclass
class Generation:
    """One SMC generation."""

    epsilon: float
    simulated: int
    accepted: int
    ess: float


@dataclass
class Posterior:
    """A weighted posterior sample and how it was obtained."""

    setup: CalibrationSetup
    theta: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    generations: list[Generation] = field(default_factory=list)
    stopped: str = ""
    simulations: int = 0
    aux: np.ndarray | None = None
    """The simulator's columns after the statistics, per particle (or None)."""
    record: dict[str, Any] | None = None
    """With cost parameters: how the rates were fitted (the file's ``cost_stage``)."""


def _weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order])
    cw /= cw[-1]
    return float(x[order][min(int(np.searchsorted(cw, q)), len(x) - 1)])


def _kernel_logpdf(x: np.ndarray, centres: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Log-density N(x_i; c_j, cov) for all pairs, shape (len(x), len(centres))."""
    inv = np.linalg.inv(cov)
    _, logdet = np.linalg.slogdet(cov)
    diff = x[:, None, :] - centres[None, :, :]
    m = np.einsum("ijk,kl,ijl->ij", diff, inv, diff)
    return -0.5 * (m + logdet + x.shape[1] * math.log(2 * math.pi))


def _accepted(pairs: np.ndarray, eps: float) -> np.ndarray:
    """Which (particle, rate draw) pairs lie within the tolerance (finite ones for inf)."""
    return np.isfinite(pairs) & (pairs <= eps)


def _pair_weights(weights: np.ndarray, pairs: np.ndarray, eps: float) -> np.ndarray:
    """Each accepted pair's weight: its particle's weight shared by its accepted pairs."""
    ok = _accepted(pairs, eps)
    count = ok.sum(axis=1)
    return np.where(ok, (weights / np.maximum(count, 1))[:, None], 0.0)


class CostMarginal(Protocol):
    """Cost rates fitted inside the ABC-SMC (:class:`calibration.costs.RateDraws`)."""

    n_targets: int
    """How many spending targets the rates move (added to the distance)."""
    base_values: dict[str, float]
    """Each cost parameter's value in the runs, by path."""
    target_ids: list[str]
    """The spending targets' ids."""

    def __call__(self, aux: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(runs' extra columns (n, a), generator) → rates (n, draws, c), distances (n, draws)."""
        ...


def abc_smc(
    setup: CalibrationSetup,
    targets: Sequence[Target],
    simulate: Simulator,
    *,
    max_simulations: int,
    deadline: float | None = None,
    progress: Callable[[str], None] | None = None,
    costs: CostMarginal | None = None,
) -> Posterior:
    """Run ABC-SMC.

    With ``costs`` the setup's cost parameters are fitted in the same run: each
    simulation's spending is rescaled to ``costs.draws`` rate vectors drawn from their
    prior (no new runs; :mod:`calibration.costs` says why that is exact), each pair
    (parameter set, rate vector) has the root mean square distance over all targets,
    and a parameter set's distance is that of its best pair: it is accepted if one of
    its rate vectors brings it within the tolerance (:mod:`calibration.costs` says
    what posterior that gives and why the rates are not integrated exactly).
    The result is then the joint sample (parameters, rates): particles drawn by
    weight, each with one of its pairs within the last tolerance, drawn uniformly.

    Args:
        setup: Parameters with priors, population size, generations, quantile.
        targets: The fit targets of the runs (their values and tolerances define the
            distance).
        simulate: Runs parameter sets with seeds and returns their statistics.
        max_simulations: Budget of simulations (the calibration stops before a
            generation that would exceed it).
        deadline: ``time.monotonic()`` value after which no new round starts (safety
            net; the file records it if it triggers).
        progress: Called with a German status line after each generation.
        costs: The cost rates fitted from the runs' spending (None: none).

    Returns:
        The last complete generation as a weighted sample; with ``costs`` the joint
        sample with equal weights, the setup extended by the cost parameters and the
        rates' record in ``record``.
    """
    rng = np.random.default_rng(setup.seed)
    lo, hi = setup.low, setup.high
    span = hi - lo
    n, d = setup.population, len(setup.parameters)
    k1 = len(targets)
    k2 = costs.n_targets if costs is not None else 0

    def run(units: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        seeds = rng.integers(1, 2**31 - 1, size=len(units))
        stats = np.atleast_2d(simulate(lo + units * span, seeds))
        d1 = distance(stats, targets)
        aux = stats[:, k1:]
        if costs is None:
            return d1[:, None], None, aux
        rates, d2 = costs(aux, rng)
        pairs = np.sqrt((k1 * d1[:, None] ** 2 + k2 * d2**2) / (k1 + k2))
        return np.where(np.isfinite(pairs), pairs, np.inf), rates, aux

    # generation 0: the prior
    units = rng.random((n, d))
    pairs, rates, aux = run(units)
    sims = n
    eps_now = math.inf
    weights = np.full(n, 1.0 / n)
    dist = pairs.min(axis=1)
    post = Posterior(setup, lo + units * span, weights, dist, simulations=sims, aux=aux)
    post.generations.append(Generation(math.inf, n, n, float(n)))
    say = progress or (lambda _m: None)
    say(f"Generation 0 (Priori): {n} Läufe, Median der Distanz {np.median(dist):.3f}")
    acceptance = 1.0
    for g in range(1, setup.generations + 1):
        finite = np.isfinite(dist)
        eps = _weighted_quantile(dist[finite], weights[finite], setup.quantile)
        cov = 2.0 * np.cov(units.T, aweights=weights).reshape(d, d) + 1e-10 * np.eye(d)
        expected = math.ceil(n / max(acceptance, setup.min_acceptance))
        if sims + expected > max_simulations:
            post.stopped = (
                f"Simulationsbudget erreicht vor Generation {g} "
                f"({sims} von {max_simulations} Läufen)"
            )
            break
        chol = np.linalg.cholesky(cov)
        acc_units: list[np.ndarray] = []
        acc_pairs: list[np.ndarray] = []
        acc_rates: list[np.ndarray] = []
        acc_aux: list[np.ndarray] = []
        simulated = 0
        aborted = ""
        while len(acc_units) < n:
            if deadline is not None and time.monotonic() > deadline:
                aborted = f"Zeitlimit in Generation {g} erreicht"
                break
            if (
                simulated > 0
                and len(acc_units) / simulated < setup.min_acceptance
                and (simulated >= 2 * n)
            ):
                aborted = f"Annahmequote unter {setup.min_acceptance:.0%} in Generation {g}"
                break
            if sims + simulated >= max_simulations:
                aborted = f"Simulationsbudget in Generation {g} erreicht"
                break
            rate = max(len(acc_units) / simulated if simulated else acceptance, 0.05)
            size = min(max(math.ceil((n - len(acc_units)) / rate * 1.1), 8), 4 * n)
            size = min(size, max_simulations - sims - simulated)
            proposals = np.empty((size, d))
            for i in range(size):
                while True:
                    j = rng.choice(len(units), p=weights)
                    cand = units[j] + chol @ rng.standard_normal(d)
                    if np.all((cand >= 0.0) & (cand <= 1.0)):
                        break
                proposals[i] = cand
            pp, rr, extra = run(proposals)
            simulated += size
            for i in range(size):
                if _accepted(pp[i], eps).any() and len(acc_units) < n:
                    acc_units.append(proposals[i])
                    acc_pairs.append(pp[i])
                    acc_aux.append(extra[i])
                    if rr is not None:
                        acc_rates.append(rr[i])
        sims += simulated
        post.simulations = sims
        if aborted:
            post.stopped = aborted
            break
        new_units = np.array(acc_units)
        new_pairs = np.array(acc_pairs)
        log_k = _kernel_logpdf(new_units, units, cov)
        denom = np.log(np.exp(log_k - log_k.max(axis=1, keepdims=True)) @ weights) + log_k.max(
            axis=1
        )
        new_w = np.exp(-(denom - denom.min()))
        new_w /= new_w.sum()
        units, pairs, weights, eps_now = new_units, new_pairs, new_w, eps
        rates = np.array(acc_rates) if acc_rates else None
        acceptance = n / simulated
        ess = float(1.0 / np.sum(weights**2))
        post.theta, post.weights = lo + units * span, weights
        dist = pairs.min(axis=1)
        post.distances = dist
        post.aux = np.array(acc_aux)
        post.generations.append(Generation(eps, simulated, n, ess))
        say(
            f"Generation {g}: Toleranz {eps:.3f}, {simulated} Läufe, "
            f"Annahme {acceptance:.0%}, effektive Größe {ess:.0f}"
        )
    if not post.stopped:
        post.stopped = "alle Generationen gerechnet"
    if costs is None or rates is None:
        return post
    return _joint_sample(post, units, weights, pairs, rates, eps_now, costs)


def _joint_sample(
    post: Posterior,
    units: np.ndarray,
    weights: np.ndarray,
    pairs: np.ndarray,
    rates: np.ndarray,
    eps: float,
    costs: CostMarginal,
) -> Posterior:
    """The equally weighted joint sample (parameters, rates) of the last generation.

    Resampled systematically from the accepted pairs, each with its particle's
    weight shared by the particle's accepted pairs.
    """
    setup = post.setup
    n, m = pairs.shape
    pw = _pair_weights(weights, pairs, eps)
    flat = (pw / pw.sum()).ravel()
    rng = np.random.default_rng([setup.seed, 2])
    pi, mi = np.divmod(systematic(flat, setup.population, rng), m)
    lo, span = setup.low, setup.high - setup.low
    theta = np.hstack([lo + units[pi] * span, rates[pi, mi]])
    ok = _accepted(pairs, eps)
    extended = setup.model_copy(update={"parameters": setup.joint_parameters})
    record = {
        "verfahren": (
            "in der ABC-SMC, ohne eigene Läufe: je Lauf Kostensätze aus der Priori, Distanz "
            "des besten Paars"
        ),
        "draws_per_simulation": m,
        "targets": list(costs.target_ids),
        "parameters": [p.path for p in setup.cost_parameters],
        "base_values": dict(costs.base_values),
        "pairs_accepted": int(ok.sum()),
        "pairs": int(n * m),
        "particles_kept": int(ok.any(axis=1).sum()),
        "distinct_particles_drawn": len(np.unique(pi)),
        "ess": round(float(1.0 / np.sum(flat[flat > 0] ** 2)), 1),
    }
    return Posterior(
        extended,
        theta,
        np.full(setup.population, 1.0 / setup.population),
        pairs[pi, mi],
        generations=list(post.generations),
        stopped=post.stopped,
        simulations=post.simulations,
        record=record,
    )


# ================================================================ posterior file


def _round(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}")


def systematic(weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling of ``weights``: ``k`` equally weighted draws (indices), in order."""
    positions = (rng.random() + np.arange(k)) / k
    cw = np.cumsum(weights)
    cw /= cw[-1]
    return np.minimum(np.searchsorted(cw, positions), len(cw) - 1)


def resample(post: Posterior, k: int, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling: ``k`` equally weighted draws (indices), in particle order."""
    return systematic(post.weights, k, rng)


def point_estimate(post: Posterior) -> int:
    """Index of the particle nearest the weighted marginal medians (in prior units)."""
    span = post.setup.high - post.setup.low
    units = (post.theta - post.setup.low) / span
    med = np.array(
        [_weighted_quantile(units[:, j], post.weights, 0.5) for j in range(units.shape[1])]
    )
    return int(np.argmin(np.sum((units - med) ** 2, axis=1)))


def _calibration_code_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _fitted_scenario_sha256(scenario: str) -> str:
    """Content hash of a library scenario as written, without its calibration file.

    ``load_scenario(name, calibrated=False).sha256``: the resolved document (its
    ``extends`` chain included) and the contents of its data files, with the values
    the scenario files write, the ones the calibration varies. The calibration file
    the scenario names is not applied, so the hash does not depend on the file it is
    written into (which would be circular); only the reference to it
    (``calibration: {file: …}``) is part of the document.
    """
    from scenarios import load_scenario

    return load_scenario(find_scenario(scenario), calibrated=False).sha256


def _model_code_hash() -> str:
    """The engine's code hash (:func:`experiments.model_code_hash`)."""
    from experiments import model_code_hash

    return model_code_hash()


def posterior_document(
    post: Posterior,
    targets: TargetSet,
    targets_hash: str,
    max_simulations: int,
    *,
    scenario_sha256: str | None = None,
    model_code: str | None = None,
    cost_stage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The calibration file's content (deterministic: no clock, no machine paths).

    Besides the posterior, the file records what it was fitted for, so that a run can
    tell that it is stale (:mod:`calibration.freshness`):

    * ``scenario_sha256``: the content hash of the calibrated scenario (the setup's
      ``scenario``) as written, without its calibration
      (``load_scenario(name, calibrated=False).sha256``: the resolved document and
      the data files' contents; not the calibration file, which would be circular).
      Changed values in that scenario, its bases or its data files change it.
    * ``model_code``: the hash of the engine's code, every ``.py`` file of
      ``model/`` (:func:`experiments.model_code_hash`); the dashboard, the command
      line and the scenario language are not part of it.
    * ``code_version`` (as before): the package version and the hash of the
      engine, scenario and experiment code, for the record; ``calibration_code``:
      the hash of the calibration's own code.

    Args:
        post: The posterior sample.
        targets: The targets (fit and held-out ids are listed).
        targets_hash: sha256 of the targets file.
        max_simulations: The simulation budget.
        scenario_sha256: The scenario's content hash when the calibration started
            (default: computed now); a scenario edited during a long calibration
            must not be recorded as the one fitted.
        model_code: The engine's code hash when it started (default: computed now).
        cost_stage: How the cost rates were fitted (:attr:`Posterior.record` of
            :func:`abc_smc` with ``costs``), written as ``cost_stage``; ``post`` is
            then the joint sample.

    Raises:
        ScenarioError: If the setup's scenario cannot be loaded (only when
            ``scenario_sha256`` is not given).
    """
    setup = post.setup
    fitted_scenario = (
        scenario_sha256 if scenario_sha256 is not None else _fitted_scenario_sha256(setup.scenario)
    )
    fitted_model = model_code if model_code is not None else _model_code_hash()
    rng = np.random.default_rng([setup.seed, 1])
    draw_idx = resample(post, setup.draws, rng)
    point = point_estimate(post)
    params = []
    for j, p in enumerate(setup.parameters):
        col = post.theta[:, j]
        params.append(
            {
                "path": p.path,
                "label": p.label,
                "unit": p.unit,
                "prior": {"verteilung": "gleichverteilt", "low": p.low, "high": p.high},
                "median": _round(_weighted_quantile(col, post.weights, 0.5)),
                "q05": _round(_weighted_quantile(col, post.weights, 0.05)),
                "q95": _round(_weighted_quantile(col, post.weights, 0.95)),
            }
        )

    def values(i: int) -> dict[str, float]:
        return {p: _round(float(post.theta[i, j])) for j, p in enumerate(setup.paths)}

    method = (
        "ABC-SMC (Beaumont et al. 2009): gleichverteilte Priori, Gaußkern mit doppelter "
        "gewichteter Kovarianz, Toleranz = gewichtetes Quantil der Distanzen der "
        "Vorgeneration; Distanz = Wurzel des mittleren Quadrats der relativen "
        "Abweichungen in Einheiten der Toleranz je Zielgröße"
    )
    if cost_stage is not None:
        method += (
            "; Kostensätze in der ABC-SMC ohne eigene Läufe: je Lauf Kostensätze aus der "
            "Priori, Ausgaben des Laufs mit ihnen umgerechnet (proportional), Distanz eines "
            "Parametersatzes die seines besten Paars; je Teilchen der Stichprobe ein Paar "
            "in der Toleranz"
        )
    doc: dict[str, Any] = {
        "format": FORMAT,
        "name": setup.name,
        "scenario": setup.scenario,
        "scenario_sha256": fitted_scenario,
        "method": method,
        "seed": setup.seed,
        "code_version": code_version(),
        "model_code": fitted_model,
        "calibration_code": _calibration_code_hash(),
        "targets_sha256": targets_hash,
        "fit_targets": [t.id for t in targets.by_role("fit")],
        "holdout_targets": [t.id for t in targets.by_role("holdout")],
        "settings": {
            "scale": setup.scale,
            "years": setup.years,
            "burn_in_months": setup.burn_in_months,
            "population": setup.population,
            "generations": setup.generations,
            "quantile": setup.quantile,
            "max_simulations": max_simulations,
        },
        "stopped": post.stopped,
        "simulations": post.simulations,
        **({"cost_stage": cost_stage} if cost_stage is not None else {}),
        "generations": [
            {
                "epsilon": None if math.isinf(g.epsilon) else _round(g.epsilon),
                "simulated": g.simulated,
                "accepted": g.accepted,
                "ess": _round(g.ess, 4),
            }
            for g in post.generations
        ],
        "parameters": params,
        "point": values(point),
        "draws": [values(int(i)) for i in draw_idx],
        "particles": [
            {
                "weight": _round(float(post.weights[i])),
                "distance": _round(float(post.distances[i])),
                "values": values(i),
            }
            for i in range(len(post.weights))
        ],
    }
    return doc


def write_posterior(doc: dict[str, Any], path: str | Path) -> Path:
    """Write a calibration file (YAML with a German header)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Kalibrierungsdatei (erzeugt mit `sozialraum calibrate`, nicht von Hand ändern).\n"
        "# point: Parametersatz für Einzelläufe; draws: gleichgewichtete Ziehungen aus der\n"
        "# Posteriori, Wiederholung r eines Batches nutzt draws[(Seed − 1) mod Anzahl];\n"
        "# particles: die gewichtete Stichprobe der letzten Generation.\n"
    )
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
    out.write_text(header + text, encoding="utf-8")
    return out


__all__ = [
    "FORMAT",
    "POSTERIOR_DIR",
    "SETUP_DIR",
    "CalibrationSetup",
    "CostPrior",
    "Generation",
    "ParameterPrior",
    "Posterior",
    "abc_smc",
    "batch_simulator",
    "distance",
    "load_setup",
    "point_estimate",
    "posterior_document",
    "resample",
    "systematic",
    "write_posterior",
]
