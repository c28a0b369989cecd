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

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.plan import BatchPlan, Member, StoredBatches, plan_batch, points_of
from experiments.recipe import POSTERIOR, RunOptions, run_spec
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
    stored_as: str | None = None
    """Name the scenario's runs get in the store (None: its own). A search stores its
    candidates under another name, so a candidate never counts as the scenario."""

    def plan(self, stored: StoredBatches | None = None) -> BatchPlan:
        """Plan the study's batch (validates everything, writes nothing).

        Raises:
            ScenarioError: For any problem in the scenarios or the design, or if a
                scenario lacks an uncertainty the design varies.
        """
        names = [self.scenario] if self.baseline is None else [self.baseline, self.scenario]
        renamed = [None, self.stored_as] if self.baseline is not None else [self.stored_as]
        plan = plan_batch(
            names,
            self.replicates,
            stored_names=renamed,
            seed_base=self.seed_base,
            sweep=self.sweep,
            years=self.years,
            scale=self.scale,
            stored=stored,
        )
        plan.plan["study"] = dict(self.extra)
        return plan


def analysis_id(settings: Mapping[str, Any], batch_ids: Sequence[str]) -> str:
    """Id of an analysis: a hash of its settings and batches (16 hex digits).

    The same command on the same store gives the same id, so its row is replaced.
    """
    text = json.dumps(
        {"settings": settings, "batches": list(batch_ids)},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def point_index(point_id: str) -> int:
    """Row of the design a point id stands for (``p007`` or ``d1a2b3c4d-p007`` → 7).

    >>> point_index("p1024"), point_index("d0f3a9c21-p007")
    (1024, 7)
    """
    return int(point_id.rsplit("p", 1)[-1])


def run_values(
    store: ResultsStore,
    run_ids: Sequence[str],
    metrics: Mapping[str, str],
    region: str = TOTAL,
) -> pd.DataFrame:
    """One value per stored run and metric over all years, keyed by run id.

    Runs are told apart by their id, never by the scenario, point and seed of their
    manifest row: a study meets a stored run again (same parameters and seed) at
    another point id, and the manifest keeps the point id of the batch that
    computed it first.

    Args:
        store: The results store (read-only is enough).
        run_ids: The runs.
        metrics: Metric → ``sum``, ``mean``, ``last`` or ``max`` over the years.
        region: Region (default: the whole Kreis).

    Returns:
        run_id, metric, value, unit.
    """
    sql, params = yearly_sql(metrics=list(metrics), regions=[region], run_ids=list(run_ids))
    frame = store.query(sql, params)
    frame = frame.assign(point_id=frame["run_id"])  # over_years groups by run
    per_run = over_years(frame, dict(metrics))
    return per_run.rename(columns={"point_id": "run_id"})[["run_id", "metric", "value", "unit"]]


def study_members(plan: BatchPlan) -> list[Member]:
    """Every (run id, scenario, point id, replicate) of a study, repeated points included.

    A design can hold the same point twice (Morris trajectories share grid points;
    a search proposes a candidate again); the batch plans such a run once, under the
    first point. The others get the same run id here, built only for them.
    """
    members = [r.member for r in plan.runs]
    if plan.sweep is None:
        return members
    have = {(m[1], m[2], m[3]) for m in members}
    replicates = int(plan.plan.get("replicates", 1))
    options = RunOptions(
        years=plan.plan.get("years"),
        scale=plan.plan.get("scale"),
        seed_base=int(plan.plan.get("seed_base", 1)),
        calibration=str(plan.plan.get("calibration", POSTERIOR)),
    )
    for base in plan.scenarios:
        for point in points_of(base, plan.sweep):
            for r in range(replicates):
                if (base.name, point.id, r) in have:
                    continue
                spec = run_spec(
                    base, r, point=point, options=options, version=plan.plan["code_version"]
                )
                members.append((spec.run_id, base.name, point.id, r))
    return members


def outcome_values(
    store: ResultsStore, plan: BatchPlan, metrics: dict[str, str], region: str = TOTAL
) -> pd.DataFrame:
    """One value per run of the study and metric, at the study's own points.

    Args:
        store: The results store.
        plan: The study's plan (only its runs are read).
        metrics: Metric → how its yearly values form one figure (``sum``, ``mean``,
            ``last``, ``max``).
        region: Region (default: the whole Kreis).

    Returns:
        scenario, point_id, seed, run_id, metric, value, unit: one row per point of
        the design (a repeated point has the values of its one run).
    """
    members = pd.DataFrame(
        study_members(plan), columns=["run_id", "scenario", "point_id", "replicate"]
    )
    values = run_values(store, list(dict.fromkeys(members["run_id"])), metrics, region)
    out = members.merge(values, on="run_id", how="inner")
    out["seed"] = int(plan.plan.get("seed_base", 1)) + out["replicate"]
    return out[["scenario", "point_id", "seed", "run_id", "metric", "value", "unit"]]


def _paired(values: pd.DataFrame, scenario: str, baseline: str | None) -> pd.DataFrame:
    """The scenario's values per run, or their paired differences to the baseline."""
    own = values[values["scenario"] == scenario]
    if baseline is None:
        return own
    base = values[values["scenario"] == baseline][["point_id", "seed", "metric", "value"]]
    own = own.merge(base, on=["point_id", "seed", "metric"], suffixes=("", "_base"))
    return own.assign(value=own["value"] - own["value_base"])


def noise_shares(
    values: pd.DataFrame, scenario: str, baseline: str | None
) -> dict[str, float | None]:
    """Per metric, the share of the spread of the point figures that is chance.

    A point's figure is the mean over its ``R`` replicates; the chance part of its
    variance is the replicates' variance within a point (averaged over points)
    divided by ``R``. Compared with the variance of the point figures over the
    design this says how much of what a sensitivity analysis splits among the
    assumptions is the runs' randomness instead (a share near 1: the indices
    measure noise; raise ``--replicates``).

    Returns:
        Metric → share in [0, 1], or None with fewer than two replicates per point
        or no spread at all.
    """
    out: dict[str, float | None] = {}
    for metric, part in _paired(values, scenario, baseline).groupby("metric", sort=True):
        groups = part.groupby("point_id")["value"]
        r = int(groups.size().min()) if len(part) else 0
        means = groups.mean()
        total = float(means.var(ddof=1)) if len(means) > 1 else 0.0
        if r < 2 or not total > 0.0:
            out[str(metric)] = None
            continue
        within = float(groups.var(ddof=1).mean()) / r
        out[str(metric)] = min(1.0, within / total)
    return out


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
    own = _paired(values, scenario, baseline)
    table = own.pivot_table(index="point_id", columns="metric", values="value", aggfunc=reduce)
    table.index = [point_index(str(p)) for p in table.index]
    table = table.sort_index()
    missing = sorted(set(range(n_points)) - set(table.index))
    if missing:
        raise ValueError(f"{len(missing)} of {n_points} design points have no stored run")
    table.columns.name = None
    return table.loc[list(range(n_points))]


__all__ = [
    "TOTAL",
    "Study",
    "analysis_id",
    "noise_shares",
    "outcome_values",
    "point_index",
    "point_values",
    "run_values",
    "study_members",
]
