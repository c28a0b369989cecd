"""Per-month overhead benchmark of the vectorised engine (issue 13, "engine speed").

Run ``python benchmarks/bench_month.py``. It times two runs in this process, each the
best of 5 after one warm-up (wall clock, ``time.perf_counter``, a whole ``run_once``
with building the model and the output tables), and prints a cProfile of run (1),
the top 25 functions by own time:

1. the Lüneburg-like test parameters (``tests/fixtures/factory.py``) at scale 1.0,
   10 years after the default 240-month burn-in (about 14,700 families, 360 months);
2. the calibration's size: scale 0.3, 4 years after the burn-in (about 4,400
   families, 288 months).

At these sizes a month costs a few milliseconds and is dominated by fixed per-month
overhead (Python and small numpy calls), not by work per family.

Options: ``--fingerprint`` also prints a SHA-256 of each run's output tables
(results, ledger, closing, providers), to check that an optimisation changed no
bit; ``--no-profile`` skips the profile; ``--repeat N`` sets the repetitions.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import pstats
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from model.params import ModelParams
    from model.run import RunResult

RUNS: dict[str, dict[str, float | int]] = {
    "(1) scale 1.0, 10 years": {"scale": 1.0, "years": 10},
    "(2) scale 0.3, 4 years": {"scale": 0.3, "years": 4},
}
"""The two measured runs: ``make_params`` overrides."""


def _params(overrides: dict[str, float | int]) -> ModelParams:
    """The engine tests' parameters with the run's overrides."""
    from tests.fixtures.factory import make_params

    return make_params(**overrides)


def fingerprint(result: RunResult) -> str:
    """SHA-256 over the run's output tables (values and column names, in order)."""
    h = hashlib.sha256()
    for frame in (result.results, result.ledger, result.closing, result.providers):
        h.update(",".join(map(str, frame.columns)).encode())
        for col in frame.columns:
            values = frame[col].to_numpy()
            if values.dtype == object:
                h.update("\x1f".join(map(str, values)).encode())
            else:
                h.update(values.tobytes())
    return h.hexdigest()


def time_run(params: ModelParams, repeat: int) -> tuple[list[float], list[float], RunResult]:
    """Wall and CPU times of ``repeat`` runs after one warm-up (seed 1), last result.

    The CPU time of the process (``time.process_time``) is steadier than the wall
    time when other processes share the cores.
    """
    from model.run import run_once

    result = run_once(params, seed=1)  # warm-up: numba caches, imports
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = run_once(params, seed=1)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu, result


def profile_run(params: ModelParams, top: int) -> str:
    """A cProfile of one run (seed 1): the top functions by own time."""
    from model.run import run_once

    prof = cProfile.Profile()
    prof.enable()
    run_once(params, seed=1)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    """Time both runs, then profile run (1)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--fingerprint", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args(argv)

    for label, overrides in RUNS.items():
        params = _params(overrides)
        wall, cpu, result = time_run(params, args.repeat)
        best = min(wall)
        months = params.burn_in_months + 12 * params.years
        print(
            f"{label}: best {best:.3f} s ({1000 * best / months:.2f} ms/month), "
            f"cpu best {min(cpu):.3f} s, all {', '.join(f'{t:.3f}' for t in wall)}"
        )
        if args.fingerprint:
            print(f"    fingerprint {fingerprint(result)}")
    if not args.no_profile:
        print(profile_run(_params(RUNS["(1) scale 1.0, 10 years"]), args.top))


if __name__ == "__main__":
    main()
