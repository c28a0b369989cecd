"""Sweep files: a grid over levers and a Latin hypercube over uncertainties.

A sweep file (YAML) says which parameter sets a batch runs for every scenario::

    description: Anteil des regionalen Budgets 2 und Bedarfstrend
    seed: 7                       # seed of the Latin hypercube (not of the runs)
    grid:                         # every combination of these values
      budget.regional2_share: [0.1, 0.2, 0.3]
      provider.fls_rate: [70.0, 80.0]
    lhs:                          # Latin hypercube over the scenarios' uncertainties
      samples: 20
      uncertainties: [need.trend_per_year, provider.responsiveness]   # default: all

The grid's values are validated like a variant's overrides (a bare value keeps the
parameter's unit and is marked as set by the sweep). The hypercube is drawn once,
on the unit cube, and every scenario maps the same point through its own declared
distribution (:class:`scenarios.UncertaintySection`), so scenarios sharing
their uncertainty declarations get identical values at every point: the batch's
comparisons stay paired. Points are the grid combinations times the hypercube
samples, numbered ``p000``, ``p001``, …; without a sweep there is one point,
``basis``, with no overrides.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy import stats
from scipy.stats import qmc

from scenarios import (
    MAX_DESCRIPTION_CHARS,
    MAX_NAME_CHARS,
    MAX_SEED,
    MAX_SWEEP_POINTS,
    Scenario,
    ScenarioError,
    UncertaintySection,
    check_sweep_size,
    from_validation_error,
    line_for,
    read_yaml,
)

SWEEPS_DIR = Path(__file__).resolve().parent / "sweeps"
"""Folder of the shipped example sweep files."""

BASE_POINT = "basis"
"""Id of the single point of a batch without a sweep."""


class LhsSection(BaseModel):
    """Latin hypercube over uncertainties."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    samples: int = Field(ge=1, le=MAX_SWEEP_POINTS)
    """Number of points (at most :data:`scenarios.limits.MAX_SWEEP_POINTS`)."""
    uncertainties: list[Annotated[str, Field(max_length=MAX_NAME_CHARS)]] | None = Field(
        default=None, min_length=1
    )
    """Which declared uncertainties to vary (dotted paths); default: all of them."""


