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

**Planning a stored batch cheaply.** Building a run's parameters (sweep point and
posterior draw applied and validated, hashed) takes tens of milliseconds, so a
400-run batch took half a minute to plan even when every run was already stored.
A plan therefore records its *recipe*: a hash of everything its runs follow from
(the scenarios' content hashes and posterior draws, the sweep points, replicates,
seeds, years, scale, calibration mode and code version; :func:`plan_recipe`). Given
a look-up of stored batches (``stored``), :func:`plan_batch` takes the run ids of a
batch with the same recipe from the store and builds a run's parameters only when
the run is still to be computed (:attr:`PlannedRun.spec`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from experiments.execution import RunTask
from experiments.recipe import (
    POSTERIOR,
    Point,
    RunOptions,
    RunSpec,
    canonical_json,
    load_base,
    run_spec,
)
from experiments.sweep import BASE_POINT, Sweep
from experiments.version import code_version
from results import ResultsStore, RunRecord
from scenarios import Scenario, check_batch_size

Member = tuple[str, str, str, int]
"""A planned run as the store lists it: (run id, scenario, point id, replicate)."""

StoredBatches = Callable[[str], Sequence[Member] | None]
"""Look-up of a stored batch by recipe (:func:`plan_recipe`): its planned runs, or None."""


@dataclass(frozen=True, eq=False)
class PlannedRun:
    """One run of a batch: who it is now, its task and manifest row when needed.

    The run's spec (its frozen parameters) is built by ``build`` the first time
    :attr:`spec`, :attr:`task`, :attr:`record` or :attr:`group` is asked for; a run
    that is already stored is never built.
    """

    run_id: str
    scenario: str
    point_id: str
    replicate: int
    build: Callable[[], RunSpec] = field(repr=False)

    @functools.cached_property
    def spec(self) -> RunSpec:
        """The run's spec (built once).

        Raises:
            RuntimeError: If the spec has another run id than the one planned (the
                store's batch does not match the recipe; never expected).
        """
        spec = self.build()
        if spec.run_id != self.run_id:
            raise RuntimeError(f"run {self.run_id} was planned, {spec.run_id} built")
        return spec

    @functools.cached_property
    def task(self) -> RunTask:
        """What a worker needs: run id, frozen parameters, seed."""
        return self.spec.task()

    @functools.cached_property
    def record(self) -> RunRecord:
        """The run's manifest row for the results store."""
        return self.spec.record()

    @property
    def group(self) -> str:
        """Runs with the same group share seed and burn-in (see :func:`model.run.run_group`)."""
        return self.spec.group

    @property
    def member(self) -> Member:
        """(run id, scenario, point id, replicate), as the store's ``batch_runs`` holds it."""
        return (self.run_id, self.scenario, self.point_id, self.replicate)


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
        return [r.run_id for r in self.runs]


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


def plan_recipe(
    bases: Sequence[Scenario],
    points: Sequence[Sequence[Point]],
    replicates: int,
    options: RunOptions,
    version: str,
) -> str:
    """Hash of everything a batch's runs follow from (equal recipes: equal runs).

    The runs' parameters are a function of the scenarios (content hash as written,
    posterior draws, calibrated parameters), the sweep points' overrides, the
    replicates and the options; their ids add the code version. Hashing these takes
    milliseconds, building every run's parameters takes seconds.

    Args:
        bases: The scenarios as loaded for the batch.
        points: The sweep points of each scenario, in the order of ``bases``.
        replicates: Runs per scenario and point.
        options: Years, scale, seed base and calibration mode.
        version: The code version.

    Returns:
        64 hex digits.
    """
    data = {
        "version": version,
        "options": dataclasses.asdict(options),
        "replicates": replicates,
        "scenarios": [
            {
                "name": base.name,
                "sha256": base.sha256,
                "draws": [dict(d) for d in base.calibration_draws],
                "calibrated": list(base.calibrated_paths),
                "points": [[p.id, dict(p.overrides)] for p in base_points],
            }
            for base, base_points in zip(bases, points, strict=True)
        ],
    }
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def stored_members(store: ResultsStore, recipe: str) -> list[Member] | None:
    """The planned runs of a stored batch with this recipe (None: there is none).

    Args:
        store: The results store (read-only is enough).
        recipe: From :func:`plan_recipe`.

    Returns:
        (run id, scenario, point id, replicate) of every run the batch planned.
    """
    batches = store.query("SELECT batch_id, plan FROM batches ORDER BY created, batch_id")
    for batch_id, plan in zip(batches["batch_id"], batches["plan"], strict=True):
        try:
            data = json.loads(plan) if isinstance(plan, str) else plan
        except (TypeError, ValueError):
            continue
        if isinstance(data, dict) and data.get("recipe") == recipe:
            rows = store.query(
                "SELECT run_id, scenario, point_id, replicate FROM batch_runs WHERE batch_id = ?",
                [batch_id],
            )
            return [
                (str(r.run_id), str(r.scenario), str(r.point_id), int(r.replicate))
                for r in rows.itertuples(index=False)
            ]
    return None


def _from_store(
    members: Sequence[Member],
    bases: Sequence[Scenario],
    points: Sequence[Sequence[Point]],
    replicates: int,
    options: RunOptions,
    version: str,
) -> list[PlannedRun] | None:
    """The planned runs of a stored batch, in plan order, their specs not yet built.

    Returns:
        The runs, or None if the members do not fit the plan (then plan afresh).
    """
    where: dict[tuple[str, str, int], tuple[int, int, Scenario, Point]] = {}
    for i, (base, base_points) in enumerate(zip(bases, points, strict=True)):
        for j, point in enumerate(base_points):
            for r in range(replicates):
                where.setdefault((base.name, point.id, r), (i, j, base, point))
    runs: list[tuple[tuple[int, int, int], PlannedRun]] = []
    for run_id, scenario, point_id, replicate in members:
        found = where.get((scenario, point_id, replicate))
        if found is None:
            return None
        i, j, base, point = found

        def build(
            base: Scenario = base, point: Point = point, replicate: int = replicate
        ) -> RunSpec:
            return run_spec(base, replicate, point=point, options=options, version=version)

        runs.append(((i, j, replicate), PlannedRun(run_id, scenario, point_id, replicate, build)))
    runs.sort(key=lambda item: item[0])
    return [run for _, run in runs]


def plan_batch(
    scenarios: Sequence[str],
    replicates: int,
    *,
    seed_base: int = 1,
    sweep: Sweep | None = None,
    years: int | None = None,
    scale: float | None = None,
    calibration: str = POSTERIOR,
    stored: StoredBatches | None = None,
    stored_names: Sequence[str | None] | None = None,
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
        stored: Look-up of stored batches by recipe (e.g. :func:`stored_members` on
            the store); a batch with the same recipe gives the run ids, and only
            runs not yet stored are built when they run. None: build every run now.
        stored_names: Per scenario (in order), the name its runs get in the store
            instead of its own (None: its own); a search's candidates use it.

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
    if stored_names is not None:
        bases = [
            dataclasses.replace(b, name=n) if n else b
            for b, n in zip(bases, stored_names, strict=True)
        ]
    if sweep is not None:
        sweep = sweep.resolve(bases)
    version = code_version()
    points = [points_of(base, sweep) for base in bases]
    recipe = plan_recipe(bases, points, replicates, options, version)
    members = stored(recipe) if stored is not None else None
    runs = _from_store(members, bases, points, replicates, options, version) if members else None
    if runs is None:
        runs = []
        seen: set[str] = set()
        for base, base_points in zip(bases, points, strict=True):
            for point in base_points:
                for r in range(replicates):
                    spec = run_spec(base, r, point=point, options=options, version=version)
                    if spec.run_id in seen:
                        continue
                    seen.add(spec.run_id)
                    runs.append(
                        PlannedRun(spec.run_id, spec.scenario, spec.point_id, r, lambda s=spec: s)
                    )
    batch_id = hashlib.sha256("|".join(sorted(r.run_id for r in runs)).encode()).hexdigest()[:12]
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
            "settings": [dict(setting) for setting in sweep.settings],
            "lhs_samples": sweep.lhs_samples,
            "lhs_columns": list(sweep.lhs_columns),
            "seed": sweep.seed,
        },
        "code_version": version,
        "recipe": recipe,
    }
    return BatchPlan(batch_id, label, runs, bases, sweep, plan)


__all__ = [
    "BatchPlan",
    "Member",
    "PlannedRun",
    "StoredBatches",
    "plan_batch",
    "plan_recipe",
    "points_of",
    "stored_members",
]
