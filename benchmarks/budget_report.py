"""Budgets of the shipped scenarios: where each volume comes from, and how often it is overspent.

For every scenario of the library (or the names given), prints the source or assumption
of each budget volume (``budget.sozialraum_funds``, ``budget.ambulatory_funds``,
``budget.central_funds``, ``budget.yearly_increase``; first words of the text), then,
over the same seeds (posterior draws as in a batch), the mean budget and spending per
year at full scale, per pot and in total, and the overspend probability: the share of
run-years in which the total spending exceeds the total budget (metric ``overspent``).

Usage: ``python benchmarks/budget_report.py [--seeds 10] [--scale 0.3] [--years 3]
[--chars 150] [NAME ...]``
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np
import pandas as pd

from experiments import RunOptions, load_base, run_spec
from model.params import POTS
from model.run import run_group
from scenarios import Scenario, fmt_eur, fmt_num, fmt_pct, list_scenarios

VOLUMES = (
    "budget.sozialraum_funds",
    "budget.ambulatory_funds",
    "budget.central_funds",
    "budget.yearly_increase",
)
"""The budget quantities whose provenance is printed."""


def _yearly(res: pd.DataFrame, metric: str) -> np.ndarray:
    """Yearly values of a metric for the whole area (region ``Gesamt``), by year."""
    sel = res[(res.month == 0) & (res.region == "Gesamt") & (res.metric == metric)]
    return sel.sort_values("year").value.to_numpy()


def _mio(eur: float) -> str:
    """Millions of euros with two decimals, German format."""
    return fmt_num(eur / 1e6, 2)


def _sources(base: Scenario, chars: int) -> list[str]:
    """One line per budget volume: path, value and the start of its provenance text."""
    prov = dict(base.params.provenance)
    b = base.params.budget
    lines = []
    for path in VOLUMES:
        field = path.split(".", 1)[1]
        value = getattr(b, field)
        shown = fmt_pct(value, 1) if field == "yearly_increase" else fmt_eur(value)
        text = " ".join(prov.get(path, "– (keine Herkunftsangabe)").split())
        if len(text) > chars:
            text = text[: chars - 1] + "…"
        lines.append(f"  {field:17} {shown:>13}  {text}")
    return lines


def main() -> None:
    """Parse the arguments, run the scenarios and print the report."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("names", nargs="*", help="scenario names (default: every shipped one)")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--scale", type=float, default=0.3)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--chars", type=int, default=150, help="characters of each source text")
    args = ap.parse_args()
    names = args.names or list_scenarios()
    opts = RunOptions(years=args.years, scale=args.scale)
    bases = [load_base(n, opts) for n in names]
    metrics = ["total_budget", "total_spent", "overspent"]
    metrics += [f"{kind}_{pot}" for pot in POTS for kind in ("budget", "spent")]
    values: dict[str, dict[str, list[np.ndarray]]] = {n: defaultdict(list) for n in names}
    t0 = time.perf_counter()
    for rep in range(args.seeds):
        specs = [run_spec(b, rep, options=opts) for b in bases]
        by_seed: dict[int, list[int]] = defaultdict(list)
        for i, spec in enumerate(specs):
            by_seed[spec.seed].append(i)
        for seed, idx in by_seed.items():
            results = run_group([specs[i].params for i in idx], seed)
            for i, r in zip(idx, results, strict=True):
                for m in metrics:
                    values[names[i]][m].append(_yearly(r.results, m))
    seconds = time.perf_counter() - t0
    full = 1.0 / args.scale
    print(
        f"{args.seeds} Seeds (Posteriori-Ziehungen wie im Batch), Maßstab {args.scale}, "
        f"{args.years} Jahre, {fmt_num(seconds)} s; Beträge je Jahr hochgerechnet auf Maßstab 1"
    )
    for name, base in zip(names, bases, strict=True):
        v = {m: np.array(rows) for m, rows in values[name].items()}
        over = float(v["overspent"].mean())
        ratio = v["total_spent"] / np.maximum(v["total_budget"], 1.0)
        lo, hi = np.quantile(ratio, [0.05, 0.95])
        print(f"\n{name}")
        print("\n".join(_sources(base, args.chars)))
        pots = "  ".join(
            f"{pot} {_mio(v[f'spent_{pot}'].mean() * full)}/"
            f"{_mio(v[f'budget_{pot}'].mean() * full)}"
            for pot in POTS
        )
        print(f"  Ausgaben/Budget je Topf (Mio. €): {pots}")
        print(
            f"  gesamt: Ausgaben {_mio(v['total_spent'].mean() * full)} Mio. €, "
            f"Budget {_mio(v['total_budget'].mean() * full)} Mio. €, "
            f"Verhältnis {fmt_num(ratio.mean(), 2)} "
            f"(5–95 %: {fmt_num(lo, 2)}–{fmt_num(hi, 2)}), "
            f"P(Überschreitung) = {fmt_pct(over, 0)} der Laufjahre "
            f"({int(v['overspent'].sum())} von {v['overspent'].size})"
        )


if __name__ == "__main__":
    main()