class SweepDoc(BaseModel):
    """A sweep file."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION_CHARS)
    seed: int = Field(default=1, ge=0, le=MAX_SEED)
    """Seed of the Latin hypercube (the runs' seeds come from the replicates)."""
    grid: dict[Annotated[str, Field(max_length=MAX_NAME_CHARS)], list[Any]] = Field(
        default_factory=dict
    )
    """Dotted path → values; every combination is a point."""
    lhs: LhsSection | None = None


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: grid values and, once resolved, the unit hypercube."""

    path: Path | None
    grid: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    lhs_samples: int = 0
    """Number of hypercube points (0 = no hypercube)."""
    lhs_paths: tuple[str, ...] = ()
    """Uncertainties the hypercube varies (empty: all the scenarios declare)."""
    unit_samples: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    """Hypercube points on [0, 1) (rows), one column per entry of ``lhs_columns``;
    set by :meth:`resolve`."""
    lhs_columns: tuple[str, ...] = ()
    description: str | None = None
    seed: int = 1
    settings: tuple[tuple[tuple[str, Any], ...], ...] = ()
    """Lever settings instead of the grid's product (a search's candidates): each
    setting is applied at every hypercube point, settings outermost."""
    origin: str = "Latin-Hypercube-Punkt der Sweep-Datei"
    """How a point's values were drawn, written into each drawn value's assumption."""
    point_prefix: str = "p"
    """Start of the point ids (``p000`` …); a design's own prefix keeps its points apart
    from another design's in the same store (see :func:`design_sweep`)."""

    @property
    def n_points(self) -> int:
        """Number of points (grid combinations × hypercube samples)."""
        n_grid = len(self.settings) or math.prod(len(values) for _, values in self.grid)
        return n_grid * max(self.lhs_samples, 1)

    def resolve(self, scenarios: list[Scenario]) -> Sweep:
        """Fix the hypercube's columns and draw it.

        Columns default to every uncertainty the scenarios declare (in order); the
        draw is scipy's Latin hypercube seeded by ``seed``.

        Raises:
            ScenarioError: If a hypercube is asked for but nothing is uncertain.
        """
        if self.lhs_samples == 0:
            return self
        drawn = (self.lhs_samples, len(self.lhs_columns))
        if self.lhs_columns and self.unit_samples.shape == drawn:
            return self  # drawn already (or given by a design, see :func:`design_sweep`)
        columns = self.lhs_paths
        if not columns:
            seen: dict[str, None] = {}
            for sc in scenarios:
                for unc in sc.uncertainties:
                    seen.setdefault(unc.parameter, None)
            columns = tuple(p for p in seen if p not in dict(self.grid))
        if not columns:
            raise ScenarioError(
                self.path or Path("."),
                "lhs",
                "keines der Szenarien erklärt Unsicherheiten (uncertainties)",
            )
        sampler = qmc.LatinHypercube(d=len(columns), rng=np.random.default_rng(self.seed))
        return dataclasses.replace(
            self, lhs_columns=columns, unit_samples=sampler.random(self.lhs_samples)
        )

    def points(self, scenario: Scenario) -> list[tuple[str, dict[str, Any]]]:
        """(point id, overrides) for one scenario (after :meth:`resolve`).

        A column the scenario does not declare keeps the scenario's own value when the
        columns are the default (every uncertainty of the batch's scenarios: one
        system's or one variant's own assumption is not drawn for the others); the
        shared columns get the same point in every scenario, so comparisons stay
        paired.

        Raises:
            ScenarioError: If the scenario lacks an uncertainty the sweep file names.
        """
        if not self.grid and not self.settings and not self.lhs_samples:
            return [(BASE_POINT, {})]
        declared = {u.parameter: u for u in scenario.uncertainties}
        columns = self.lhs_columns
        for path in columns:
            if path not in declared and self.lhs_paths:
                raise ScenarioError(
                    self.path or scenario.path,
                    f"lhs.uncertainties.{path}",
                    f"Szenario „{scenario.name}“ erklärt diese Unsicherheit nicht "
                    f"(erklärt: {', '.join(declared) or 'keine'})",
                )
        if self.settings:
            combos: list[dict[str, Any]] = [dict(setting) for setting in self.settings]
        else:
            combos = [
                {path: value for (path, _), value in zip(self.grid, combo, strict=True)}
                for combo in itertools.product(*(values for _, values in self.grid))
            ]
        rows = self.unit_samples if columns else np.zeros((1, 0))
        out: list[tuple[str, dict[str, Any]]] = []
        for combo in combos:
            for row in rows:
                overrides: dict[str, Any] = dict(combo)
                for path, u in zip(columns, row, strict=True):
                    if path not in declared:
                        continue
                    unc = declared[path]
                    base = scenario.value_at(path)
                    overrides[path] = {
                        "value": _as_type(sample_value(unc, float(u), base), base),
                        "unit": unc.unit,
                        "assumption": f"{self.origin} ({unc.label})",
                    }
                out.append((f"{self.point_prefix}{len(out):03d}", overrides))
        return out


def design_sweep(
    columns: Sequence[str],
    unit_samples: np.ndarray,
    origin: str,
    *,
    seed: int = 1,
    settings: Sequence[dict[str, Any]] = (),
) -> Sweep:
    """A sweep whose uncertainty points are given (a Sobol, Morris or search design).

    Args:
        columns: The uncertainties (dotted paths); every scenario must declare each.
        unit_samples: Points on the unit cube, one row per point, one column per path.
        origin: German text written into every drawn value's assumption
            (e.g. ``Sobol-Stichprobe der Sensitivitätsanalyse``).
        seed: Seed the design was drawn with (recorded in the batch's plan).
        settings: Lever settings (path → value), each applied at every point;
            point ``k · len(unit_samples) + i`` is setting ``k`` at row ``i``.

    Returns:
        The sweep; its point ids are ``d<hash>-p000`` …, the hash of the design, so
        two designs run into one store never share a point id (runs are paired on
        point and seed: a Morris point and a search's point must not pair).

    Raises:
        ValueError: If the samples do not fit the columns or leave the unit cube.
    """
    samples = np.asarray(unit_samples, dtype=float)
    if samples.ndim != 2 or samples.shape[1] != len(columns):
        raise ValueError(f"unit samples of shape {samples.shape} for {len(columns)} columns")
    if samples.size and (samples.min() < 0.0 or samples.max() > 1.0):
        raise ValueError("unit samples outside [0, 1]")
    what = json.dumps([list(columns), [dict(x) for x in settings], origin], default=str)
    digest = hashlib.sha256(samples.tobytes() + what.encode("utf-8")).hexdigest()[:8]
    return Sweep(
        path=None,
        settings=tuple(tuple(setting.items()) for setting in settings),
        lhs_samples=samples.shape[0],
        lhs_paths=tuple(columns),
        unit_samples=samples,
        lhs_columns=tuple(columns),
        seed=seed,
        origin=origin,
        point_prefix=f"d{digest}-p",
    )


