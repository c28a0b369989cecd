"""Paired comparison of scenarios: the one home of pairing runs and summarising them.

Runs of two scenarios with the same seed (and sweep point) share their random
numbers, so the difference ``B − A`` per seed isolates the effect of the scenario:
the spread of the paired differences is much narrower than that of either scenario.

Everything that pairs runs or summarises runs lives here, and the command line
(``sozialraum compare``), the dashboard and the briefing use it:

* :func:`over_years`: one value per run from its yearly values (sum, mean, last
  year or maximum),
* :func:`pair_runs`: each run of a scenario beside the baseline's run with the same
  sweep point and seed, and their difference,
* :func:`paired_quantiles`: quantiles ``q05`` … ``q95`` of those differences,
* :func:`run_quantiles`: quantiles over runs (no pairing),
* :func:`paired_differences`: for every declared outcome and year, the medians of
  both scenarios and the median and 90 % interval (5th to 95th percentile) of the
  paired difference, with a verdict given the outcome's better direction,
* :func:`paired_by_region`: the same per region (Sozialraum) for any metrics the
  results hold per region (cases per help type, spending per pot), over all years.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from results.queries import yearly_sql
from results.store import ResultsStore

INTERVAL = (0.05, 0.95)
"""Quantiles of the reported interval (90 %)."""

QUANTILES: tuple[tuple[str, float], ...] = (
    ("q05", 0.05),
    ("q25", 0.25),
    ("median", 0.5),
    ("q75", 0.75),
    ("q95", 0.95),
)
"""Quantile columns of a summary over runs: the 50 % band is ``q25``–``q75``, the 90 %
band ``q05``–``q95``."""

RUN_KEYS = ("scenario", "point_id", "seed")
"""Columns that name one run of a comparison."""

PAIR_KEYS = ("point_id", "seed", "year", "region", "metric")
"""Columns on which a run is paired with the baseline's run (same random numbers)."""

OVER_YEARS = ("sum", "mean", "last", "max")
"""Ways to form one figure of a run from its yearly values: sum for money and counts,
mean for states and rates, last for stocks at the end, max for "in any year"."""


def _empty(count: str) -> pd.DataFrame:
    return pd.DataFrame(
        columns=["scenario", "region", "metric", "year", "unit", count] + [q for q, _ in QUANTILES]
    )


def over_years(
    values: pd.DataFrame,
    how: str | Mapping[str, str],
    columns: Sequence[str] = ("value",),
) -> pd.DataFrame:
    """One value per run (and region and metric) from its yearly values.

    Args:
        values: Yearly values in long form: scenario, point_id, seed, year, region,
            metric, the ``columns`` and optionally unit.
        how: One of :data:`OVER_YEARS`, or metric → one of them (metrics not named
            are left out).
        columns: The value columns to aggregate.

    Returns:
        scenario, point_id, seed, region, metric, the ``columns`` (and unit if
        given), one row per run, region and metric; ``year`` is 0 (all years).

    Raises:
        ValueError: If ``how`` names an aggregation that is not one of
            :data:`OVER_YEARS`.

    >>> v = pd.DataFrame({"scenario": "a", "point_id": "p", "seed": 1, "year": [1, 2],
    ...                   "region": "Gesamt", "metric": "m", "value": [1.0, 3.0]})
    >>> over_years(v, "mean")["value"].tolist()
    [2.0]
    """
    keys = [*RUN_KEYS, "region", "metric"]
    by_metric = {m: how for m in values["metric"].unique()} if isinstance(how, str) else how
    parts = []
    for metric, func in by_metric.items():
        if func not in OVER_YEARS:
            raise ValueError(f"unknown aggregation over years: {func}")
        part = values[values["metric"] == metric]
        if func == "last":
            part = part.sort_values("year", kind="stable")
        agg: dict[str, Any] = {c: (c, func) for c in columns}
        if "unit" in part.columns:
            agg["unit"] = ("unit", "first")
        parts.append(part.groupby(keys, as_index=False, sort=True).agg(**agg))
    if not parts:
        return pd.DataFrame(columns=[*keys, "year", *columns])
    out = pd.concat(parts, ignore_index=True)
    out["year"] = 0
    return out


