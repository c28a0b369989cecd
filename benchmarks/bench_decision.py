"""Benchmark: the decision commands at the sizes the README recommends for a laptop.

Runs ``sozialraum sensitivity``, ``discover`` and ``optimise`` on Lüneburg (the
reform "RB2 20 % with retention" against the status quo) as a user would, each in
its own process, into one store, and prints each command's wall time (planning,
every run, the analysis) and the lines of its answer. Target (issue 15): each
within 30 minutes on 2 cores.

The store is kept (``--store``), so the dashboard's tab *Entscheidung* and the
briefing can show the analyses afterwards; running the benchmark again on the same
store finds every run stored and measures only planning and analysis (pass a new
store to measure the runs).

Usage::

    python benchmarks/bench_decision.py [--store out/entscheidung.duckdb] [--only sensitivity]
        [--quick]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MINUTES = 30
"""Each command must finish within this on 2 cores (issue 15)."""

SCENARIO, BASELINE = "lueneburg-rb2-20-rueckbehalt", "lueneburg-status-quo"

LAPTOP: dict[str, list[str]] = {
    "sensitivity": [
        "sensitivity",
        SCENARIO,
        "--baseline",
        BASELINE,
        "--method",
        "morris",
        "--samples",
        "10",
        "--replicates",
        "4",
        "--outcomes",
        "total_spent,unmet_need_families,overspent,provider_exits",
    ],
    "discover": [
        "discover",
        SCENARIO,
        "--outcome",
        "overspent",
        "--above",
        "0",
        "--samples",
        "200",
        "--replicates",
        "2",
        "--scale",
        "0.5",
    ],
    "optimise": [
        "optimise",
        SCENARIO,
        "--levers",
        "budget.bound_share,budget.regional2_share,incentive.scheme",
        "--generations",
        "6",
        "--population",
        "12",
        "--samples",
        "6",
        "--replicates",
        "1",
        "--scale",
        "0.5",
    ],
}
"""Laptop sizes (2 cores): Morris screen at full scale with 4 paired replicates; PRIM
over 200 points with 2 replicates each (with one, every point shares the one synthetic
population of seed 1, and whether it overspends depends on that draw); NSGA-II with
12 × 6 candidates, each over the same 6 assumption points."""

QUICK: dict[str, list[str]] = {
    name: [*args, "--years", "1", "--scale", "0.05"]
    for name, args in {
        "sensitivity": [
            "sensitivity",
            SCENARIO,
            "--baseline",
            BASELINE,
            "--method",
            "morris",
            "--samples",
            "2",
            "--replicates",
            "1",
            "--outcomes",
            "total_spent",
        ],
        "discover": [
            "discover",
            SCENARIO,
            "--outcome",
            "overspent",
            "--above",
            "0",
            "--samples",
            "20",
            "--replicates",
            "1",
        ],
        "optimise": [
            "optimise",
            SCENARIO,
            "--levers",
            "budget.regional2_share,incentive.scheme",
            "--generations",
            "2",
            "--population",
            "4",
            "--samples",
            "2",
            "--replicates",
            "1",
        ],
    }.items()
}
"""A smoke run of the script itself (seconds)."""


def main() -> int:
    """Run the commands and print their times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=str(ROOT / "out" / "entscheidung.duckdb"))
    parser.add_argument("--only", choices=sorted(LAPTOP), action="append")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    args = parser.parse_args()
    Path(args.store).parent.mkdir(parents=True, exist_ok=True)
    sizes = QUICK if args.quick else LAPTOP
    times = {}
    for name, cmd in sizes.items():
        if args.only and name not in args.only:
            continue
        full = [sys.executable, "-m", "cli", *cmd, "--store", args.store]
        print(f"$ sozialraum {' '.join(cmd)} --store {args.store}", flush=True)
        t0 = time.perf_counter()
        done = subprocess.run(full, cwd=ROOT, capture_output=True, text=True, check=False)
        times[name] = time.perf_counter() - t0
        answer = [ln for ln in done.stdout.splitlines() if not ln.startswith("Lauf ")]
        print("\n".join(answer))
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        print(f"{name} {times[name]:.1f} s\n", flush=True)
    print("Zusammenfassung (2 Kerne):")
    for name, seconds in times.items():
        verdict = "ok" if seconds <= LIMIT_MINUTES * 60 else f"über {LIMIT_MINUTES} min"
        print(f"  {name:<12} {seconds / 60:6.1f} min  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
