"""Benchmark: Lüneburg batch runs per minute (10 years, full scale), stored in DuckDB.

Runs the same batch three ways into fresh stores and prints runs per minute:

* in this process (one core, for reference),
* the local process pool (``--workers``, default: all cores),
* a Dask ``LocalCluster`` with as many single-threaded worker processes.

Each figure is wall-clock time from the first run to the last stored run,
including writing every run's results, flows, closings and providers into the
store; it excludes planning and the start of the pool or cluster (reported
separately). The default batch is every Lüneburg scenario of the library; target
(issue 13): at least 600 runs per minute on the local pool of 2 cores.

Runs of one seed whose scenarios differ only in the split or the incentive share
their burn-in (see :func:`model.run.run_group`), so the more such scenarios a batch
has, the more runs per minute.

Usage::

    python benchmarks/bench_batch.py [--runs 132] [--workers 2] [--quick]
        [--scenarios lueneburg-status-quo lueneburg-rb2-20-rueckbehalt …]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

TARGET_PER_MINUTE = 600
"""Runs per minute the local pool must reach on 2 cores (issue 13)."""


def lueneburg() -> list[str]:
    """Every Lüneburg scenario of the library (the default batch)."""
    from scenarios import list_scenarios

    return [n for n in list_scenarios() if n.startswith("lueneburg")]


def measure(plan, workers: int, scheduler=None) -> tuple[float, float]:
    """(runs per minute, seconds until the first stored run) for one way of running."""
    from experiments import run_batch
    from results import ResultsStore

    with tempfile.TemporaryDirectory() as tmp:
        store = ResultsStore(Path(tmp) / "bench.duckdb")
        times: list[float] = []
        t0 = time.perf_counter()
        report = run_batch(
            plan,
            store,
            workers=workers,
            scheduler=scheduler,
            on_run=lambda run, data, error: times.append(time.perf_counter()),
        )
        store.close()
    assert report.complete, report.failed
    first = times[0] - t0
    # steady state: from the first stored run to the last, so pool start-up is excluded
    n = len(times) - 1
    rate = n / (times[-1] - times[0]) * 60 if n > 0 else float("nan")
    return rate, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=132, help="runs per measurement")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="24 runs, 2 years (smoke test)")
    parser.add_argument(
        "--scenarios", nargs="+", help="scenarios of the batch (default: every Lüneburg one)"
    )
    args = parser.parse_args()
    args.scenarios = args.scenarios or lueneburg()
    from experiments import plan_batch

    runs, years = (24, 2) if args.quick else (args.runs, 10)
    replicates = max(1, runs // len(args.scenarios))
    plan = plan_batch(args.scenarios, replicates, years=years, scale=1.0)
    print(
        f"Batch: {len(plan.runs)} Läufe ({', '.join(args.scenarios)}), {years} Jahre, "
        f"voller Maßstab, {args.workers} Worker, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} Kerne"
    )
    rate, first = measure(plan, 1)
    print(f"  in einem Prozess:     {rate:6.0f} Läufe/min (erster Lauf nach {first:.1f} s)")
    rate, first = measure(plan, args.workers)
    verdict = "erreicht" if rate >= TARGET_PER_MINUTE else "NICHT erreicht"
    print(
        f"  lokaler Prozesspool:  {rate:6.0f} Läufe/min (erster Lauf nach {first:.1f} s; "
        f"Ziel >= {TARGET_PER_MINUTE}: {verdict})"
    )
    from distributed import LocalCluster

    t = time.perf_counter()
    with LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        start = time.perf_counter() - t
        rate, first = measure(plan, args.workers, scheduler=cluster.scheduler_address)
    print(
        f"  Dask LocalCluster:    {rate:6.0f} Läufe/min (Cluster-Start {start:.1f} s, "
        f"erster Lauf nach {first:.1f} s)"
    )


if __name__ == "__main__":
    main()
