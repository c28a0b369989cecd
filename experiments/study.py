"""Studies: a scenario and its baseline run at designed points of their uncertainties.

Sensitivity analysis, scenario discovery and the search for good splits ask the
same of the engine: run a scenario — paired with a baseline, which is what the
Unterarbeitsgruppe decides on — at given points of the declared uncertainties,
``R`` replicates each, store every run, and give one figure per point and outcome.
A study is an ordinary batch (:func:`experiments.plan.plan_batch` with a
:func:`experiments.sweep.design_sweep`): its runs are stored with seed, point and
provenance, a killed study resumes with the same command, and the baseline and
the scenario share seed and point, so their difference is paired (common random
numbers; the scenario's declared uncertainties are drawn identically for both).

:func:`point_values` reduces a study's stored runs to one row per point: the mean
over the replicates of each outcome (aggregated over the years as the outcome
declares) or of its paired difference to the baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.plan import BatchPlan, StoredBatches, plan_batch
from experiments.sweep import Sweep
from results import ResultsStore, over_years, yearly_sql

TOTAL = "Gesamt"
"""Region of the Kreis-wide figures."""


@dataclass(frozen=True)
class Study:
    """A designed batch: a scenario (and a baseline) at the points of a sweep.

    Attributes:
        scenario: Library name or path of the scenario studied.
        baseline: Library name or path of the baseline (None: the scenario alone).
        sweep: The design (see :func:`experiments.sweep.design_sweep`).
        replicates: Runs per scenario and point (seeds ``seed_base`` …).
        seed_base: First seed.
        years: Simulated years (None: the scenario's own).
        scale: Share of the population simulated (None: the scenario's own).
    """

    scenario: str
    baseline: str | None
    sweep: Sweep
    replicates: int = 1
    seed_base: int = 1
    years: int | None = None
    scale: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """What the study adds to the batch's plan (method, sample size; recorded)."""

    def plan(self, stored: StoredBatches | None = None) -> BatchPlan:
        """Plan the study's batch (validates everything, writes nothing).

        Raises:
            ScenarioError: For any problem in the scenarios or the design, or if a
                scenario lacks an uncertainty the design varies.
        """
        names = [self.scenario] if self.baseline is None else [self.baseline, self.scenario]
        plan = plan_batch(
            names,
            self.replicates,
            seed_base=self.seed_base,
            sweep=self.sweep,
            years=self.years,
            scale=self.scale,
            stored=stored,
        )
        plan.plan["study"] = dict(self.extra)
        return plan


def point_index(point_id: str) -> int:
    """Row of the design a point id stands for (``p007`` → 7).

    >>> point_index("p1024")
    1024
    """
    return int(point_id[1:])


def outcome_values(
    store: ResultsStore, plan: BatchPlan, metrics: dict[str, str], region: str = TOTAL
) -> pd.DataFrame:
    """One value per stored run of the plan and metric, over all years.

    Args:
        store: The results store.
        plan: The study's plan (only its runs are read).
        metrics: Metric → how its yearly values form one figure (``sum``, ``mean``,
            ``last``, ``max``).
        region: Region (default: the whole Kreis).

    Returns:
        scenario, point_id, seed, metric, value, unit.
    """
    sql, params = yearly_sql(metrics=list(metrics), regions=[region], run_ids=plan.run_ids)
    frame = store.query(sql, params)
    per_run = over_years(frame, metrics)
    return per_run[["scenario", "point_id", "seed", "metric", "value", "unit"]]


def point_values(
    values: pd.DataFrame,
    scenario: str,
    baseline: str | None,
    n_points: int,
    reduce: Callable[[np.ndarray], float] = np.mean,
) -> pd.DataFrame:
    """One row per design point: each metric of the scenario, or its paired difference.

    Args:
        values: From :func:`outcome_values`.
        scenario: The scenario's name (as loaded).
        baseline: The baseline's name, or None for the scenario's own values.
        n_points: Rows of the design; every one must have a value.
        reduce: How the replicates of a point form one figure (default: mean).

    Returns:
        Index 0 … ``n_points − 1`` (the design's rows), one column per metric.

    Raises:
        ValueError: If a point has no stored run (the study is incomplete).
    """
    own = values[values["scenario"] == scenario]
    if baseline is not None:
        base = values[values["scenario"] == baseline][["point_id", "seed", "metric", "value"]]
        own = own.merge(base, on=["point_id", "seed", "metric"], suffixes=("", "_base"))
        own = own.assign(value=own["value"] - own["value_base"])
    table = own.pivot_table(index="point_id", columns="metric", values="value", aggfunc=reduce)
    table.index = [point_index(str(p)) for p in table.index]
    table = table.sort_index()
    missing = sorted(set(range(n_points)) - set(table.index))
    if missing:
        raise ValueError(f"{len(missing)} of {n_points} design points have no stored run")
    table.columns.name = None
    return table.loc[list(range(n_points))]


__all__ = ["TOTAL", "Study", "outcome_values", "point_index", "point_values"]