def pair_runs(values: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Each value of another scenario beside the baseline's value of the same run pair.

    A pair is the same sweep point, seed, year, region and metric (the runs share
    their random numbers). Values without a partner are left out; should the store
    hold the same run twice (same point and seed), its first value is used.

    Args:
        values: Long values of any number of scenarios: scenario, point_id, seed,
            year, region, metric, value (and unit).
        baseline: The baseline scenario.

    Returns:
        The other scenarios' rows with ``base`` (the baseline's value) and ``diff``
        (``value − base``).
    """
    keys = list(PAIR_KEYS)
    base = (
        values[values["scenario"] == baseline][[*keys, "value"]]
        .drop_duplicates(keys, keep="first")
        .rename(columns={"value": "base"})
    )
    other = values[values["scenario"] != baseline].drop_duplicates(
        ["scenario", *keys], keep="first"
    )
    merged = other.merge(base, on=keys, how="inner")
    merged["diff"] = merged["value"] - merged["base"]
    return merged


def _quantiles(frame: pd.DataFrame, column: str, count: str) -> pd.DataFrame:
    grouped = frame.groupby(["scenario", "region", "metric", "year"], sort=True)
    out = grouped.agg(unit=("unit", "first"), **{count: (column, "size")}).reset_index()
    for name, q in QUANTILES:
        out[name] = grouped[column].quantile(q).to_numpy()
    return out


def paired_quantiles(values: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Quantiles of ``scenario − baseline`` over run pairs (same point and seed).

    Args:
        values: Long values (see :func:`pair_runs`) with a unit column.
        baseline: The baseline scenario.

    Returns:
        scenario, region, metric, year, unit, pairs, q05 … q95.
    """
    merged = pair_runs(values, baseline)
    if merged.empty:
        return _empty("pairs")
    return _quantiles(merged, "diff", "pairs")


def run_quantiles(values: pd.DataFrame) -> pd.DataFrame:
    """Quantiles over runs of long values (no pairing).

    Args:
        values: Long values: scenario, year, region, metric, value, unit.

    Returns:
        scenario, region, metric, year, unit, runs, q05 … q95.
    """
    if values.empty:
        return _empty("runs")
    return _quantiles(values, "value", "runs")


# =========================================================================== compare


@dataclass(frozen=True)
class Comparison:
    """Paired differences of scenario B against scenario A."""

    a: str
    b: str
    table: pd.DataFrame
    """Columns: metric, label, better, unit, year (int, or 0 = all years), n_pairs,
    median_a, median_b, diff_median, diff_low, diff_high, verdict (``besser``,
    ``schlechter``, ``unklar``)."""


class Outcome(Protocol):
    """What a comparison needs of an outcome declaration of a scenario."""

    metric: str
    label: str
    better: str
    over_years: str


def paired_differences(
    store: ResultsStore,
    a: str,
    b: str,
    outcomes: Sequence[Outcome],
    *,
    run_ids: Sequence[str] | None = None,
    region: str = "Gesamt",
) -> Comparison:
    """Compare scenario ``b`` with baseline ``a`` run by run (same seed and point).

    Args:
        store: The results store.
        a: Baseline scenario name.
        b: Scenario compared with the baseline.
        outcomes: The outcomes to compare (the scenario's outcome declarations:
            metric, label, better, over_years).
        run_ids: Only these runs (e.g. one batch); default: all stored runs.
        region: Region (default ``Gesamt``, the whole Kreis).

    Returns:
        The comparison; per outcome one row per year and one for all years
        (``year`` 0, aggregated with the outcome's ``over_years``).

    Raises:
        ValueError: If the two scenarios have no run with a common seed and point.
    """
    metrics = [o.metric for o in outcomes]
    frame = _yearly(store, a, b, metrics, [region], run_ids)
    pairs = pair_runs(frame, a)
    pairs = pairs[pairs["scenario"] == b]
    if pairs.empty:
        raise ValueError("no paired runs")
    units = frame.groupby("metric")["unit"].first()
    rows = []
    for outcome in outcomes:
        sub = pairs[pairs["metric"] == outcome.metric]
        if sub.empty:
            continue
        per_year = [(int(y), g) for y, g in sub.groupby("year", sort=True)]
        total = over_years(sub, {outcome.metric: outcome.over_years}, columns=("value", "base"))
        for year, g in [*per_year, (0, total)]:
            d = g["value"].to_numpy() - g["base"].to_numpy()
            lo, hi = np.quantile(d, INTERVAL)
            rows.append(
                {
                    "metric": outcome.metric,
                    "label": outcome.label,
                    "better": outcome.better,
                    "unit": units.get(outcome.metric, ""),
                    "year": year,
                    "n_pairs": int(d.size),
                    "median_a": float(np.median(g["base"])),
                    "median_b": float(np.median(g["value"])),
                    "diff_median": float(np.median(d)),
                    "diff_low": float(lo),
                    "diff_high": float(hi),
                    "verdict": _verdict(float(lo), float(hi), outcome.better),
                }
            )
    return Comparison(a, b, pd.DataFrame(rows))


