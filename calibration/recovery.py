"""Parameter recovery: does the calibration find parameters it was given?

For each of ``datasets`` synthetic datasets, a "true" parameter set is drawn from the
prior, the model is run once with it, and its statistics replace the published
target values (same statistics, same tolerances). The ABC-SMC of
:mod:`calibration.fit` is then run against these pseudo-targets as against the real
ones, and per parameter it is recorded whether the posterior's 90 % interval covers
the truth and how wide the interval is (as a share of the prior's span).

At the nominal 90 %, a parameter the targets identify should be covered in about
90 % of the datasets (the issue asks for at least 80 %) with an interval clearly
narrower than its prior; a parameter that is covered only because its interval is
the whole prior (width near 0.9) is not identified by the targets, and the report
says so.

With cost parameters in the setup (:mod:`calibration.costs`), the true daily rates
are drawn from their prior too; the pseudo spending targets are the truth run's
spending rescaled to them (as the calibration rescales), and each calibration fits
the rates as the real one does (inside the ABC-SMC), so the rates'
coverage is reported as well.

Everything random comes from one numpy Generator seeded by ``seed`` (truths, the
pseudo-data's seeds, each calibration's seed), so the same seed gives the same
report.

Run: ``python -m calibration.recovery --datasets 20 --minutes-each 4``
(or smaller ``--population``/``--generations`` for a quicker look).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from calibration.costs import (
    RateDraws,
    aux_metrics,
    cost_bases,
    rescaled_statistics,
    split_targets,
)
from calibration.fit import (
    SETUP_DIR,
    CalibrationSetup,
    Simulator,
    _weighted_quantile,
    abc_smc,
    batch_simulator,
    load_setup,
)
from calibration.targets import Target, load_targets

REPORT_DIR = Path(__file__).resolve().parent / "recovery"
IDENTIFIED_WIDTH = 0.6
"""Interval width (share of the prior span) above which a parameter counts as not
identified by the targets, whatever its coverage."""


@dataclass
class Recovery:
    """The result of a recovery study."""

    setup: CalibrationSetup
    truths: np.ndarray
    """(datasets, parameters) true values."""
    q05: np.ndarray
    q95: np.ndarray
    medians: np.ndarray
    simulations: list[int] = field(default_factory=list)
    skipped: int = 0
    """Datasets redrawn because a statistic was 0 (a relative distance needs a value)."""

    @property
    def covered(self) -> np.ndarray:
        """(datasets, parameters): whether the 90 % interval covers the truth."""
        return (self.q05 <= self.truths) & (self.truths <= self.q95)

    @property
    def coverage(self) -> np.ndarray:
        """Per parameter: share of datasets whose interval covers the truth."""
        return self.covered.mean(axis=0)

    @property
    def width(self) -> np.ndarray:
        """Per parameter: mean interval width as a share of the prior's span."""
        span = self.setup.high - self.setup.low
        return ((self.q95 - self.q05) / span).mean(axis=0)

    def table(self) -> list[dict[str, object]]:
        """One row per parameter: path, label, coverage, width, verdict (German)."""
        rows = []
        for j, p in enumerate(self.setup.parameters):
            cov, wid = float(self.coverage[j]), float(self.width[j])
            if wid > IDENTIFIED_WIDTH:
                verdict = "nicht identifiziert (Intervall fast so breit wie die Priori)"
            elif cov >= 0.8:
                verdict = "wiedergefunden"
            else:
                verdict = "Überdeckung unter 80 %"
            rows.append(
                {
                    "path": p.path,
                    "label": p.label,
                    "coverage": round(cov, 3),
                    "width": round(wid, 3),
                    "verdict": verdict,
                }
            )
        return rows


def _pseudo_targets(targets: Sequence[Target], values: np.ndarray) -> list[Target]:
    return [t.model_copy(update={"value": float(v)}) for t, v in zip(targets, values, strict=True)]


