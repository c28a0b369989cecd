"""One recipe for a run: (scenario, sweep point, replicate, options) → a frozen run spec.

Every way of running the model — a batch and ``sozialraum compare``, ``sozialraum
run``, the dashboard's what-if page and the calibration — builds its runs with
:func:`run_spec`, so the same scenario, point, seed and options give the same
parameters everywhere:

* **Seed.** Replicate ``r`` runs with seed ``seed_base + r`` in every scenario and at
  every point (common random numbers: differences between scenarios are paired).
* **Posterior draw.** A calibrated scenario whose calibration file has posterior
  draws (``use: posterior``) runs replicate seed ``s`` with draw ``(s − 1) mod n``,
  the same draw in every scenario, so paired differences stay paired and the
  intervals include the calibration's uncertainty. ``calibration="point"`` runs the
  calibration file's point estimate instead, ``calibration="none"`` the values
  written in the scenario files (what the calibration itself varies).
* **Overrides.** The point's overrides, then ``years`` and ``scale``, are applied on
  top of the draw, validated like a variant's (see :func:`scenarios.load_scenario`).

A spec carries two hashes. ``scenario_sha256`` is the scenario's content hash as
written (:attr:`Scenario.sha256` of the base, before point and draw): equal for
every run of a scenario and comparable with the file today, which is what a
provenance check needs. ``input_sha256`` is the hash of what is actually run: the
canonical JSON of the full engine parameters after point, draw, years and scale
(:func:`input_sha256`). The run id hashes the input hash, the seed and the code
version, so a resumed batch finds its finished runs and results of changed code are
never mixed in.

The spec holds the frozen :class:`~model.params.ModelParams` themselves; a worker
gets them in its :class:`~experiments.execution.RunTask` and never reads a
scenario file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from experiments.execution import RunTask
from experiments.sweep import BASE_POINT
from experiments.version import code_version
from model.params import ModelParams
from model.run import burn_in_key
from results import RunRecord
from scenarios import Scenario, derive_scenario, load_scenario

POSTERIOR = "posterior"
"""Calibration mode: replicate seed ``s`` uses posterior draw ``(s − 1) mod n``."""

POINT_ESTIMATE = "point"
"""Calibration mode: the calibration file's point estimate for every seed."""

UNCALIBRATED = "none"
"""Calibration mode: the values written in the scenario files (no calibration file)."""

CALIBRATION_MODES: tuple[str, ...] = (POSTERIOR, POINT_ESTIMATE, UNCALIBRATED)
"""Every calibration mode :class:`RunOptions` accepts."""


@dataclass(frozen=True)
class RunOptions:
    """What a whole batch (or a single run) sets for every one of its runs.

    Attributes:
        years: Simulated years (None: each scenario's own).
        scale: Share of the population simulated (None: each scenario's own).
        seed_base: Seed of replicate 0; replicate ``r`` runs with ``seed_base + r``.
        calibration: :data:`POSTERIOR`, :data:`POINT_ESTIMATE` or :data:`UNCALIBRATED`.
    """

    years: int | None = None
    scale: float | None = None
    seed_base: int = 1
    calibration: str = POSTERIOR

    def __post_init__(self) -> None:
        """Refuse an unknown calibration mode (a programming error, not user input)."""
        if self.calibration not in CALIBRATION_MODES:
            raise ValueError(f"calibration must be one of {CALIBRATION_MODES}")

    @property
    def calibrated(self) -> bool:
        """Whether the scenario's calibration file is applied at all."""
        return self.calibration != UNCALIBRATED

    def size_overrides(self) -> dict[str, Any]:
        """``years`` and ``scale`` as overrides (only those given)."""
        out: dict[str, Any] = {}
        if self.years is not None:
            out["years"] = self.years
        if self.scale is not None:
            out["scale"] = self.scale
        return out


@dataclass(frozen=True)
class Point:
    """A sweep point: its id, its overrides and the file they come from.

    Attributes:
        id: ``basis`` without a sweep, else ``p000``, ``p001``, …
        overrides: Dotted path → value or quantity.
        file: The sweep file (named in errors); None for overrides of no file.
    """

    id: str = BASE_POINT
    overrides: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    file: Path | None = None


BASE = Point()
"""The single point of a batch without a sweep (no overrides)."""


@dataclass(frozen=True)
class RunSpec:
    """Everything that defines one run, frozen (see the module docstring).

    Attributes:
        scenario: Scenario name.
        description: The scenario's German description.
        point_id: Id of the sweep point.
        point: The point's overrides (without draw, years and scale).
        replicate: Replicate number (0-based).
        seed: The run's seed.
        draw: Index of the posterior draw used (0-based); None for the point
            estimate or an uncalibrated scenario.
        draws: Number of posterior draws the scenario offers (0: none).
        calibration: The mode actually used: :data:`POSTERIOR` (with ``draw``),
            :data:`POINT_ESTIMATE` (a calibration file without draws, or asked for),
            :data:`UNCALIBRATED` (no calibration file, or asked for).
        params: The engine parameters, after point, draw, years and scale.
        scenario_sha256: Content hash of the scenario as written.
        input_sha256: Hash of what is run (:func:`input_sha256` of ``params``).
        run_id: Hash of input hash, seed and code version (20 hex digits).
        code_version: See :func:`experiments.version.code_version`.
    """

    scenario: str
    description: str
    point_id: str
    point: Mapping[str, Any]
    replicate: int
    seed: int
    draw: int | None
    draws: int
    calibration: str
    params: ModelParams = field(repr=False)
    scenario_sha256: str
    input_sha256: str
    run_id: str
    code_version: str

    @property
    def group(self) -> str:
        """Runs with the same group share seed and burn-in (:func:`model.run.run_group`)."""
        key = burn_in_key(self.params)
        key_text = repr(key) if key is not None else self.input_sha256
        return hashlib.sha256(f"{self.seed}|{key_text}".encode()).hexdigest()[:16]

    def task(self) -> RunTask:
        """What a worker needs: run id, frozen parameters, seed."""
        return RunTask(run_id=self.run_id, params=self.params, seed=self.seed)

    def record(self) -> RunRecord:
        """The run's manifest row for the results store."""
        return RunRecord(
            run_id=self.run_id,
            scenario=self.scenario,
            scenario_sha256=self.scenario_sha256,
            input_sha256=self.input_sha256,
            description=self.description,
            seed=self.seed,
            point_id=self.point_id,
            point=dict(self.point),
            years=self.params.years,
            scale=self.params.scale,
            params=params_json(self.params),
            code_version=self.code_version,
        )


