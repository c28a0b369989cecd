"""ABC-SMC: our sampler against pyabc on a toy with a known posterior.

Run ``python benchmarks/bench_abc.py`` (about a minute on one core; single process).
pyabc is not a dependency of the project; without it the script says so and exits 0
(``pip install pyabc`` into the venv to run it).

The toy is the one of ``tests/calibration/test_fit_toy.py``: ``N_OBS`` = 16
observations from Normal(mu, 2), summary statistic their mean (Normal(mu, SE),
SE = 0.5), uniform prior; the exact posterior is Normal(y, SE) truncated to the prior
(``scipy.stats.truncnorm``). Two cases: the prior [0, 20] around y ~ 10.5 ("Mitte",
truncation negligible) and the lower bound 0.5 SE below y ("Rand", 31 % of the
untruncated posterior cut off).

Both samplers get the same problem and settings: the same distance (our
:func:`calibration.fit.distance`, |stat - y| / SE), population 2000, 7 generations
after the prior, tolerance = weighted median of the previous generation's distances,
Gaussian perturbation kernel with twice the weighted covariance (pyabc:
``MultivariateNormalTransition(scaling=2)`` with bandwidth factor 1; ``--pyabc-kern
standard`` keeps pyabc's default, Silverman's rule). pyabc runs with
``SingleCoreSampler`` and an SQLite database in a temporary directory; it calibrates
its first tolerance on an extra prior sample of the population's size (as our
generation 0). Printed per case: the exact mean, 5 % and 95 % quantiles, ours and
pyabc's (and their deviation in exact posterior sds), the final tolerance, the number
of simulations and the wall time (``time.perf_counter``, including pyabc's database).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from calibration.fit import abc_smc, distance  # noqa: E402
from tests.calibration.test_fit_toy import (  # noqa: E402
    MAX_SIMULATIONS,
    N_OBS,
    ONE,
    SE,
    SIGMA,
    exact_truncnorm,
    mean_simulator,
    observed,
    summary,
    toy_setup,
    toy_targets,
)


def cases() -> list[tuple[str, float, float]]:
    """(name, low, high) of the prior of each case."""
    (y,) = observed(ONE)
    return [("Mitte", 0.0, 20.0), ("Rand", y - 0.5 * SE, y + 20 * SE)]


def run_ours(low: float, high: float, population: int, generations: int, seed: int) -> dict:
    """Our abc_smc on the toy: summary, final tolerance, simulations, seconds."""
    (y,) = observed(ONE)
    setup = toy_setup([(low, high)], seed=seed, population=population, generations=generations)
    t0 = time.perf_counter()
    post = abc_smc(
        setup, toy_targets(np.array([y])), mean_simulator(ONE), max_simulations=MAX_SIMULATIONS
    )
    seconds = time.perf_counter() - t0
    return {
        **summary(post.theta[:, 0], post.weights),
        "epsilon": post.generations[-1].epsilon,
        "simulations": post.simulations,
        "seconds": seconds,
    }


def run_pyabc(
    low: float,
    high: float,
    population: int,
    generations: int,
    seed: int,
    kernel: str,
    db_dir: Path,
) -> dict:
    """Run pyabc's ABCSMC on the same toy (single core, SQLite in ``db_dir``)."""
    import pyabc
    from pyabc.sampler import SingleCoreSampler

    (y,) = observed(ONE)
    targets = toy_targets(np.array([y]))
    sim_rng = np.random.default_rng(seed)
    np.random.seed(seed)  # noqa: NPY002 (pyabc draws from numpy's global generator)

    def model(par: Any) -> dict[str, float]:
        return {"m": float(sim_rng.normal(par["mu"], SIGMA, N_OBS).mean())}

    def dist(x: dict[str, float], x0: dict[str, float]) -> float:
        return float(distance(np.array([[x["m"]]]), targets)[0])

    if kernel == "gleich":
        transition = pyabc.MultivariateNormalTransition(
            scaling=2.0, bandwidth_selector=lambda _n, _d: 1.0
        )
    else:
        transition = pyabc.MultivariateNormalTransition()
    abc = pyabc.ABCSMC(
        model,
        pyabc.Distribution(mu=pyabc.RV("uniform", low, high - low)),
        dist,
        population_size=population,
        transitions=transition,
        eps=pyabc.QuantileEpsilon(alpha=0.5),
        sampler=SingleCoreSampler(),
    )
    t0 = time.perf_counter()
    abc.new(f"sqlite:///{db_dir / f'pyabc-{low:.3f}.db'}", {"m": float(y)})
    history = abc.run(max_nr_populations=generations)
    seconds = time.perf_counter() - t0
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    pops = history.get_all_populations()
    return {
        **summary(frame["mu"].to_numpy(), np.asarray(weights)),
        "epsilon": float(pops["epsilon"].iloc[-1]),
        "simulations": int(history.total_nr_simulations),
        "seconds": seconds,
    }


def _row(name: str, r: dict, exact: dict) -> str:
    cells = f"{name:<10}{r['mean']:9.4f}{r['q05']:9.4f}{r['q95']:9.4f}"
    if r is exact:
        return cells
    dev = "  ".join(f"{(r[k] - exact[k]) / exact['sd']:+.3f}" for k in ("mean", "q05", "q95"))
    return f"{cells}   {dev:<24}{r['epsilon']:8.3f}{r['simulations']:10d}{r['seconds']:9.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description="ABC-SMC gegen pyabc am Spielmodell.")
    parser.add_argument("--population", type=int, default=2000)
    parser.add_argument("--generations", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pyabc-kern",
        choices=("gleich", "standard"),
        default="gleich",
        help="gleich: doppelte gewichtete Kovarianz wie abc_smc; standard: pyabcs Voreinstellung",
    )
    args = parser.parse_args()
    if importlib.util.find_spec("pyabc") is None:
        print("pyabc ist nicht installiert: pip install pyabc")
        return
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    (y,) = observed(ONE)
    print(
        f"Spielmodell: {N_OBS} Beobachtungen aus Normal(mu, {SIGMA:g}), Statistik Mittelwert "
        f"(SE = {SE:g}), beobachtet y = {y:.4f}; pyabc {pyabc.__version__}, Perturbationskern "
        f"{args.pyabc_kern}"
    )
    print(
        f"Population {args.population}, {args.generations} Generationen nach der Priori, "
        f"Toleranz = gewichteter Median, Seed {args.seed}, ein Prozessorkern"
    )
    header = (
        f"{'':<10}{'Mittel':>9}{'q05':>9}{'q95':>9}   {'Abw. in sd (M/q05/q95)':<24}"
        f"{'Toleranz':>8}{'Läufe':>10}{'Zeit s':>9}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-abc-") as tmp:
        for name, low, high in cases():
            exact = exact_truncnorm(y, SE, low, high)
            ours = run_ours(low, high, args.population, args.generations, args.seed)
            ref = run_pyabc(
                low, high, args.population, args.generations, args.seed, args.pyabc_kern, Path(tmp)
            )
            print()
            print(f"Fall {name}: Priori [{low:.4f}, {high:.4f}], exakte sd {exact['sd']:.4f}")
            print(header)
            print(_row("exakt", exact, exact))
            print(_row("abc_smc", ours, exact))
            print(_row("pyabc", ref, exact))


if __name__ == "__main__":
    main()
