"""Experiments: the one recipe per run, sweeps, batch plans and their execution.

Builds on the scenario language (:mod:`scenarios`) and writes into the results store
(:mod:`results`). Higher floors (calibration, dashboard, command line) import the
names below, never the modules inside:

* :mod:`experiments.recipe`: :func:`run_spec`, from (scenario, sweep point,
  replicate, options) to the frozen run spec (parameters, seed, posterior draw,
  content hash, input hash, run id);
* :mod:`experiments.sweep`: sweep files (grid and Latin hypercube);
* :mod:`experiments.plan`: :func:`plan_batch`, scenarios × points × replicates;
* :mod:`experiments.execution`: running tasks in process, on a local pool or Dask;
* :mod:`experiments.batch`: :func:`run_batch`, a plan into the results store;
* :mod:`experiments.snapshots`: burn-ins kept on disk (:class:`BurnInCache`);
* :mod:`experiments.paired`: a changed version against a baseline's stored runs
  (:func:`run_pairs`), computing only what changed;
* :mod:`experiments.study`: a scenario and its baseline at designed points of
  their uncertainties (:class:`Study`), one figure per point (:func:`point_values`);
* :mod:`experiments.discover`: scenario discovery, the boxes of assumptions in which
  an outcome's cases are dense (PRIM, :func:`find_boxes`), in German
  (:func:`box_sentence`);
* :mod:`experiments.optimise`: robust multi-objective search over a scenario's
  levers (NSGA-II, :func:`search`), its objectives and dominance;
* :mod:`experiments.sensitivity`: Sobol and Morris designs and indices (SALib);
* :mod:`experiments.version`: :func:`code_version` and the engine's
  :func:`model_code_hash` (which a calibration file records).
"""

from experiments.batch import BatchInterrupted, BatchReport, ProgressHook, results_frame, run_batch
from experiments.discover import (
    Box,
    Step,
    box_condition,
    box_record,
    box_sentence,
    find_boxes,
    format_quantity,
)
from experiments.execution import (
    GROUP_SIZE,
    WATCHDOG_SECONDS,
    Outcome,
    RunTask,
    execute,
    execute_group,
    execute_tasks,
)
from experiments.optimise import (
    DEFAULT_LEVERS,
    DEFAULT_OBJECTIVES,
    OBJECTIVES,
    SCHEME,
    SEARCH_ORIGIN,
    Evaluated,
    Lever,
    LeverSpace,
    Objective,
    SearchResult,
    dominates,
    non_dominated,
    objective_metrics,
    objective_values,
    search,
    uncertainty_sample,
)
from experiments.paired import (
    FIGURE_COLUMNS,
    PairedDesign,
    PairOutcome,
    run_pair,
    run_pairs,
    yearly_totals,
)
from experiments.plan import (
    BatchPlan,
    Member,
    PlannedRun,
    StoredBatches,
    plan_batch,
    plan_recipe,
    stored_members,
)
from experiments.recipe import (
    BASE,
    CALIBRATION_MODES,
    POINT_ESTIMATE,
    POSTERIOR,
    UNCALIBRATED,
    Point,
    RunOptions,
    RunSpec,
    input_sha256,
    load_base,
    params_json,
    run_spec,
)
from experiments.sensitivity import (
    MEASURE_LABELS,
    MEASURES,
    METHODS,
    SensitivityDesign,
    design_size,
    sensitivity_design,
    sensitivity_indices,
)
from experiments.snapshots import BurnInCache
from experiments.study import (
    TOTAL,
    Study,
    analysis_id,
    noise_shares,
    outcome_values,
    point_index,
    point_values,
    run_values,
    study_members,
)
from experiments.sweep import (
    BASE_POINT,
    SWEEPS_DIR,
    Sweep,
    design_sweep,
    load_sweep,
    sample_value,
)
from experiments.version import code_version, model_code_hash

__all__ = [
    "BASE",
    "BASE_POINT",
    "CALIBRATION_MODES",
    "DEFAULT_LEVERS",
    "DEFAULT_OBJECTIVES",
    "FIGURE_COLUMNS",
    "GROUP_SIZE",
    "MEASURES",
    "MEASURE_LABELS",
    "METHODS",
    "OBJECTIVES",
    "POINT_ESTIMATE",
    "POSTERIOR",
    "SCHEME",
    "SEARCH_ORIGIN",
    "SWEEPS_DIR",
    "TOTAL",
    "UNCALIBRATED",
    "WATCHDOG_SECONDS",
    "BatchInterrupted",
    "BatchPlan",
    "BatchReport",
    "Box",
    "BurnInCache",
    "Evaluated",
    "Lever",
    "LeverSpace",
    "Member",
    "Objective",
    "Outcome",
    "PairOutcome",
    "PairedDesign",
    "PlannedRun",
    "Point",
    "ProgressHook",
    "RunOptions",
    "RunSpec",
    "RunTask",
    "SearchResult",
    "SensitivityDesign",
    "Step",
    "StoredBatches",
    "Study",
    "Sweep",
    "analysis_id",
    "box_condition",
    "box_record",
    "box_sentence",
    "code_version",
    "design_size",
    "design_sweep",
    "dominates",
    "execute",
    "execute_group",
    "execute_tasks",
    "find_boxes",
    "format_quantity",
    "input_sha256",
    "load_base",
    "load_sweep",
    "model_code_hash",
    "noise_shares",
    "non_dominated",
    "objective_metrics",
    "objective_values",
    "outcome_values",
    "params_json",
    "plan_batch",
    "plan_recipe",
    "point_index",
    "point_values",
    "results_frame",
    "run_batch",
    "run_pair",
    "run_pairs",
    "run_spec",
    "run_values",
    "sample_value",
    "search",
    "sensitivity_design",
    "sensitivity_indices",
    "stored_members",
    "study_members",
    "uncertainty_sample",
    "yearly_totals",
]