# =========================================================================== hashes


def params_json(params: ModelParams) -> dict[str, Any]:
    """The full engine parameters as JSON-able data.

    The provenance texts are left out: they do not change a run (the scenario file
    and its content hash keep them).
    """
    data = dataclasses.asdict(params)
    data.pop("provenance", None)
    return data


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same text.

    >>> canonical_json({"b": [1, 2.5], "a": "ä"})
    '{"a":"ä","b":[1,2.5]}'
    """
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def input_sha256(params: ModelParams) -> str:
    """Hash of what a run computes: the canonical JSON of :func:`params_json`.

    Equal hashes (with equal seeds and code) mean equal results, bit for bit.
    """
    return hashlib.sha256(canonical_json(params_json(params)).encode("utf-8")).hexdigest()


def run_id_for(input_hash: str, seed: int, version: str) -> str:
    """The run id: 20 hex digits of the hash of input hash, seed and code version."""
    return hashlib.sha256(f"{input_hash}|{seed}|{version}".encode()).hexdigest()[:20]


# =========================================================================== scenarios


def load_base(ref: str | os.PathLike[str], options: RunOptions | None = None) -> Scenario:
    """Load a scenario as the base of runs under ``options``.

    Args:
        ref: Library name or path of the scenario file.
        options: The runs' options (the calibration mode decides whether the
            scenario's calibration file is applied); default :class:`RunOptions`.

    Returns:
        The scenario as written (with the calibration's point estimate unless
        ``options.calibration`` is :data:`UNCALIBRATED`).

    Raises:
        ScenarioError: For every problem in the scenario or its files.
    """
    return load_scenario(ref, calibrated=(options or RunOptions()).calibrated)


def _derived_params(
    base: Scenario, overrides: Mapping[str, Any], overrides_file: Path | None
) -> ModelParams:
    """The base's parameters with ``overrides`` applied and validated, in memory.

    :func:`scenarios.derive_scenario` applies them to the base's resolved document
    (no scenario file is read again), exactly as loading the file with them would.
    """
    if not overrides:
        return base.params
    return derive_scenario(base, overrides, overrides_file=overrides_file).params


# =========================================================================== the recipe


def run_spec(
    base: Scenario,
    replicate: int,
    *,
    point: Point = BASE,
    options: RunOptions | None = None,
    version: str | None = None,
) -> RunSpec:
    """The one recipe: everything that defines a run, frozen.

    Args:
        base: The scenario as loaded by :func:`load_base` with the same options.
        replicate: Replicate number; the seed is ``options.seed_base + replicate``.
        point: The sweep point (default: no overrides).
        options: Years, scale, seed base and calibration mode of the batch
            (default :class:`RunOptions`: the scenario's own size, seed base 1,
            posterior draws).
        version: Code version (default: :func:`experiments.version.code_version`).

    Returns:
        The run spec.

    Raises:
        ScenarioError: If an override of the point (or ``years``/``scale``) is not
            valid for the scenario, naming the point's file and field.
        ValueError: If ``base`` was loaded with the calibration applied but the
            options ask for none (or the other way round).
    """
    options = options or RunOptions()
    if not options.calibrated and base.calibrated_paths:
        raise ValueError("base was loaded calibrated; load it with load_base(ref, options)")
    seed = options.seed_base + replicate
    draws = base.calibration_draws if options.calibration == POSTERIOR else ()
    draw_index = (seed - 1) % len(draws) if draws else None
    drawn: dict[str, Any] = dict(draws[draw_index]) if draw_index is not None else {}
    overrides = {**drawn, **point.overrides, **options.size_overrides()}
    overrides_file = point.file if point.overrides else None
    params = _derived_params(base, overrides, overrides_file)
    if draw_index is not None:
        mode = POSTERIOR
    elif base.calibrated_paths:
        mode = POINT_ESTIMATE
    else:
        mode = UNCALIBRATED
    version = version or code_version()
    input_hash = input_sha256(params)
    return RunSpec(
        scenario=base.name,
        description=base.description,
        point_id=point.id,
        point=MappingProxyType(dict(point.overrides)),
        replicate=replicate,
        seed=seed,
        draw=draw_index,
        draws=len(base.calibration_draws),
        calibration=mode,
        params=params,
        scenario_sha256=base.sha256,
        input_sha256=input_hash,
        run_id=run_id_for(input_hash, seed, version),
        code_version=version,
    )


__all__ = [
    "BASE",
    "CALIBRATION_MODES",
    "POINT_ESTIMATE",
    "POSTERIOR",
    "UNCALIBRATED",
    "Point",
    "RunOptions",
    "RunSpec",
    "canonical_json",
    "input_sha256",
    "load_base",
    "params_json",
    "run_id_for",
    "run_spec",
]