def sample_value(unc: UncertaintySection, u: float, base: float) -> float:
    """Map a point ``u`` in [0, 1] through an uncertainty's distribution, into [low, high].

    >>> from scenarios import UncertaintySection
    >>> unc = UncertaintySection(parameter="x", label="x", distribution="uniform",
    ...                          low=0.0, high=2.0, unit="share", assumption="a")
    >>> sample_value(unc, 0.25, 1.0)
    0.5
    """
    lo, hi = unc.low, unc.high
    if unc.distribution == "uniform":
        value = lo + u * (hi - lo)
    elif unc.distribution == "triangular":
        c = (float(unc.mode) - lo) / (hi - lo)
        value = float(stats.triang.ppf(u, c, loc=lo, scale=hi - lo))
    else:  # normal around the scenario's value, cut to [low, high]
        sd = float(unc.sd)
        a, b = (lo - base) / sd, (hi - base) / sd
        value = float(stats.truncnorm.ppf(u, a, b, loc=base, scale=sd))
    return min(max(value, lo), hi)  # u = 1 (a Sobol or Morris design's edge) in floating point


def _as_type(value: float, like: Any) -> Any:
    """Keep integer parameters integer."""
    if isinstance(like, int) and not isinstance(like, bool):
        return round(value)
    return value


def load_sweep(path: str | os.PathLike[str]) -> Sweep:
    """Read and validate a sweep file (call :meth:`Sweep.resolve` before use).

    Raises:
        ScenarioError: With file, line and field for every problem.
    """
    file = Path(path)
    if not os.path.lexists(file):  # anything else (FIFO, loop, …): read_yaml says what
        raise ScenarioError(file, None, "Sweep-Datei nicht gefunden")
    data, lines = read_yaml(file)
    if not isinstance(data, dict):
        raise ScenarioError(file, None, "Sweep-Datei muss eine Zuordnung (Schlüssel: Wert) sein")
    try:
        doc = SweepDoc.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(
            exc, file, line_lookup=lambda loc: line_for(loc, lines)
        ) from None
    grid: list[tuple[str, tuple[Any, ...]]] = []
    for key, values in doc.grid.items():
        if not values:
            raise ScenarioError(
                file, f"grid.{key}", "Liste der Werte ist leer", lines.get(("grid", key))
            )
        grid.append((key, tuple(values)))
    paths = tuple(doc.lhs.uncertainties or ()) if doc.lhs else ()
    clash = sorted(set(paths) & set(doc.grid))
    if clash:
        raise ScenarioError(
            file,
            f"lhs.uncertainties.{clash[0]}",
            "steht schon im Raster (grid); nur eines von beiden",
            lines.get(("lhs", "uncertainties")),
        )
    if not grid and doc.lhs is None:
        raise ScenarioError(file, None, "Sweep-Datei braucht grid oder lhs")
    check_sweep_size(
        [len(values) for _, values in grid],
        doc.lhs.samples if doc.lhs else 0,
        file,
        lambda loc: line_for(loc, lines),
    )
    return Sweep(
        path=file,
        grid=tuple(grid),
        lhs_samples=doc.lhs.samples if doc.lhs else 0,
        lhs_paths=paths,
        description=doc.description,
        seed=doc.seed,
    )


__all__ = ["BASE_POINT", "Sweep", "design_sweep", "load_sweep", "sample_value"]
