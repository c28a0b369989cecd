"""Regional budget 2 in the shipped Lüneburg scenarios: figures for the closing note.

For every Lüneburg scenario of the library, over the same seeds (posterior draws as in a
batch), prints: regional-budget-2 spending of the first reform year against the second
(hand-over check), the mean total spending per year, the spending on the ambulatory
helps of regional budget 2 (group places included), the share of run-years in which
spending exceeds the budget (the overspend probability), and escalations,
re-referrals within 12 months and latent need per year.

Usage: ``python benchmarks/mechanism_report.py [--seeds 20] [--scale 0.5] [--years 3]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from experiments import RunOptions, load_base, run_spec
from model.run import run_group
from scenarios import list_scenarios

AMBULANT = ("27_2", "30", "31", "27_2_gruppe")
OUTCOMES = ("escalations", "rereferrals_12m", "unmet_need_families")
"""Case outcomes per year (means over years and seeds, at full scale)."""


def _yearly(res, metric: str) -> np.ndarray:
    sel = res[(res.month == 0) & (res.region == "Gesamt") & (res.metric == metric)]
    return sel.sort_values("year").value.to_numpy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--scale", type=float, default=0.5)
    ap.add_argument("--years", type=int, default=3)
    args = ap.parse_args()
    names = [n for n in list_scenarios() if n.startswith("lueneburg")]
    opts = RunOptions(years=args.years, scale=args.scale)
    bases = [load_base(n, opts) for n in names]
    rows: dict[str, list[tuple]] = {n: [] for n in names}
    t0 = time.perf_counter()
    for rep in range(args.seeds):
        specs = [run_spec(b, rep, options=opts) for b in bases]
        results = run_group([s.params for s in specs], specs[0].seed)
        for name, r in zip(names, results, strict=True):
            res = r.results
            rb2 = _yearly(res, "spent_regional_2")
            total = _yearly(res, "total_spent")
            budget = _yearly(res, "total_budget")
            amb = sum(_yearly(res, f"spent_help_{c}") for c in AMBULANT)
            counts = [_yearly(res, m).mean() for m in OUTCOMES]
            rows[name].append((rb2, total, budget, amb, counts))
    print(
        f"{args.seeds} Seeds, Maßstab {args.scale}, {args.years} Jahre, "
        f"{time.perf_counter() - t0:.0f} s"
    )
    print(
        f"{'Szenario':34} {'RB2 J1/J2':>9} {'Ausgaben/Jahr':>14} {'ambulant/Jahr':>14} "
        f"{'Budget/Jahr':>13} {'P(Überschr.)':>12} {'Eskal.':>7} {'Wiederauf.':>10} "
        f"{'lat. Bedarf':>11}"
    )
    for name in names:
        rb2 = np.array([r[0] for r in rows[name]])
        total = np.array([r[1] for r in rows[name]])
        budget = np.array([r[2] for r in rows[name]])
        amb = np.array([r[3] for r in rows[name]])
        ratio = rb2[:, 0].mean() / rb2[:, 1].mean() if rb2[:, 1].mean() > 0 else float("nan")
        over = float((total > budget).mean())
        full = 1.0 / args.scale
        esc, rer, lat = np.mean([r[4] for r in rows[name]], axis=0) * full
        print(
            f"{name:34} {ratio:9.3f} {total.mean() * full:14,.0f} {amb.mean() * full:14,.0f} "
            f"{budget.mean() * full:13,.0f} {over:12.0%} {esc:7.0f} {rer:10.0f} {lat:11.0f}"
        )


if __name__ == "__main__":
    main()
