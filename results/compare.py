"""Paired comparison of two scenarios from the results store.

Runs of two scenarios with the same seed (and sweep point) share their random
numbers, so the difference ``B − A`` per seed isolates the effect of the scenario:
the spread of the paired differences is much narrower than that of either scenario.
For every outcome the scenario declares and every year this module gives the
median of both scenarios and the median and 90 % interval (5th to 95th percentile)
of the paired difference, and says whether the difference favours B, given the
outcome's better direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from results.store import ResultsStore
from scenarios.schema import OutcomeSection

INTERVAL = (0.05, 0.95)
"""Quantiles of the reported interval (90 %)."""


@dataclass(frozen=True)
class Comparison:
    """Paired differences of scenario B against scenario A."""

    a: str
    b: str
    table: pd.DataFrame
    """Columns: metric, label, better, unit, year (int, or 0 = all years), n_pairs,
    median_a, median_b, diff_median, diff_low, diff_high, verdict (``besser``,
    ``schlechter``, ``unklar``)."""


def paired_differences(
    store: ResultsStore,
    a: str,
    b: str,
    outcomes: Sequence[OutcomeSection],
    *,
    run_ids: Sequence[str] | None = None,
    region: str = "Gesamt",
) -> Comparison:
    """Compare scenario ``b`` with baseline ``a`` run by run (same seed and point).

    Args:
        store: The results store.
        a: Baseline scenario name.
        b: Scenario compared with the baseline.
        outcomes: The outcomes to compare (metric, label, better, over_years).
        run_ids: Only these runs (e.g. one batch); default: all stored runs.
        region: Region (default ``Gesamt``, the whole Kreis).

    Returns:
        The comparison; per outcome one row per year and one for all years
        (``year`` 0, aggregated with the outcome's ``over_years``).

    Raises:
        ValueError: If the two scenarios have no run with a common seed and point.
    """
    metrics = [o.metric for o in outcomes]
    frame = store.yearly([a, b], metrics, region=region)
    if run_ids is not None:
        frame = frame[frame["run_id"].isin(set(run_ids))]
    keys = ["point_id", "seed", "metric", "year"]
    wide = frame.pivot_table(index=keys, columns="scenario", values="value", aggfunc="first")
    if a not in wide.columns or b not in wide.columns:
        raise ValueError("no paired runs")
    wide = wide[[a, b]].dropna()
    if wide.empty:
        raise ValueError("no paired runs")
    units = frame.groupby("metric")["unit"].first()
    rows = []
    for outcome in outcomes:
        if outcome.metric not in wide.index.get_level_values("metric"):
            continue
        sub = wide.xs(outcome.metric, level="metric")
        per_year = [(int(y), g) for y, g in sub.groupby(level="year")]
        agg = _over_years(sub, outcome.over_years)
        for year, g in [*per_year, (0, agg)]:
            d = g[b].to_numpy() - g[a].to_numpy()
            lo, hi = np.quantile(d, INTERVAL)
            rows.append(
                {
                    "metric": outcome.metric,
                    "label": outcome.label,
                    "better": outcome.better,
                    "unit": units.get(outcome.metric, ""),
                    "year": year,
                    "n_pairs": int(d.size),
                    "median_a": float(np.median(g[a])),
                    "median_b": float(np.median(g[b])),
                    "diff_median": float(np.median(d)),
                    "diff_low": float(lo),
                    "diff_high": float(hi),
                    "verdict": _verdict(float(lo), float(hi), outcome.better),
                }
            )
    return Comparison(a, b, pd.DataFrame(rows))


def _over_years(sub: pd.DataFrame, how: str) -> pd.DataFrame:
    """One value per (point, seed) from the yearly values."""
    grouped = sub.groupby(level=["point_id", "seed"])
    if how == "sum":
        return grouped.sum()
    if how == "mean":
        return grouped.mean()
    return sub.sort_index(level="year").groupby(level=["point_id", "seed"]).last()


def _verdict(lo: float, hi: float, better: str) -> str:
    """``besser`` if the whole 90 % interval lies on the better side of 0."""
    if lo == hi == 0.0:
        return "gleich"
    if better == "lower":
        return "besser" if hi < 0 else "schlechter" if lo > 0 else "unklar"
    return "besser" if lo > 0 else "schlechter" if hi < 0 else "unklar"


__all__ = ["INTERVAL", "Comparison", "paired_differences"]