def _yearly(
    store: ResultsStore,
    a: str,
    b: str,
    metrics: Sequence[str],
    regions: Sequence[str] | None,
    run_ids: Sequence[str] | None,
) -> pd.DataFrame:
    """Yearly values of two scenarios, only the given runs (selected in the query)."""
    sql, params = yearly_sql(scenarios=[a, b], metrics=metrics, regions=regions, run_ids=run_ids)
    return store.query(sql, params)


REGION_COLUMNS = (
    "region",
    "metric",
    "unit",
    "n_pairs",
    "median_a",
    "median_b",
    "diff_median",
    "diff_low",
    "diff_high",
)
"""Columns of :func:`paired_by_region`."""


def paired_by_region(
    store: ResultsStore,
    a: str,
    b: str,
    metrics: Mapping[str, str],
    *,
    run_ids: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Paired differences ``B − A`` per region and metric, over all years of a run.

    Each run's yearly values are first made one figure (``metrics`` says how:
    :data:`OVER_YEARS`), then paired with the baseline's run of the same point and
    seed, as in :func:`paired_differences`.

    Args:
        store: The results store.
        a: Baseline scenario name.
        b: Scenario compared with the baseline.
        metrics: Metric → aggregation over years (``sum`` for money and counts of
            events, ``mean`` for yearly counts such as ``cases_31``).
        run_ids: Only these runs (e.g. one batch); default: all stored runs.
        regions: Only these regions (``Gesamt`` is the whole Kreis); default: all.

    Returns:
        :data:`REGION_COLUMNS`, one row per region and metric that both scenarios
        have; empty if there is no pair. The 90 % interval is ``diff_low`` to
        ``diff_high``.
    """
    frame = _yearly(store, a, b, list(metrics), regions, run_ids)
    if frame.empty:
        return pd.DataFrame(columns=list(REGION_COLUMNS))
    per_run = over_years(frame, dict(metrics))
    pairs = pair_runs(per_run, a)
    pairs = pairs[pairs["scenario"] == b]
    if pairs.empty:
        return pd.DataFrame(columns=list(REGION_COLUMNS))
    rows = []
    for (region, metric), g in pairs.groupby(["region", "metric"], sort=False):
        d = g["value"].to_numpy() - g["base"].to_numpy()
        lo, hi = np.quantile(d, INTERVAL)
        rows.append(
            {
                "region": region,
                "metric": metric,
                "unit": g["unit"].iloc[0] if "unit" in g.columns else "",
                "n_pairs": int(d.size),
                "median_a": float(np.median(g["base"])),
                "median_b": float(np.median(g["value"])),
                "diff_median": float(np.median(d)),
                "diff_low": float(lo),
                "diff_high": float(hi),
            }
        )
    return pd.DataFrame(rows, columns=list(REGION_COLUMNS))


def _verdict(lo: float, hi: float, better: str) -> str:
    """``besser`` if the whole 90 % interval lies on the better side of 0."""
    if lo == hi == 0.0:
        return "gleich"
    if better == "lower":
        return "besser" if hi < 0 else "schlechter" if lo > 0 else "unklar"
    return "besser" if lo > 0 else "schlechter" if hi < 0 else "unklar"


__all__ = [
    "INTERVAL",
    "OVER_YEARS",
    "PAIR_KEYS",
    "QUANTILES",
    "REGION_COLUMNS",
    "RUN_KEYS",
    "Comparison",
    "Outcome",
    "over_years",
    "pair_runs",
    "paired_by_region",
    "paired_differences",
    "paired_quantiles",
    "run_quantiles",
]
