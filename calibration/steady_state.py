"""Steady state of a scenario: how the stock of running helps drifts after the burn-in.

A status quo without a need trend should report a stock of helps that neither grows
nor shrinks except with its population: a drift is an artefact of how the model starts
(every run starts with no help running, and long helps such as §33 foster care take
years to build up). This script measures the drift for several burn-in lengths:

* per run, the mean monthly stock of running helps in the first and in the last
  reported year (means of 12 months, so the figure does not hang on one month);
* the drift is last / first − 1, of the stock, of the stock per under-21 (the
  population grows by ``population.growth_per_year`` in the reported years), and of
  the stock of the cost drivers, over the mean of the seeds;
* with ``--path``, the yearly mean stock per help type from three years before the
  report starts.

The runs are the batch's (``experiments.run_spec``: posterior draws by seed, the
scenario's scale), with the burn-in as the only override.

Run: ``python -m calibration.steady_state lueneburg-status-quo --burn-in 60 240``.
The test of the steady-state target (``tests/calibration/test_steady_state.py``) uses
the same functions.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from experiments import Point, RunOptions, load_base, run_spec
from model.model import SozialraumModel
from scenarios import find_scenario

DRIVERS = ("31", "33", "34", "35a")
"""Help types shown one by one (the cost drivers and the largest ambulatory help)."""


def stock_path(
    name: str, burn_in: int, seeds: int, years: int | None = None
) -> tuple[list[str], np.ndarray]:
    """Mean monthly stock per help type (columns), then total, under-21 and families.

    Args:
        name: A scenario of the library.
        burn_in: Burn-in months (the only override).
        seeds: Replicates 0 .. seeds − 1 of the batch's recipe.
        years: Reported years (default: the scenario's).

    Returns:
        The help type codes and an array (months, types + 3), averaged over the seeds.
    """
    options = RunOptions(years=years)
    base = load_base(find_scenario(name), options)
    paths = []
    codes: list[str] = []
    for r in range(seeds):
        spec = run_spec(
            base, r, point=Point("einschwingen", {"burn_in_months": burn_in}), options=options
        )
        model = SozialraumModel(spec.params, rng=spec.seed)
        codes = [h.code for h in spec.params.help_types]
        rows = []
        while model.month_abs < model.total_months:
            model.step()
            f = model.families
            active = f.alive & (f.case_type >= 0)
            stock = np.bincount(f.case_type[active], minlength=len(codes)).astype(float)
            rows.append(np.r_[stock, stock.sum(), model.under21_by_region().sum(), f.alive.sum()])
        paths.append(np.array(rows))
    return codes, np.mean(paths, axis=0)


def drift(codes: list[str], path: np.ndarray, burn_in: int) -> dict[str, float]:
    """Relative change from the first to the last reported year's mean stock.

    Returns:
        Per cost driver (its code), ``stock``, ``per_u21`` and ``u21`` the relative
        change; ``first`` and ``last`` the two years' mean stocks.
    """
    first = path[burn_in : burn_in + 12].mean(axis=0)
    last = path[-12:].mean(axis=0)
    out = {c: last[i] / first[i] - 1 for i, c in enumerate(codes) if c in DRIVERS}
    n = len(codes)
    out["stock"] = last[n] / first[n] - 1
    out["per_u21"] = (last[n] / last[n + 1]) / (first[n] / first[n + 1]) - 1
    out["u21"] = last[n + 1] / first[n + 1] - 1
    out["first"] = first[n]
    out["last"] = last[n]
    return out


def main() -> None:
    """Print the drift for each burn-in length asked for."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--burn-in", type=int, nargs="+", default=[60, 120, 180, 240])
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--years", type=int, default=None, help="default: the scenario's")
    ap.add_argument("--path", action="store_true", help="print the yearly stock path")
    args = ap.parse_args()
    print(
        f"{args.scenario}: drift of the mean monthly stock, first to last reported year, "
        f"mean of {args.seeds} seeds"
    )
    for burn_in in args.burn_in:
        t0 = time.perf_counter()
        codes, path = stock_path(args.scenario, burn_in, args.seeds, args.years)
        d = drift(codes, path, burn_in)
        drivers = "  ".join(f"§{c} {d[c]:+.1%}" for c in DRIVERS if c in d)
        print(
            f"burn-in {burn_in:3d} months: stock {d['first']:.0f} -> {d['last']:.0f} "
            f"({d['stock']:+.1%}), per under-21 {d['per_u21']:+.1%}, under-21 {d['u21']:+.1%}; "
            f"{drivers}  [{time.perf_counter() - t0:.1f} s]"
        )
        if args.path:
            cols = [*(c for c in codes if c in DRIVERS), "total", "u21"]
            idx = [codes.index(c) if c in codes else None for c in cols]
            idx[-2:] = [len(codes), len(codes) + 1]
            print("  year " + " ".join(f"{c:>7}" for c in cols))
            for y in range(-3, (len(path) - burn_in) // 12):
                a = burn_in + 12 * y
                if a < 0:
                    continue
                v = path[a : a + 12].mean(axis=0)
                print(f"  {y:4d} " + " ".join(f"{v[i]:7.0f}" for i in idx))


if __name__ == "__main__":
    main()
