"""Benchmark: how long planning a batch takes (loading, validating, building every run).

Planning loads every scenario once, resolves the sweep and builds each run's frozen
parameters (see :func:`experiments.plan_batch`); nothing runs and nothing is
written. Three batches, each timed after one warm-up load (imports, caches):

* ``bibliothek``: every library scenario × 2 replicates, 2 years at 20 % scale
  (the fixed batch the restructure is checked with);
* ``vergleich``: two Lüneburg scenarios × 10 replicates (``sozialraum compare``'s
  default);
* ``sweep``: one scenario × the shipped example sweep × 2 replicates.

Prints seconds per batch and per planned run, and how many scenario loads the plan
made (calls of the loader, each reading the scenario's YAML and data files).

Then the overnight case of issue 16 — a batch with nothing to compute: two Lüneburg
scenarios × 200 replicates (400 runs) planned once in full, registered in a
temporary store, and planned again with the store's look-up (``stored``), which
takes the run ids from the store and builds no run (``--ohne-speicher`` skips it).

Usage::

    python benchmarks/bench_plan.py [--repeat 3] [--ohne-speicher]
"""

from __future__ import annotations

import argparse
import glob
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _api() -> tuple[Callable[..., Any], Callable[..., Any], Callable[[], list[str]]]:
    """(plan_batch, load_sweep, list_scenarios) from whichever layout is checked out."""
    try:
        from experiments import load_sweep, plan_batch
    except ImportError:  # before the restructure
        from experiments.batch import plan_batch
        from experiments.sweep import load_sweep
    try:
        from scenarios import list_scenarios
    except ImportError:
        from scenarios.loader import list_scenarios
    return plan_batch, load_sweep, list_scenarios


def _count_loads() -> list[int]:
    """Count calls of ``load_scenario`` wherever the planner looks it up."""
    import importlib

    counter = [0]
    for name in ("experiments.batch", "experiments.plan", "experiments.recipe"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        original = getattr(module, "load_scenario", None)
        if original is None:
            continue

        def counted(*args: Any, _f: Any = original, **kwargs: Any) -> Any:
            counter[0] += 1
            return _f(*args, **kwargs)

        module.load_scenario = counted  # type: ignore[attr-defined]
    return counter


def main() -> None:
    """Time the three plans and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="timings per batch (median)")
    parser.add_argument(
        "--ohne-speicher", action="store_true", help="skip the stored 400-run batch"
    )
    args = parser.parse_args()
    plan_batch, load_sweep, list_scenarios = _api()
    counter = _count_loads()
    sweep_file = sorted(glob.glob(str(ROOT / "experiments" / "sweeps" / "*.yaml")))[0]
    batches: dict[str, Callable[[], Any]] = {
        "bibliothek": lambda: plan_batch(list_scenarios(), 2, years=2, scale=0.2),
        "vergleich": lambda: plan_batch(
            ["lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"], 10, years=2, scale=0.1
        ),
        "sweep": lambda: plan_batch(
            ["lueneburg-rb2-20-rueckbehalt"], 2, years=2, scale=0.2, sweep=load_sweep(sweep_file)
        ),
    }
    plan_batch(["lueneburg-status-quo"], 1)  # warm-up: imports and caches
    for name, make in batches.items():
        times = []
        loads = 0
        n = 0
        for _ in range(args.repeat):
            counter[0] = 0
            t0 = time.perf_counter()
            plan = make()
            times.append(time.perf_counter() - t0)
            loads, n = counter[0], len(plan.runs)
        median = statistics.median(times)
        print(
            f"{name:<11} {n:4d} Läufe  {median:6.2f} s  ({median / n * 1000:5.1f} ms je Lauf, "
            f"{loads} Szenario-Ladevorgänge)"
        )
    if not args.ohne_speicher:
        _stored_batch(plan_batch)


def _stored_batch(plan_batch: Callable[..., Any]) -> None:
    """Plan 400 runs in full, register them, plan again against the store."""
    import tempfile

    from experiments import stored_members
    from results import ResultsStore

    scenarios = ["lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"]
    t0 = time.perf_counter()
    plan = plan_batch(scenarios, 200, years=2, scale=0.1)
    for run in plan.runs:  # what planning built before: task, manifest row and group
        _ = run.task, run.record, run.group
    full = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.duckdb"
        with ResultsStore(path) as store:
            store.register_batch(
                plan.batch_id, plan.label, plan.plan, [r.member for r in plan.runs]
            )
        with ResultsStore(path, read_only=True) as store:
            t0 = time.perf_counter()
            again = plan_batch(
                scenarios, 200, years=2, scale=0.1, stored=lambda r: stored_members(store, r)
            )
            cheap = time.perf_counter() - t0
    assert again.run_ids == plan.run_ids and again.batch_id == plan.batch_id
    built = sum("spec" in vars(r) for r in again.runs)
    print(
        f"gespeichert {len(plan.runs):4d} Läufe  jeder Lauf gebaut (wie bisher) {full:6.2f} s, "
        f"mit dem Ergebnisspeicher {cheap:6.2f} s ({built} Läufe gebaut)"
    )


if __name__ == "__main__":
    main()