def recover(
    setup: CalibrationSetup,
    targets: Sequence[Target],
    simulate: Simulator,
    *,
    datasets: int,
    max_simulations: int,
    seed: int,
    progress: object = None,
    bases: Sequence[float] = (),
) -> Recovery:
    """Run the recovery study.

    Args:
        setup: The calibration setup (priors, population, generations, quantile).
        targets: The fit targets whose statistics and tolerances are used.
        simulate: The simulator (as for :func:`calibration.fit.abc_smc`); with cost
            parameters, one that appends the spending targets' yearly metrics
            (``batch_simulator(..., aux_metrics=aux_metrics(costs))`` for the
            targets computed from the runs).
        bases: With cost parameters: each one's value in the runs.
        datasets: Number of synthetic datasets.
        max_simulations: Simulation budget of each calibration.
        seed: Seed of the study.
        progress: Optional callable taking a German status line.

    Returns:
        Truths, intervals and medians per dataset and parameter.
    """
    rng = np.random.default_rng([seed, 2])
    first, costs = split_targets(setup, targets)
    cps = setup.cost_parameters
    all_params = setup.joint_parameters
    lo = np.array([p.low for p in all_params])
    hi = np.array([p.high for p in all_params])
    d, d1, k1 = len(all_params), len(setup.parameters), len(first)
    truths, q05, q95, med, sims = [], [], [], [], []
    skipped = 0
    say = progress if callable(progress) else (lambda _m: None)
    while len(truths) < datasets:
        truth = lo + rng.random(d) * (hi - lo)
        row = simulate(truth[None, :d1], rng.integers(1, 2**31 - 1, size=1))[0]
        obs = row[:k1]
        if costs and np.all(np.isfinite(row)):
            rates = truth[None, None, d1:]
            obs = np.concatenate(
                [obs, rescaled_statistics(setup, row[None, k1:], rates, costs, bases)[0, 0]]
            )
        if not np.all(np.isfinite(obs)) or np.any(obs == 0):
            skipped += 1
            if skipped > 10 * datasets:
                raise RuntimeError("too many synthetic datasets with a statistic of 0")
            continue
        k_setup = setup.model_copy(update={"seed": int(rng.integers(1, 2**31 - 1))})
        rate_draws = (
            RateDraws(k_setup, tuple(_pseudo_targets(costs, obs[k1:])), tuple(bases))
            if costs
            else None
        )
        post = abc_smc(
            k_setup,
            _pseudo_targets(first, obs[:k1]),
            simulate,
            max_simulations=max_simulations,
            costs=rate_draws,
        )
        w = post.weights
        cols = range(d)
        q05.append([_weighted_quantile(post.theta[:, j], w, 0.05) for j in cols])
        q95.append([_weighted_quantile(post.theta[:, j], w, 0.95) for j in cols])
        med.append([_weighted_quantile(post.theta[:, j], w, 0.5) for j in cols])
        truths.append(truth)
        sims.append(post.simulations)
        inside = (np.array(q05[-1]) <= truth) & (truth <= np.array(q95[-1]))
        say(
            f"Datensatz {len(truths)} von {datasets}: {post.simulations} Läufe, "
            f"{int(inside.sum())} von {d} Parametern im 90-%-Intervall"
        )
    if cps:
        setup = setup.model_copy(update={"parameters": all_params})
    return Recovery(
        setup, np.array(truths), np.array(q05), np.array(q95), np.array(med), sims, skipped
    )


def report_document(rec: Recovery, settings: dict[str, object]) -> dict[str, object]:
    """The recovery report as a YAML-ready mapping (no clock, no machine paths)."""
    return {
        "format": "sozialraum-wiederfindung/1",
        "setup": rec.setup.name,
        "scenario": rec.setup.scenario,
        "settings": settings,
        "datasets": int(rec.truths.shape[0]),
        "skipped_datasets": rec.skipped,
        "simulations": rec.simulations,
        "parameters": rec.table(),
    }


def main() -> None:
    """Run the study on the Lüneburg setup and write ``calibration/recovery/<name>.yaml``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--setup", default="lueneburg")
    ap.add_argument("--datasets", type=int, default=20)
    ap.add_argument("--minutes-each", type=float, default=4.0)
    ap.add_argument("--population", type=int, default=None)
    ap.add_argument("--generations", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    setup = load_setup(SETUP_DIR / f"{args.setup}.yaml")
    update = {
        k: v
        for k, v in (("population", args.population), ("generations", args.generations))
        if v is not None
    }
    setup = setup.model_copy(update=update)
    targets = load_targets().by_role("fit")
    first, costs = split_targets(setup, targets)
    bases = cost_bases(setup)
    budget = max(int(args.minutes_each * setup.sims_per_minute), setup.population)
    t0 = time.monotonic()
    rec = recover(
        setup,
        targets,
        batch_simulator(setup, first, workers=args.workers, aux_metrics=aux_metrics(costs)),
        datasets=args.datasets,
        max_simulations=budget,
        seed=args.seed,
        progress=print,
        bases=bases,
    )
    settings = {
        "population": setup.population,
        "generations": setup.generations,
        "max_simulations_each": budget,
        "seed": args.seed,
        "scale": setup.scale,
        "years": setup.years,
        "burn_in_months": setup.burn_in_months,
    }
    out = Path(args.out) if args.out else REPORT_DIR / f"{setup.name}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        yaml.safe_dump(report_document(rec, settings), allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    print(f"{'Parameter':45s} Überdeckung  Breite  Urteil")
    for row in rec.table():
        print(f"{row['label']:45s} {row['coverage']:10.0%}  {row['width']:6.2f}  {row['verdict']}")
    print(f"{math.fsum(rec.simulations):.0f} Läufe in {(time.monotonic() - t0) / 60:.1f} min")


if __name__ == "__main__":
    main()
