"""Planning a batch: scenarios × sweep points × replicates, validated before anything runs.

A batch is planned first and completely — every scenario loaded once, every sweep
point validated, every run's frozen parameters built with the one recipe
(:func:`experiments.recipe.run_spec`) — before anything is written, so a broken
input never touches the store.

**Common random numbers.** Replicate ``r`` runs with seed ``seed_base + r`` in every
scenario and at every sweep point, and the engine draws its population and all
random streams from the seed alone, so the scenarios of a batch differ only by
their parameters: differences between them are paired. Calibrated scenarios run
seed ``s`` with posterior draw ``(s − 1) mod n``, the same in every scenario.

**Resuming.** A run's id is a hash of its input hash (the parameters actually run),
its seed and the code version, so the same command plans the same ids and finds
its finished runs in the store (see :mod:`experiments.batch`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from experiments.execution import RunTask
from experiments.recipe import POSTERIOR, Point, RunOptions, load_base, run_spec
from experiments.sweep import BASE_POINT, Sweep
from experiments.version import code_version
from results import RunRecord
from scenarios import Scenario, check_batch_size


@dataclass(frozen=True)
class PlannedRun:
    """One run of a batch: the task and its manifest row."""

    task: RunTask
    record: RunRecord
    replicate: int
    group: str = ""
    """Runs with the same group share seed and burn-in (see :func:`model.run.run_group`)."""


@dataclass
class BatchPlan:
    """A fully validated batch."""

    batch_id: str
    label: str
    runs: list[PlannedRun]
    scenarios: list[Scenario]
    sweep: Sweep | None
    plan: dict[str, Any] = field(default_factory=dict)

    @property
    def run_ids(self) -> list[str]:
        """Ids of all planned runs."""
        return [r.task.run_id for r in self.runs]


def points_of(base: Scenario, sweep: Sweep | None) -> list[Point]:
    """The sweep's points for one scenario (after :meth:`Sweep.resolve`), or the base point.

    Raises:
        ScenarioError: If the scenario lacks an uncertainty the sweep varies.
    """
    if sweep is None:
        return [Point(BASE_POINT)]
    return [
        Point(point_id, overrides, sweep.path if overrides else None)
        for point_id, overrides in sweep.points(base)
    ]


def plan_batch(
    scenarios: Sequence[str],
    replicates: int,
    *,
    seed_base: int = 1,
    sweep: Sweep | None = None,
    years: int | None = None,
    scale: float | None = None,
    calibration: str = POSTERIOR,
) -> BatchPlan:
    """Load and validate everything a batch needs; write nothing.

    Args:
        scenarios: Library names or paths of scenario files.
        replicates: Runs per scenario and point (seeds ``seed_base`` … ``seed_base +
            replicates - 1``, the same in every scenario: common random numbers).
        seed_base: First seed.
        sweep: Grid and Latin hypercube (see :mod:`experiments.sweep`), or None.
        years: Simulated years for every run (default: each scenario's own).
        scale: Share of the population simulated (default: each scenario's own).
        calibration: Calibration mode (see :class:`experiments.recipe.RunOptions`;
            default: posterior draws).

    Returns:
        The plan; its ``batch_id`` is the same whenever the same runs are planned.

    Raises:
        ScenarioError: For any problem in a scenario, a data file or the sweep, or
            (:class:`scenarios.limits.ArgumentError`) seeds or runs beyond their limits,
            checked before any scenario is loaded.
    """
    check_batch_size(
        len(scenarios),
        sweep.n_points if sweep is not None else 1,
        replicates,
        seed_base,
        sweep.path if sweep is not None else None,
    )
    options = RunOptions(years=years, scale=scale, seed_base=seed_base, calibration=calibration)
    bases = [load_base(ref, options) for ref in scenarios]
    if sweep is not None:
        sweep = sweep.resolve(bases)
    version = code_version()
    runs: list[PlannedRun] = []
    seen: set[str] = set()
    for base in bases:
        for point in points_of(base, sweep):
            for r in range(replicates):
                spec = run_spec(base, r, point=point, options=options, version=version)
                if spec.run_id in seen:
                    continue
                seen.add(spec.run_id)
                runs.append(
                    PlannedRun(
                        task=spec.task(), record=spec.record(), replicate=r, group=spec.group
                    )
                )
    batch_id = hashlib.sha256("|".join(sorted(seen)).encode()).hexdigest()[:12]
    label = ", ".join(b.name for b in bases)
    plan = {
        "scenarios": [b.name for b in bases],
        "scenario_sha256": {b.name: b.sha256 for b in bases},
        "replicates": replicates,
        "seed_base": seed_base,
        "years": years,
        "scale": scale,
        "calibration": calibration,
        "sweep": None
        if sweep is None
        else {
            "file": sweep.path.name if sweep.path else None,
            "grid": {k: list(v) for k, v in sweep.grid},
            "lhs_samples": sweep.lhs_samples,
            "lhs_columns": list(sweep.lhs_columns),
            "seed": sweep.seed,
        },
        "code_version": version,
    }
    return BatchPlan(batch_id, label, runs, bases, sweep, plan)


__all__ = ["BatchPlan", "PlannedRun", "plan_batch", "points_of"]
